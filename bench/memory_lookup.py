"""Fuzzy translation-memory lookups at archive scale: time and recall.

Builds synthetic but press-like Italian archives (1k, 10k, 100k approved
units: sentences from a Zipf-weighted Italian vocabulary, standing boilerplate
lines with small variants, figures and dates), then looks up new units, half
of them edited copies of archive units (figures changed, words replaced,
added or dropped) and half new text. Prints the index build time, the time per
lookup, and recall: the share of lookups where a full rapidfuzz scan over
every unit finds a match at or above the threshold and the index finds one
exactly as good.

    python bench/memory_lookup.py            # 1k, 10k, 100k
    python bench/memory_lookup.py 10000      # one size
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time

from rapidfuzz import fuzz, process

from traduco.drafting.memory import DEFAULT_THRESHOLD, SimilarTexts

WORDS = """di e il la che a in per un del è non una da le si con al dei della sono alla delle nel più
anche come ha gli ai questo sul nella regione toscana progetto presidente comune giunta anni
sviluppo cultura turismo territorio cittadini servizi lavoro imprese giovani scuola salute
ambiente risorse milioni euro investimenti bando domande finanziamento assessore consiglio
sindaco provincia firenze pisa siena lucca arezzo livorno prato pistoia grosseto massa carrara
evento mostra festival museo visitatori presentazione conferenza stampa iniziativa accordo
programma piano intervento opere cantiere strada ferrovia trasporto pubblico ospedale sanità
medici infermieri pazienti formazione università ricerca innovazione digitale rete energia
acqua agricoltura vino olio prodotti export mercato cinese cina delegazione collaborazione
partner internazionale europa fondi europei obiettivo risultati dati crescita aumento rispetto
anno scorso primo secondo nuovo nuova importante grande tutti tutte oltre circa quasi ogni
sempre ancora molto tra fra sulla dalla dal sui dagli loro suo sua nostro nostra hanno
saranno stato stata stati possono deve potrà permette prevede realizzare sostenere promuovere
valorizzare garantire migliorare rafforzare favorire presentato approvato annunciato
dichiarato spiegato sottolineato aggiunto commentato ricordato inaugurato organizzato
""".split()
MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "settembre",
          "ottobre", "novembre", "dicembre"]
SYLLABLES = "ca co ri ta to na ne ge la lo ma mi pa po se si ve vi zio zia ni no le li tra stra pro con".split()


def vocabulary(size: int = 30_000, seed: int = 7) -> list[str]:
    """The common words first, then made-up rarer ones (names, places, terms):
    a press archive's vocabulary runs to tens of thousands of words."""
    rng = random.Random(seed)
    made = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 5))) for _ in range(size)}
    return WORDS + sorted(made - set(WORDS))


VOCABULARY = vocabulary()
ZIPF = [1 / (i + 1) for i in range(len(VOCABULARY))]   # Zipf's law, as word counts in any corpus
CUMULATIVE = list(itertools.accumulate(ZIPF))
BOILERPLATE = [
    "Fonte: Regione Toscana - Ufficio stampa",
    "Per informazioni: ufficio stampa della Giunta regionale, telefono 055 438 {n}",
    "Il progetto è finanziato dal programma regionale FESR 2021-2027 con {n} mila euro",
    "La mostra resterà aperta fino al {d} {m} {y}, dal martedì alla domenica",
    "Toscana Promozione Turistica è l'agenzia regionale per la promozione del turismo in Toscana",
]


def sentence(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=rng.randint(8, 40))
    if rng.random() < 0.6:
        words.insert(rng.randrange(len(words)), f"{rng.randint(2, 999)} mila")
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"il {rng.randint(1, 28)} {rng.choice(MONTHS)}")
    return " ".join(words).capitalize() + "."


def unit(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(BOILERPLATE).format(n=rng.randint(100, 999), d=rng.randint(1, 28),
                                              m=rng.choice(MONTHS), y=rng.randint(2015, 2026))
    return " ".join(sentence(rng) for _ in range(rng.choice((1, 1, 1, 2, 3))))


def edited(text: str, rng: random.Random) -> str:
    """What next year's release does to a paragraph: new figures, a few words changed."""
    words = text.split()
    for _ in range(rng.randint(1, max(1, len(words) // 8))):
        i = rng.randrange(len(words))
        action = rng.random()
        if words[i].isdigit() or action < 0.4:
            words[i] = str(rng.randint(2, 999)) if words[i].isdigit() else rng.choices(VOCABULARY, cum_weights=CUMULATIVE)[0]
        elif action < 0.7:
            words.insert(i, rng.choices(VOCABULARY, cum_weights=CUMULATIVE)[0])
        elif len(words) > 3:
            del words[i]
    return " ".join(words)


def measure(size: int, lookups: int = 400, seed: int = 19) -> None:
    rng = random.Random(seed)
    texts = list(dict.fromkeys(unit(rng) for _ in range(size)))
    started = time.perf_counter()
    index = SimilarTexts(texts)
    build = time.perf_counter() - started
    queries = [edited(rng.choice(texts), rng) if i % 2 == 0 else unit(rng) for i in range(lookups)]
    times, found, missed, matchable = [], 0, 0, 0
    for query in queries:
        started = time.perf_counter()
        best = index.similar(query, DEFAULT_THRESHOLD, limit=1)
        times.append(time.perf_counter() - started)
        truth = process.extractOne(query, texts, scorer=fuzz.ratio, score_cutoff=DEFAULT_THRESHOLD)
        if truth is None:
            continue
        matchable += 1
        if best and best[0][1] >= truth[1] - 1e-9:
            found += 1
        else:
            missed += 1
    times.sort()
    print(f"{size:>7,} units ({len(texts):,} distinct): index built in {build:5.2f} s; lookup "
          f"median {statistics.median(times) * 1000:5.2f} ms, p95 {times[int(len(times) * 0.95)] * 1000:5.2f} ms, "
          f"max {times[-1] * 1000:5.2f} ms; recall {found}/{matchable} = "
          f"{found / max(1, matchable):.1%} of best matches (>= {DEFAULT_THRESHOLD:g} %)")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    for size in sizes:
        measure(size)


if __name__ == "__main__":
    main()
