"""Provenance: the one note traduco writes on a draft reads back as what was written."""

from __future__ import annotations

import datetime as dt

import polib
import pytest

from traduco.catalogs import pofile, provenance
from traduco.catalogs.provenance import CONFLICT, MACHINE, MEMORY, NO_DRAFT, SOURCE_CHANGED, Provenance
from traduco.drafting.drafts import CatalogResult, machine_draft, reuse
from traduco.drafting.memory import Match
from traduco.mt import Result
from traduco.project.loading import load_project
from traduco.review.queue import queue_row

MADE = dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.timezone.utc)

NOTES = {   # every shape traduco writes -> the note as reviewers have seen it in Poedit
    Provenance(MACHINE, made=MADE, provider="deepl"): "machine draft by deepl on 2026-11-20 08:30 UTC",
    Provenance(MACHINE, made=MADE, provider="libre", check="the machine dropped {name}"):
        "machine draft by libre on 2026-11-20 08:30 UTC; check: the machine dropped {name}",
    Provenance(MEMORY, made=MADE, origin="2021-05-21-comunicato"):
        "reused from memory: approved in 2021-05-21-comunicato (reused on 2026-11-20 08:30 UTC)",
    Provenance(MEMORY, made=MADE, origin="bando-2019", score=87, check="numbers differ from the match: 12 → 15"):
        "reused from memory: fuzzy match 87 % from bando-2019 (reused on 2026-11-20 08:30 UTC); the matched "
        "Italian is shown as previous: update what differs, then clear fuzzy; check: numbers differ from the "
        "match: 12 → 15",
    Provenance(SOURCE_CHANGED, made=MADE):
        "source changed on 2026-11-20 08:30 UTC: the Italian was edited (old text shown as previous); update the "
        "translation, then clear fuzzy",
    Provenance(MACHINE, made=MADE, provider="libre", extra="second opinion by deepl: 62 % similar, figures differ"):
        "machine draft by libre on 2026-11-20 08:30 UTC; second opinion by deepl: 62 % similar, figures differ",
    Provenance(CONFLICT): "merge conflict: two approved translations differ; the newer one is the text, the "
                          "other follows as 'other approved translation'; keep one, then clear fuzzy",
    Provenance(NO_DRAFT, reason="the provider did not answer"): "no draft yet: the provider did not answer",
}


@pytest.mark.parametrize("value", list(NOTES), ids=lambda v: v.kind)
def test_each_note_is_written_as_before_and_reads_back_as_the_same_value(value):
    assert value.format() == NOTES[value]
    assert Provenance.parse(NOTES[value]) == value


def test_a_source_change_noted_by_an_older_traduco_keeps_its_day():
    """Older notes had the day only (a draft minutes old showed as '20 h' in the queue)."""
    older = ("source changed on 2026-11-20: the Italian was edited (old text shown as previous); update the "
             "translation, then clear fuzzy")
    assert Provenance.parse(older) == Provenance(SOURCE_CHANGED, made=MADE.replace(hour=0, minute=0))


def test_a_memory_draft_from_a_dated_document_is_as_old_as_its_reuse_not_as_the_document(project):
    """The review queue ages a draft by when traduco made it; a document id that starts with
    a date ("2021-05-21-comunicato") is where the translation came from, not when it was drafted."""
    proj = load_project(project)
    template, catalog = polib.POFile(), polib.POFile()
    catalog.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    template.append(polib.POEntry(msgid="Ciao", msgstr=""))
    entry = polib.POEntry(msgid="Ciao")
    pofile.mark_draft(entry, "Hello", Provenance(MEMORY, made=MADE, origin="2021-05-21-comunicato"))
    catalog.append(entry)
    pofile.write(template, proj.template_path("doc"), date_header="POT-Creation-Date")
    pofile.write(catalog, proj.catalog_path("doc", "en"))

    row = queue_row(proj, "doc", "en")

    assert row.from_memory == 1
    assert row.oldest_draft == "2026-11-20T08:30:00+00:00"


def test_drafting_writes_notes_the_queue_and_scorecard_can_read():
    machine, memory = polib.POEntry(msgid="Ciao {nome}"), polib.POEntry(msgid="Buongiorno")
    pofile.mark_draft(machine, "Hello", machine_draft(Result("Hello", provider="libre", lost=("{nome}",))))
    reuse(memory, Match("Good morning", "2021-05-21-comunicato"), CatalogResult("doc", "en", ""), 0.85)

    drafted, reused = provenance.of(machine), provenance.of(memory)

    assert (drafted.kind, drafted.provider, drafted.check) == (MACHINE, "libre", "the machine dropped {nome}")
    assert (reused.kind, reused.origin, reused.score) == (MEMORY, "2021-05-21-comunicato", None)
    assert reused.made > MADE - dt.timedelta(days=3650) and pofile.fuzzy_reason(memory) == MEMORY


def test_a_note_of_another_shape_keeps_its_kind_and_a_hand_note_is_work_to_do():
    legacy = polib.POEntry(msgid="Ciao", msgstr="Hi", flags=["fuzzy"],
                           tcomment="traduco: machine draft by libre yesterday")
    by_hand = polib.POEntry(msgid="Ciao", msgstr="Hi", flags=["fuzzy"], tcomment="ask Anna")

    assert provenance.of(legacy) == Provenance(MACHINE)
    assert pofile.fuzzy_reason(legacy) == MACHINE
    assert provenance.of(by_hand) == Provenance("") and pofile.fuzzy_reason(by_hand) == pofile.NEEDS_WORK


def test_recording_a_note_keeps_the_translators_lines_and_replaces_only_traduco_s():
    entry = polib.POEntry(msgid="Ciao", tcomment="traduco: no draft yet: down\nCheck with the press office")

    provenance.record(entry, Provenance(MACHINE, made=MADE, provider="libre"))

    assert entry.tcomment.splitlines() == ["Check with the press office",
                                           "traduco: machine draft by libre on 2026-11-20 08:30 UTC"]
