"""MT throughput: traduco's engine against a plain deep-translator loop.

Starts the test stand-in (LibreTranslate-compatible) in its own process with a
fixed latency per request and a rate limit, writes a synthetic corpus, and
prints: units/s of a plain sequential deep-translator loop, units/s of
traduco's translate flow (its MT phase, and end to end including Prefect's
start), the theoretical bound min(rate limit, connections / latency), the
ratios, and a second pass over the unchanged corpus (requests sent, wall time).

    python bench/mt_throughput.py [--docs 200] [--paragraphs 10] [--latency 0.05]
                                  [--rate-limit 200] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS = ("la regione toscana promuove il turismo sostenibile nelle città d'arte con nuove iniziative "
         "culturali mostre musei borghi vino olio cucina tradizionale festival estate inverno mare "
         "colline campagna artigianato visitatori cinesi europei americani accordo partenariato "
         "presidente assessore comunicato stampa firenze siena pisa lucca arezzo livorno").split()


def corpus(folder: Path, docs: int, paragraphs: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    (folder / "sources").mkdir(parents=True)
    for d in range(docs):
        text = []
        for p in range(paragraphs):
            sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
                         for _ in range(rng.randint(1, 3))]
            text.append(f"Comunicato {d}, paragrafo {p}. " + " ".join(sentences))
        (folder / "sources" / f"comunicato-{d:04d}.txt").write_text(
            "date 2024-05\n\n" + "\n\n".join(text) + "\n", encoding="utf-8")
    return docs * paragraphs


def settings(folder: Path, url: str, requests_per_second: float, connections: int,
             characters_per_minute: int = 100_000_000) -> None:
    """A project drafting zh_CN and en through the stand-in at `url`."""
    (folder / "pyproject.toml").write_text(f"""[tool.traduco]
locales = ["zh_CN", "en"]
[tool.traduco.mt]
chain = ["libre"]
[tool.traduco.mt.providers.libre]
url = "{url}"
requests_per_second = {requests_per_second}
connections = {connections}
characters_per_minute = {characters_per_minute}
""", encoding="utf-8")


def stats(url: str) -> dict:
    with urllib.request.urlopen(url + "stats") as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--paragraphs", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rate-limit", type=float, default=200.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sequential-sample", type=int, default=200)
    args = parser.parse_args()

    with quiet_prefect_and_standin(args.latency, args.rate_limit) as url:
        run(args, url)


@contextmanager
def quiet_prefect_and_standin(latency: float, rate_limit: float):
    """Prefect in a throwaway home, logging nothing; the stand-in in its own process: its URL."""
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="traduco-bench-prefect-"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    server = subprocess.Popen([sys.executable, str(HERE.parent / "tests" / "standin.py"),
                               "--latency", str(latency), "--rate-limit", str(rate_limit)],
                              stdout=subprocess.PIPE, text=True)
    try:
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait()


def run(args, url: str) -> None:
    from deep_translator import LibreTranslator

    project = Path(tempfile.mkdtemp(prefix="traduco-bench-"))
    units = corpus(project, args.docs, args.paragraphs)
    settings(project, url, args.rate_limit, args.connections)
    bound = min(args.rate_limit, args.connections / args.latency)
    print(f"corpus: {args.docs} documents x {args.paragraphs} paragraphs = {units} units, "
          f"2 locales = {2 * units} translations")
    print(f"stand-in: {args.latency * 1000:.0f} ms per request, rate limit {args.rate_limit:g} req/s; "
          f"traduco: {args.connections} connections")

    sample = []
    for path in sorted((project / "sources").glob("*.txt")):
        sample += path.read_text(encoding="utf-8").split("\n\n")[1:]
        if len(sample) >= args.sequential_sample:
            break
    sample = [f"{t.strip()} (sequenziale)" for t in sample[:args.sequential_sample]]
    translator = LibreTranslator(source="it", target="en", custom_url=url, api_key="x")
    started = time.perf_counter()
    for text in sample:
        translator.translate(text)
    sequential = len(sample) / (time.perf_counter() - started)
    print(f"\nplain deep-translator loop: {sequential:8.1f} units/s ({len(sample)} units)")

    sys.path.insert(0, str(HERE.parent))
    from flows.translate import translate

    before = stats(url)["requests"]
    started = time.perf_counter()
    summary = translate(project_dir=str(project), return_state=True).result(raise_on_failure=False)
    wall = time.perf_counter() - started
    sent = stats(url)["requests"] - before
    drafted = summary.drafted
    engine_rate = 2 * units / summary.mt_seconds
    print(f"traduco, MT phase:          {engine_rate:8.1f} units/s ({2 * units} translations in "
          f"{summary.mt_seconds:.1f} s, {sent} requests, {sum(u['retries'] for u in summary.usage)} retries)")
    print(f"traduco, whole run:         {drafted / wall:8.1f} units/s ({drafted} drafted in {wall:.1f} s, "
          f"Prefect start, extraction and catalog writes included)")
    print(f"theoretical bound:          {bound:8.1f} units/s  = min({args.rate_limit:g} req/s, "
          f"{args.connections} / {args.latency:g} s)")
    print(f"MT phase / bound:           {engine_rate / bound:8.0%}   (target >= 90%)")
    print(f"MT phase / sequential loop: {engine_rate / sequential:8.1f}x  (target >= 8x)")

    before = stats(url)["requests"]
    started = time.perf_counter()
    translate(project_dir=str(project), return_state=True)
    wall = time.perf_counter() - started
    print(f"\nsecond pass, unchanged corpus: {stats(url)['requests'] - before} requests (target 0), "
          f"{wall:.1f} s wall")


if __name__ == "__main__":
    main()
