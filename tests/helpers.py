"""Small helpers the tests share: run the CLI in-process, approve like a reviewer."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib

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
    """gettext's verdict on a catalog: traduco's strict reader always (it refuses
    every syntax error msgfmt refuses, see test_catalogs), and GNU msgfmt -c
    as well wherever gettext is installed. Never a skip."""
    from traduco import catalogs
    catalogs.read(path)
    if shutil.which("msgfmt") is not None:
        result = subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"msgfmt -c rejected {path}:\n{result.stderr}"


def run_once(project_dir: Path, url: str, on_result=None):
    """One translate run through the library, as flows/translate.py runs it,
    without starting Prefect: for tests that run many times."""
    from traduco.config import load_project
    from traduco.memory import TranslationMemory
    from traduco.mt import Engine
    from traduco.runs import batches, translate_batch
    from traduco.sources import source_paths

    project = load_project(project_dir, provider="libre", provider_url=url)
    memories = {locale: TranslationMemory.for_locale(project, locale) for locale in project.locales}
    reports = []
    with Engine.for_project(project) as engine:
        for batch in batches(source_paths(project.sources_dir)[0]):
            reports += translate_batch(project, batch, memories, engine, on_result).reports
    return reports


def entries(path: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(path), wrapwidth=0) if not e.obsolete}


def approved_pairs(path: Path) -> set[tuple[str, str]]:
    return {(e.msgid, e.msgstr) for e in entries(path).values()
            if e.msgstr and "fuzzy" not in e.flags}


class HtmlTree(HTMLParser):
    """Parses a page and fails on a tag closed out of order (well-formedness)."""
    VOID = {"meta", "br", "img", "link", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.links, self.lang = [], set(), [], None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and not attrs.get("href", "").startswith("http"):
            self.links.append(attrs.get("href"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def parse_html(page: str) -> HtmlTree:
    tree = HtmlTree()
    tree.feed(page)
    assert tree.stack == [] and page.startswith("<!DOCTYPE html>")
    return tree
