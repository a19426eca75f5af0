"""Fuzzy matches from translation memory: a paragraph close to an approved one
is drafted from it (no MT request), shows the matched Italian as `#|`
previous, and names the figures that changed; the index finds what a full
scan finds."""

from __future__ import annotations

import random
from pathlib import Path

import polib
import pytest
from rapidfuzz import fuzz, process

from traduco.catalogs import pofile, provenance
from traduco.drafting.batches import BatchResult
from traduco.drafting.memory import Match, SimilarTexts, TranslationMemory, differing_figures
from traduco.drafting.runs import RunSummary
from traduco.errors import ConfigError
from traduco.project.loading import load_project

from conftest import DOC
from helpers import approve_all, msgfmt_check, run_once

NEW = "comunicato-2022"


def po(project: Path, locale: str, doc: str = DOC) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{doc}.po"


def approved_archive(project: Path, standin) -> dict[str, str]:
    """The sample release translated and approved in both locales; the Italian
    and Chinese of every unit."""
    run_once(project, standin.url)
    approve_all(po(project, "en"))
    reviewed = approve_all(po(project, "zh_CN"))
    standin.requests.clear()
    return reviewed


def new_release(project: Path, *paragraphs: str) -> None:
    (project / "sources" / f"{NEW}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def asked(standin) -> list[str]:
    return [r["q"] for r in standin.requests]


def test_a_near_duplicate_paragraph_is_drafted_from_memory_with_its_band_and_previous_msgid(project, standin):
    reviewed = approved_archive(project, standin)
    old = next(m for m in reviewed if "177 mila" in m)
    near = old.replace("pochi giorni fa", "qualche giorno fa")
    fresh = "Un paragrafo del tutto nuovo sulla vendemmia in Maremma."
    new_release(project, near, fresh)

    reports = run_once(project, standin.url)

    entry = next(e for e in polib.pofile(str(po(project, "zh_CN", NEW))) if e.msgid == near)
    assert entry.msgstr == reviewed[old] and "fuzzy" in entry.flags
    assert entry.previous_msgid == old
    score = int(fuzz.ratio(old, near))
    assert provenance.note(entry).startswith(f"reused from memory: fuzzy match {score} % from {DOC} (")
    assert "numbers differ" not in provenance.note(entry)
    assert pofile.fuzzy_reason(entry) == pofile.MEMORY
    assert asked(standin) == [fresh, fresh]           # one MT request per locale, none for the match
    summary = RunSummary()
    summary.add(BatchResult(reports=reports))
    assert (summary.fuzzy, summary.fuzzy_bands, summary.saved_characters) == (2, {"95–99": 2}, 2 * len(near))
    assert "2 fuzzy: 95–99 2" in summary.memory_line()
    msgfmt_check(po(project, "zh_CN", NEW))
    # the next run keeps the draft and its previous msgid, and asks MT for nothing
    standin.requests.clear()
    run_once(project, standin.url)
    again = next(e for e in polib.pofile(str(po(project, "zh_CN", NEW))) if e.msgid == near)
    assert (again.msgstr, again.previous_msgid) == (reviewed[old], old) and standin.requests == []


def test_numbers_that_differ_from_the_match_are_named_in_the_draft(project, standin):
    reviewed = approved_archive(project, standin)
    old = next(m for m in reviewed if "177 mila" in m)
    new_release(project, old.replace("177 mila", "180 mila").replace("il 21 maggio", "il 28 maggio"))

    run_once(project, standin.url)

    entry = next(e for e in polib.pofile(str(po(project, "en", NEW))) if e.msgid.startswith(old[:40]))
    note = provenance.note(entry)
    assert "check: numbers differ from the match: 21 maggio -> 28 maggio; 177 mila -> 180 mila" in note
    assert standin.requests == []


def test_below_the_threshold_mt_drafts_the_unit(project, standin):
    reviewed = approved_archive(project, standin)
    old = next(m for m in reviewed if "177 mila" in m)
    words = old.split()
    half = " ".join(words[: len(words) // 2]) + " e poi tutta un'altra storia, raccontata da capo in un altro modo."
    assert fuzz.ratio(old, half) < 75
    new_release(project, half)

    run_once(project, standin.url)

    entry = next(e for e in polib.pofile(str(po(project, "zh_CN", NEW))) if e.msgid == half)
    assert pofile.fuzzy_reason(entry) == pofile.MACHINE and entry.previous_msgid is None
    assert asked(standin) == [half, half]


def test_the_threshold_is_a_setting(project, standin):
    reviewed = approved_archive(project, standin)
    old = next(m for m in reviewed if "177 mila" in m)
    near = old.replace("pochi giorni fa", "qualche giorno fa")
    assert 95 <= fuzz.ratio(old, near) < 100
    with open(project / "pyproject.toml", "a", encoding="utf-8") as settings:
        settings.write("\n[tool.traduco.memory]\nfuzzy_threshold = 100\n")
    new_release(project, near)

    run_once(project, standin.url)

    assert asked(standin) == [near, near]            # exact matches only: the near one goes to MT
    assert load_project(project).fuzzy_threshold == 100


@pytest.mark.parametrize("value", ["40", "120", '"high"', "true"])
def test_a_bad_threshold_says_where_and_what_to_write(tmp_path, value):
    (tmp_path / "pyproject.toml").write_text(f"[tool.traduco]\n[tool.traduco.memory]\nfuzzy_threshold = {value}\n",
                                             encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_project(tmp_path)
    assert "fuzzy_threshold" in error.value.message and "50 to 100" in error.value.hint


def test_a_match_from_the_same_document_is_not_offered(tmp_path):
    memory = TranslationMemory()
    memory.add("Il museo apre alle 10 di ogni mattina.", Match("The museum opens at 10.", "a"))
    assert memory.find("Il museo apre alle 10 di ogni mattina!", exclude="a") is None
    found = memory.find("Il museo apre alle 10 di ogni mattina!", exclude="b")
    assert found.fuzzy and found.doc_id == "a" and found.source == "Il museo apre alle 10 di ogni mattina."


def test_the_index_finds_the_best_match_a_full_scan_finds():
    rng = random.Random(19)
    vocabulary = [f"{rng.choice('bcdfglmnprstv')}{rng.choice('aeiou')}" * rng.randint(1, 4)
                  + rng.choice(["a", "o", "e", "i"]) for _ in range(3000)]
    weights = [1 / (i + 1) for i in range(len(vocabulary))]

    def text() -> str:
        return " ".join(rng.choices(vocabulary, weights, k=rng.randint(4, 30)))

    def edit(original: str) -> str:
        words = original.split()
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        return " ".join(words)

    texts = list(dict.fromkeys(text() for _ in range(3000)))
    index = SimilarTexts(texts)
    queries = [edit(rng.choice(texts)) if i % 2 else text() for i in range(300)]
    found = matchable = 0
    for query in queries:
        truth = process.extractOne(query, texts, scorer=fuzz.ratio, score_cutoff=75)
        best = index.similar(query, 75, limit=1)
        assert truth is not None or not best          # nothing below the threshold is offered
        if truth is not None:
            matchable += 1
            found += bool(best) and best[0][1] >= truth[1] - 1e-9
    assert matchable > 100 and found / matchable >= 0.99


def test_differing_figures_names_numbers_and_dates_and_nothing_else():
    assert differing_figures("in 177 mila il 21 maggio", "in 180 mila il 21 maggio") == ["177 mila -> 180 mila"]
    assert differing_figures("il 21 maggio a Pisa", "il 22 maggio a Pisa") == ["21 maggio -> 22 maggio"]
    assert differing_figures("costa 1.500 euro a Pisa", "costa 1500 euro a Lucca") == []
    assert differing_figures("circa 400 milioni di utenti", "circa 400 milioni di clienti") == []
