"""Where sentences end (traduco.language.sentences, issue 25): figures, dates, times and
abbreviations stay whole, every sentence is the text as written, and a long
text costs in proportion to its length (issue 24)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from traduco.checks.text import sentences
from traduco.language import sentences as segmenter
from traduco.mt.segments import split

WHOLE = {   # text -> its sentences, as an Italian reader reads them
    "La Regione ha stanziato 1.250.000 euro. 1.250.000 visitatori sono attesi.":
        ["La Regione ha stanziato 1.250.000 euro.", "1.250.000 visitatori sono attesi."],
    "Il tasso è del 3,5 per cento, contro il 2,1. Poi è sceso.":
        ["Il tasso è del 3,5 per cento, contro il 2,1.", "Poi è sceso."],
    "La mostra apre il 21.09.2026 alle 10.30 in via Roma. Ingresso alle 18:30.":
        ["La mostra apre il 21.09.2026 alle 10.30 in via Roma.", "Ingresso alle 18:30."],
    "La sede è in p.zza Duomo n. 5, a Firenze. Apertura dalle h. 9 alle h. 18.":
        ["La sede è in p.zza Duomo n. 5, a Firenze.", "Apertura dalle h. 9 alle h. 18."],
    "Vedi pag. 12 per i dettagli. Lo prevede l'art. 5 del D.Lgs. 33/2013.":
        ["Vedi pag. 12 per i dettagli.", "Lo prevede l'art. 5 del D.Lgs. 33/2013."],
    "Le domande entro il 30 sett. 2026. Informazioni al tel. 055 438 2111.":
        ["Le domande entro il 30 sett. 2026.", "Informazioni al tel. 055 438 2111."],
    "Il dott. Rossi e la S.p.A. ospitano il prof. Verdi a S. Gimignano. Poi il sig. Bianchi parla.":
        ["Il dott. Rossi e la S.p.A. ospitano il prof. Verdi a S. Gimignano.", "Poi il sig. Bianchi parla."],
    "Il costo è di 3,5 mln. di euro (pari al 2,5%). Fine.":
        ["Il costo è di 3,5 mln. di euro (pari al 2,5%).", "Fine."],
    "Lo trasmette la tv di Stato Cctv. E così il 21 maggio in 177 mila l'hanno visto.":
        ["Lo trasmette la tv di Stato Cctv.", "E così il 21 maggio in 177 mila l'hanno visto."],
    "Orari e prenotazioni su www.trenitalia.com. #TreniDelMare":
        ["Orari e prenotazioni su www.trenitalia.com.", "#TreniDelMare"],
}


@pytest.mark.parametrize("text", WHOLE)
def test_figures_dates_times_and_abbreviations_do_not_end_a_sentence(text):
    assert [text[a:b].strip() for a, b in sentences(text, "it")] == WHOLE[text]


def test_english_figures_stay_whole():
    text = "[en] The Region allocated 1,250,000 euros on 21.09.2026 at 10.30 a.m. Mr. Rossi spoke."
    assert [text[a:b].strip() for a, b in sentences(text, "en")] == [
        "[en] The Region allocated 1,250,000 euros on 21.09.2026 at 10.30 a.m.", "Mr. Rossi spoke."]


PROSE = st.lists(st.sampled_from([
    "Il dott. Rossi", "1.250.000", "3,5", "21.09.2026", "alle 10.30", "n. 5", "S.p.A.", "Cctv.", "tv.",
    "«Bene.»", "“Sì!”", "(art. 3)", "www.toscana.it", "#Toscana", "Poi", "e", "il", "Firenze", ".", "?",
    "…", "\n\n", "  ", "。", "今天", "ecc.", "E", "h.", "L.", "9",
]), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(PROSE, st.sampled_from(["it", "en", "zh"]))
def test_sentences_are_the_text_itself_in_order(text, language):
    """Together the spans are the text: no character dropped, changed or repeated,
    so a finding always quotes what is really there."""
    spans = segmenter.sentences(text, language)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(a < b for a, b in spans)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    "Il dott. Rossi arriva a S. Gimignano alle 10.30.", "Sono 1.250.000 euro (art. 5, n. 12).",
    "Lo dice la tv di Stato Cctv.", "«Siamo pronti.» Poi è uscito.", "Il tasso è 3,5 dal 21.09.2026!",
    "Vedi www.toscana.it per i dettagli.", "Davvero?", "La S.p.A. ha chiuso ecc.",
]), min_size=1, max_size=60).map(" ".join))
def test_a_long_text_read_in_windows_splits_as_a_whole(text):
    """A window's last sentence is read again at the start of the next, so
    where the windows fall changes nothing."""
    whole = segmenter.sentences(text, "it")
    saved = segmenter.WINDOW
    try:
        segmenter.WINDOW = 400
        windowed = segmenter.sentences(text, "it")
    finally:
        segmenter.WINDOW = saved
    assert windowed == whole


def test_a_megabyte_paragraph_is_split_in_linear_time():
    """Each window is read once: a 1 MB paragraph is one pass, not a quadratic
    one (pysbd took more than 11 minutes). The pieces for MT are the text's own."""
    paragraph = "La Regione ha stanziato 1.250.000 euro per il turismo il 21.09.2026. " * 15_000
    spans = segmenter.sentences(paragraph, "it")
    assert len(spans) == 15_000
    pieces = split(paragraph, 4999)
    assert all(len(piece) <= 4999 and piece in paragraph for piece in pieces)
    assert sum(len(piece) for piece in pieces) + len(pieces) - 1 == len(paragraph.strip())


def test_mt_pieces_keep_figures_and_abbreviations_whole():
    text = "Il contributo è di 1.250.000 euro (art. 5 del D.Lgs. 33/2013, n. 12). " * 80
    pieces = split(text.strip(), 300)
    assert all(p.startswith("Il contributo") and p.endswith("n. 12).") for p in pieces)
