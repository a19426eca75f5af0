"""One Catalog per document × locale: read once, its state, edited under its
lock; `each` walks a project's catalogs (src/traduco/catalogs/catalog.py)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest

from traduco.catalogs import pofile
from traduco.catalogs.catalog import Catalog, each
from traduco.project import files
from traduco.project.loading import load_project
from traduco.review.low_risk import approve, low_risk_drafts
from traduco.review.page import review_page

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: {locale}\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')
NOTE = "# traduco: machine draft by libre on 2026-12-01 10:00 UTC\n"


@pytest.fixture
def office(tmp_path: Path):
    """A project with two documents, their templates, and an English catalog for the first."""
    (tmp_path / "pyproject.toml").write_text('[tool.traduco]\nproject = "Test office"\nlocales = ["zh_CN", "en"]\n',
                                             encoding="utf-8")
    project = load_project(tmp_path)
    for doc in ("alfa", "beta"):
        path = project.template_path(doc)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                        'msgid "Buongiorno"\nmsgstr ""\n\nmsgid "Ciao\\n"\nmsgstr ""\n', encoding="utf-8")
    write_catalog(project, "alfa", "en", 'msgid "Buongiorno"\nmsgstr "Good morning"\n\n'
                  f'#, fuzzy\n{NOTE}msgid "Ciao\\n"\nmsgstr "Hello"\n')
    return project


def write_catalog(project, doc: str, locale: str, body: str) -> Path:
    path = project.catalog_path(doc, locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(locale=locale) + body, encoding="utf-8")
    return path


def test_a_plural_entry_is_approved_only_when_every_form_is_translated():
    full = polib.POEntry(msgid="file", msgid_plural="files", msgstr_plural={0: "file", 1: "file"})
    half = polib.POEntry(msgid="file", msgid_plural="files", msgstr_plural={0: "file", 1: ""})
    draft = polib.POEntry(msgid="file", msgid_plural="files", msgstr_plural={0: "a", 1: "b"}, flags=["fuzzy"])

    assert [pofile.state(e) for e in (full, half, draft)] == [pofile.APPROVED, pofile.UNTRANSLATED,
                                                                pofile.DRAFT]


def test_each_walks_every_document_in_every_locale_reading_each_template_once(office, monkeypatch):
    reads = Counter()
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.update([self.name]) or original(self))

    found = [(c.doc_id, c.locale, c.exists) for c in each(office)]

    assert found == [("alfa", "zh_CN", False), ("alfa", "en", True), ("beta", "zh_CN", False), ("beta", "en", False)]
    assert reads["alfa.pot"] == reads["beta.pot"] == 1 and reads["alfa.po"] == 2    # zh_CN's (none) and en's


def test_a_catalog_knows_its_state_from_one_reading(office):
    catalog = Catalog.read(office, "alfa", "en")

    assert [e.msgid for e in catalog.approved()] == ["Buongiorno"]
    assert [e.msgid for e in catalog.drafts()] == ["Ciao\n"] and catalog.fuzzy_reasons() == {pofile.MACHINE: 1}
    assert catalog.unit_states() == [pofile.APPROVED, pofile.DRAFT] and catalog.missing_units() == []
    assert catalog.sha256 == hashlib.sha256(catalog.path.read_bytes()).hexdigest()


def test_edit_reads_again_and_applies_again_when_a_translator_saves_meanwhile(office):
    catalog = Catalog.to_edit(office, "alfa", "en")
    seen = []

    def add_note(fresh: Catalog):
        seen.append(fresh.data)
        if len(seen) == 1:     # a translator saves in Poedit while traduco works
            fresh.path.write_bytes(fresh.data.replace(b'"Good morning"', b'"Good day"'))
        fresh.active()[0].tcomment = "checked"
        return fresh.entries

    assert catalog.edit(office.lock_path(catalog.path), add_note, attempts=2)

    written = {e.msgid: e for e in pofile.read(catalog.path)}
    assert len(seen) == 2 and written["Buongiorno"].msgstr == "Good day" and written["Buongiorno"].tcomment == "checked"


def test_edit_never_overwrites_a_save_it_did_not_see(office):
    catalog = Catalog.to_edit(office, "alfa", "en")

    def translator_saves(fresh: Catalog):
        fresh.path.write_bytes(fresh.data + b"\n# saved by Poedit\n")
        return fresh.entries

    with pytest.raises(files.ChangedOnDisk):
        catalog.edit(office.lock_path(catalog.path), translator_saves)
    assert catalog.path.read_bytes().endswith(b"# saved by Poedit\n")


def test_the_review_page_reads_the_catalog_and_its_template_once(office, monkeypatch):
    reads = Counter()
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.update([self.name]) or original(self))

    page = review_page(office, "alfa", "en")

    assert "Good morning" in page
    assert reads["alfa.po"] == 1 and reads["alfa.pot"] == 1, reads


def test_bulk_approval_leaves_a_draft_msgfmt_would_refuse_once_approved(office):
    """'Ciao\\n' drafted as 'Hello' is low risk, but approved it would make
    msgfmt -c refuse the whole catalog: it stays a draft."""
    shown = low_risk_drafts(office, 0.3, ["en"])
    outcome = approve(office, shown, 0.3, "Anna Rossi")

    path = office.catalog_path("alfa", "en")
    assert outcome.approved == [] and outcome.problems == []
    assert "fuzzy" in {e.msgid: e for e in pofile.read(path)}["Ciao\n"].flags
    if shutil.which("msgfmt"):
        assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True).returncode == 0
