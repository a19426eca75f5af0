"""Small helpers the tests share: run the CLI in-process, approve like a reviewer."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from traduco.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def approve_all(path: Path) -> dict[str, str]:
    """What a reviewer does in Poedit: accept each draft and clear its fuzzy flag."""
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog:
        if entry.msgstr and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()
    return {e.msgid: e.msgstr for e in catalog if not e.obsolete}


def msgfmt_check(path: Path) -> None:
    """gettext's own verdict on a catalog; skipped only where gettext is not installed."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    result = subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"msgfmt -c rejected {path}:\n{result.stderr}"
