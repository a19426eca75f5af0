"""Once a translator approves a draft, traduco's note on it stops telling anyone
to clear the fuzzy flag, and keeps what it says about where the text came from."""

from __future__ import annotations

import polib

from traduco.catalogs import provenance
from traduco.project.loading import load_project
from traduco.publishing.plan import publish

from conftest import DOC
from helpers import run_once
from test_disclosure import po, reviewed, said

STALE = "update the translation, then clear fuzzy"


def catalog_entries(project) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(po(project, "en")), wrapwidth=0) if not e.obsolete}


def test_an_approved_source_change_keeps_its_provenance_but_not_the_instruction(project, standin):
    run_once(project, standin.url)
    catalog = polib.pofile(str(po(project, "en")), wrapwidth=0)
    for entry in catalog:           # people translated it all: only a source change may involve a machine
        entry.tcomment = "\n".join(provenance.own_lines(entry.tcomment))
    catalog.save()
    reviewed(po(project, "en"))
    source = next((project / "sources").iterdir())
    text = source.read_text(encoding="utf-8")
    paragraph = [p for p in text.split("\n\n") if len(p) > 80][1]
    source.write_text(text.replace(paragraph, paragraph.rstrip(".") + " oggi."), encoding="utf-8")
    run_once(project, standin.url)
    changed = next(e for e in catalog_entries(project).values() if e.previous_msgid)
    assert provenance.of(changed).kind == provenance.SOURCE_CHANGED and STALE in changed.tcomment

    catalog = polib.pofile(str(po(project, "en")), wrapwidth=0)     # the translator updates and approves it,
    for entry in catalog:                                          # with a line of their own after traduco's
        if entry.msgid == changed.msgid:
            entry.tcomment += "\nAsked the press office"
    catalog.save()
    reviewed(po(project, "en"), {changed.msgid: changed.msgstr + " Today."})
    publish(load_project(project))
    statement_before = said(project, "en", DOC)
    before = catalog_entries(project)

    run_once(project, standin.url)

    after = catalog_entries(project)
    settled = after[changed.msgid]
    assert STALE not in settled.tcomment and "clear fuzzy" not in settled.tcomment
    assert provenance.of(settled).kind == provenance.SOURCE_CHANGED
    assert provenance.of(settled).made == provenance.of(changed).made
    assert settled.tcomment.splitlines()[-1] == "Asked the press office"         # in place, theirs untouched
    for msgid, entry in before.items():
        assert (after[msgid].msgstr, after[msgid].flags) == (entry.msgstr, entry.flags)
        assert provenance.own_lines(after[msgid].tcomment) == provenance.own_lines(entry.tcomment)
    publish(load_project(project))
    statement_after = said(project, "en", DOC)
    assert statement_after == statement_before and statement_after[2]["kind"] == "machine"


def test_an_approved_fuzzy_match_keeps_its_origin_score_and_checks_but_not_the_instruction():
    import datetime as dt
    made = dt.datetime(2026, 11, 26, 6, 12, tzinfo=dt.timezone.utc)
    reused = provenance.Provenance(provenance.MEMORY, made=made, origin="2021-05-21-comunicato", score=87,
                                   check="a number differs")
    entry = polib.POEntry(msgid="Ciao", msgstr="Hello", tcomment="Mine\n" + provenance.PREFIX + reused.format())
    assert "clear fuzzy" in entry.tcomment

    provenance.settle(entry)

    assert "clear fuzzy" not in entry.tcomment and entry.tcomment.startswith("Mine\n")
    assert provenance.of(entry) == reused
