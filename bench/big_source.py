"""One huge source: memory of drafting N short paragraphs in a single document,
to see whether it grows with the work (issue 28) or worse.

For each size, a fresh project with ONE source file of that many short
Italian paragraphs (varied, every one distinct, with figures and dates) is
drafted in a fresh process through the library function the translate flow
calls (`translate_project`, no Prefect), against the LibreTranslate stand-in
in its own process with the provider's limits opened up. Prints per size: the
paragraphs, the units drafted (both locales), wall time, the drafting
process's baseline RSS (after imports and the checks' models) and its peak
(ru_maxrss), (peak - baseline) per 1,000 units, the slope from the size before,
the bytes of the source and of the written catalogs, and what reading one
written catalog costs a fresh process (RSS added; objects alive after it). A size whose units
were not all drafted gets a warning.

A source over `MAX_SOURCE_BYTES` (1 MB) is refused by `traduco run`; beyond
it (~10,000 such paragraphs) the bench lifts the limit in the drafting process,
and says so, to measure the memory the issue asks about.

    python bench/big_source.py [--sizes 1000 10000 100000] [--connections 16]
    python bench/big_source.py --sizes 10000 --profile 15   # and tracemalloc's top allocations
                                                            # at the traced peak (slow)

The machine's load changes every figure: print `uptime` beside them.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mt_throughput import quiet_prefect_and_standin, settings  # noqa: E402
from traduco.sources.documents import MAX_SOURCE_BYTES  # noqa: E402

CITIES = ("Firenze", "Siena", "Pisa", "Lucca", "Arezzo", "Livorno", "Grosseto", "Prato", "Pistoia",
          "Massa", "Carrara", "Empoli", "Viareggio", "Volterra", "Cortona", "Montepulciano")
TOPICS = ("il turismo sostenibile", "i borghi storici", "la filiera del vino", "l'olio extravergine",
          "i musei civici", "le scuole di restauro", "la mobilità ciclabile", "i cammini storici",
          "l'artigianato artistico", "la promozione in Cina", "i festival estivi", "le terme")
EVENTS = ("la mostra", "la rassegna", "la fiera", "il convegno", "il festival", "la settimana")
MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
          "settembre", "ottobre", "novembre", "dicembre")
PEOPLE = ("Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco")


def money(rng: random.Random) -> str:
    return f"{rng.randint(1, 999) * 1_000 * rng.choice((1, 10, 100)):,}".replace(",", ".")


def paragraph(rng: random.Random) -> str:
    """A short press-release paragraph: a figure, a date, a place."""
    city, topic, event = rng.choice(CITIES), rng.choice(TOPICS), rng.choice(EVENTS)
    day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(2019, 2027)
    return rng.choice((
        lambda: f"{city}: la Regione stanzia {money(rng)} euro per {topic}, "
                f"il {rng.randint(1, 40)},{rng.randint(0, 9)}% in più rispetto al {year}.",
        lambda: f"Il {day} {month} {year} alle ore {rng.randint(9, 21)}.{rng.choice(('00', '15', '30', '45'))} "
                f"si apre a {city} {event} dedicata a {topic}.",
        lambda: f"{rng.randint(2, 99):,}.{rng.randint(0, 999):03d} visitatori per {event} di {city}, "
                f"dal {day} al {day + rng.randint(1, 3)} {month} {year}.",
        lambda: f"L'assessore {rng.choice(PEOPLE)} presenta a {city} il bando n. {rng.randint(1, 999)}/{year} "
                f"per {topic}: domande entro il {day:02d}.{rng.randint(1, 12):02d}.{year}.",
        lambda: f"Per {topic} a {city} arrivano {rng.randint(3, 250)} nuovi posti di lavoro e "
                f"{money(rng)} euro di investimenti entro il {year}.",
    ))()


def write_source(folder: Path, size: int, seed: int = 28) -> Path:
    """One .txt source of `size` distinct paragraphs."""
    rng, seen = random.Random(seed), {}
    while len(seen) < size:
        seen[paragraph(rng)] = None
    path = folder / "sources" / "comunicato-enorme.txt"
    path.parent.mkdir(parents=True)
    path.write_text("date 2026-12-07\n\n" + "\n\n".join(seen) + "\n", encoding="utf-8")
    return path


# The drafting process: its RSS after imports and models, then the run, then its peak.
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
folder, profile = Path(sys.argv[1]), int(sys.argv[2])

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20

from traduco import checks
from traduco.drafting.runs import translate_project
from traduco.project.loading import load_project
from traduco.sources import documents
imported = rss_mb()
checks.warm_up()                       # every run loads the checks' models, whatever its size
baseline = rss_mb()
documents.MAX_SOURCE_BYTES = 1 << 26   # the bench's one huge source (see the docstring); read() allocates it whole
if profile:
    sys.path.insert(0, sys.argv[3])
    from big_source import PeakSnapshots
    sampler = PeakSnapshots().__enter__()
project = load_project(folder)
started = time.perf_counter()
summary = translate_project(project)
wall = time.perf_counter() - started
if profile:
    sampler.__exit__(None, None, None)
    sampler.print_top(profile)
print(json.dumps({"imported": imported, "baseline": baseline, "wall": wall,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "drafted": summary.drafted, "failed": summary.failed_units,
                  "reasons": summary.failure_reasons.most_common(3), "problems": summary.source_problems,
                  "errors": summary.catalog_errors}))
"""


class PeakSnapshots:
    """tracemalloc's snapshot at (about) the run's traced peak: a thread
    snapshots whenever the traced memory has grown 5 % past the last one
    (a spike shorter than its 0.2 s polling is missed: compare the traced peak)."""

    def __enter__(self):
        import threading
        import tracemalloc
        tracemalloc.start(8)
        self.best, self.snapshot, self._stop = 0, None, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        import tracemalloc
        while not self._stop.wait(0.2):
            current, _ = tracemalloc.get_traced_memory()
            if current > self.best * 1.05:
                self.best, self.snapshot = current, tracemalloc.take_snapshot()

    def __exit__(self, *exc):
        import tracemalloc
        self._stop.set()
        self._thread.join()
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    def print_top(self, count: int) -> None:
        print(f"tracemalloc: traced peak {self.peak / 2**20:.0f} MB; snapshot at {self.best / 2**20:.0f} MB, "
              f"top {count} by line:", file=sys.stderr)
        for stat in self.snapshot.statistics("lineno")[:count]:
            print(f"  {stat.size / 2**20:7.1f} MB {stat.count:9,} blocks  {stat.traceback[0]}", file=sys.stderr)
        print(f"top {count} by caller within traduco:", file=sys.stderr)
        for stat in self.snapshot.statistics("traceback")[:count * 3]:
            frames = [f for f in stat.traceback if "/traduco/" in f.filename]
            if frames and stat.size > 2**20:
                print(f"  {stat.size / 2**20:7.1f} MB  {frames[0]}  <- {frames[-1] if len(frames) > 1 else ''}",
                      file=sys.stderr)


def entries(path: Path) -> tuple[int, int]:
    """(entries, fuzzy entries with a translation) of a catalog, counted in its text."""
    import polib
    catalog = polib.pofile(str(path), wrapwidth=0)
    return len(catalog), sum(1 for e in catalog if e.msgstr and "fuzzy" in e.flags)


# Reading one written catalog with traduco's reader in a fresh process: the RSS it adds (the parsed
# entries, and what parsing them left in the heap), and the bytes of the objects still alive after
# it (tracemalloc): what one more copy of a catalog costs a run.
HELD = r"""
import resource, sys, tracemalloc
from pathlib import Path
def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
from traduco.catalogs import pofile
before = rss_mb()
tracemalloc.start()
catalog = pofile.read(Path(sys.argv[1]))
alive = tracemalloc.get_traced_memory()[0] / 2**20
print(rss_mb() - before, alive)
"""


def read_cost(path: Path) -> tuple[float, float]:
    """(RSS added, MB alive) of reading the catalog at `path` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", HELD, str(path)], capture_output=True, text=True, check=True)
    rss, alive = done.stdout.split()
    return float(rss), float(alive)


def measure(size: int, url: str, connections: int, profile: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"traduco-big-{size}-"))
    source = write_source(folder, size)
    settings(folder, url, requests_per_second=100_000, connections=connections,
             characters_per_minute=1_000_000_000)
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(profile), str(HERE)],
                          capture_output=True, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"drafting {size:,} paragraphs failed:\n{done.stderr[-3000:]}")
    if profile:
        print(done.stderr, flush=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures.update(paragraphs=size, source=source.stat().st_size, folder=folder)
    catalogs = sorted(folder.glob("locales/*/LC_MESSAGES/*.po"))
    figures["catalogs"] = sum(p.stat().st_size for p in catalogs)
    counted = [entries(p) for p in catalogs]
    figures["entries"], figures["fuzzy"] = sum(c[0] for c in counted), sum(c[1] for c in counted)
    figures["read"] = read_cost(catalogs[0]) if catalogs else (0.0, 0.0)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print tracemalloc's N top allocations at the traced peak")
    args = parser.parse_args()
    import shutil

    print(f"{'paragraphs':>10} {'drafted':>8} {'wall':>7} {'base MB':>7} {'peak MB':>7} "
          f"{'MB/1k':>6} {'slope':>6} {'source':>8} {'catalogs':>9} {'1 read/alive':>12}  uptime", flush=True)
    before = None
    with quiet_prefect_and_standin(0.0, 1_000_000) as url:
        for size in args.sizes:
            f = measure(size, url, args.connections, args.profile)
            units = 2 * size
            grown = f["peak"] - f["baseline"]
            slope = (f"{(f['peak'] - before['peak']) * 1000 / (units - 2 * before['paragraphs']):6.2f}"
                     if before else f"{'':>6}")
            load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.split("load average:")[-1]
            print(f"{size:10,} {f['drafted']:8,} {f['wall']:6.1f}s {f['baseline']:7.0f} {f['peak']:7.0f} "
                  f"{grown * 1000 / units:6.2f} {slope} {f['source'] / 2**20:6.1f}MB "
                  f"{f['catalogs'] / 2**20:7.1f}MB {f['read'][0]:5.0f}/{f['read'][1]:4.0f}MB  {load.strip()}", flush=True)
            if f["source"] > MAX_SOURCE_BYTES:
                print(f"  (the source is over traduco's {MAX_SOURCE_BYTES:,}-byte limit: lifted for this bench)")
            if f["drafted"] != units or f["fuzzy"] != units or f["failed"]:
                print(f"  WARNING: {units:,} units, {f['drafted']:,} drafted, {f['fuzzy']:,} fuzzy drafts in "
                      f"the catalogs, {f['failed']:,} failed {f['reasons']} {f['problems'][:2]} {f['errors'][:2]}")
            before = f
            shutil.rmtree(f["folder"], ignore_errors=True)
    print("\ndrafted: units drafted, both locales; base: RSS after imports and the checks' models; "
          "peak: ru_maxrss of the drafting process; MB/1k: (peak - base) per 1,000 units; slope: peak's growth "
          "per 1,000 units from the size before (steady = proportional); catalogs: both .po files on disk; "
          "1 read/alive: RSS that reading one written catalog with traduco's reader adds to a fresh "
          "process, and the objects alive after it (tracemalloc).")


if __name__ == "__main__":
    main()
