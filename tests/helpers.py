"""Small helpers the tests share: run the CLI in-process, approve like a reviewer."""

from __future__ import annotations

import re
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
    from traduco.catalogs import pofile
    pofile.read(path)
    if shutil.which("msgfmt") is not None:
        result = subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"msgfmt -c rejected {path}:\n{result.stderr}"


def run_once(project_dir: Path, url: str, on_result=None):
    """One translate run through the library function the flow calls, without
    Prefect (nor the flow's lock, git sync and artifacts): for tests that run
    many times. The catalogs' reports, by document and locale."""
    from traduco.drafting.batches import translate_batch
    from traduco.project.loading import load_project
    from traduco.drafting.runs import InProcess, translate_project

    reports = []

    def translate(project, paths, memories, engine):
        result = translate_batch(project, paths, memories, engine, on_result)
        reports.extend(result.reports)
        return result
    translate_project(load_project(project_dir, provider="libre", provider_url=url), InProcess(translate=translate))
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


# What translators and their tools leave in a catalog that traduco did not make:
# a plural entry with a comment, an obsolete twin of an approved entry, other
# tools' headers. The crash and concurrency tests protect these too.
FOREIGN_HEADERS = {"X-Poedit-Basepath": "..", "Last-Translator": "Li Wei <li@example.org>",
                   "Language-Team": "Team <team@example.org>", "X-Reviewed-By": "Anna"}
PLURAL_COMMENT = "counted as the press office counts"
TWIN_TEXT = "一个更早的译文"


def plural_forms(catalog: polib.POFile) -> dict[int, str]:
    """The hand-made plural entry's translation, one form per the header's nplurals
    (msgfmt -c, and so traduco, refuses a catalog whose plural entries have more or fewer)."""
    nplurals = int(re.search(r"nplurals=(\d+)", catalog.metadata["Plural-Forms"]).group(1))
    return {n: "%d 位游客" for n in range(nplurals)}


def add_hand_made_work(path: Path) -> None:
    """Add, as a translator would by hand, a plural entry, an older obsolete
    twin of the first entry, and other tools' headers."""
    catalog = polib.pofile(str(path), wrapwidth=0)
    catalog.metadata.update(FOREIGN_HEADERS)
    catalog.append(polib.POEntry(msgid="%d visitor", msgid_plural="%d visitors",
                                 msgstr_plural=plural_forms(catalog), tcomment=PLURAL_COMMENT))
    catalog.append(polib.POEntry(msgid=catalog[0].msgid, msgstr=TWIN_TEXT, obsolete=True))
    catalog.save()


def assert_hand_made_work_kept(path: Path) -> None:
    catalog = polib.pofile(str(path), wrapwidth=0)
    for field, value in FOREIGN_HEADERS.items():
        assert catalog.metadata.get(field) == value, (path, field)
    plural = [e for e in catalog if e.msgid == "%d visitor"]
    assert [(e.msgstr_plural, e.tcomment) for e in plural] == [(plural_forms(catalog), PLURAL_COMMENT)], path
    assert TWIN_TEXT in path.read_text(encoding="utf-8"), path   # as the twin, or folded into a comment


def latest_artifact(key: str):
    """The newest Prefect artifact with this key (on the tests' Prefect server)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                      sort=ArtifactSort.CREATED_DESC, limit=1)
    assert found, f"no {key} artifact recorded"
    return found[0]
