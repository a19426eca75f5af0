"""MT under faults: the same corpus drafted against a healthy stand-in and
against one that fails like a bad day at a provider, with the same limits.

The fault mix (issue 15): 30 % of requests answered 429, 10 % 500, 2 %
garbage, 3 % hang for 60 s (the deadline is 30 s). Each run drafts a fresh
copy of the corpus through the library function the translate flow calls (no
Prefect: its start would only blur the two figures). Prints both wall times,
the ratio (target <= 2x), and what became of every unit (drafted, or queued
with its reason).

    python bench/mt_faults.py [--docs 60] [--paragraphs 8] [--latency 0.2]
                              [--requests-per-second 20] [--connections 8]
                              [--retry-after SECONDS]   # 429s carry Retry-After
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from mt_throughput import corpus, settings, stats  # noqa: E402

FAULTS = {"--r429": 0.30, "--r500": 0.10, "--garbage": 0.02, "--hang": 0.03}


def standin(latency: float, faults: bool, retry_after: int | None) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, str(HERE.parent / "tests" / "faulty_standin.py"), "--latency", str(latency),
               "--hang-seconds", "60"]
    if faults:
        command += [str(x) for pair in FAULTS.items() for x in pair]
    if retry_after is not None:
        command += ["--retry-after", str(retry_after)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return server, server.stdout.readline().strip()


def draft(folder: Path, url: str, args) -> tuple[float, int, Counter]:
    from traduco.project.loading import load_project
    from traduco.drafting.runs import translate_project

    settings(folder, url, args.requests_per_second, args.connections)
    project = load_project(folder)
    started = time.perf_counter()
    summary = translate_project(project)
    drafted, queued, usage = summary.drafted, summary.failure_reasons, summary.usage
    wall = time.perf_counter() - started
    print(f"  {drafted} drafted, {sum(queued.values())} queued; requests {sum(u['requests'] for u in usage)}, "
          f"retries {sum(u['retries'] for u in usage)}, stand-in saw {stats(url)['answered']}")
    for reason, count in queued.most_common(5):
        print(f"    queued ({count}): {reason}")
    return wall, drafted, queued


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--paragraphs", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--requests-per-second", type=float, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--retry-after", type=int, default=None)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="traduco-bench-faults-"))
    units = corpus(root / "template", args.docs, args.paragraphs)
    print(f"corpus: {args.docs} documents x {args.paragraphs} paragraphs = {units} units, 2 locales; "
          f"stand-in {args.latency * 1000:.0f} ms; limits {args.requests_per_second:g} req/s, "
          f"{args.connections} connections, deadline 30 s")
    walls = {}
    for name, faulty in (("healthy", False), ("faults", True)):
        folder = root / name
        shutil.copytree(root / "template", folder)
        server, url = standin(args.latency, faulty, args.retry_after)
        try:
            print(f"{name}:" + (" 30% 429, 10% 500, 2% garbage, 3% hang 60 s"
                                + (f" (Retry-After: {args.retry_after})" if args.retry_after else
                                   " (no Retry-After)") if faulty else ""))
            walls[name], drafted, queued = draft(folder, url, args)
            assert drafted + sum(queued.values()) == 2 * units, "every unit is drafted or queued"
        finally:
            server.terminate()
            server.wait()
    print(f"\nhealthy {walls['healthy']:.1f} s, faults {walls['faults']:.1f} s: "
          f"ratio {walls['faults'] / walls['healthy']:.2f}x (target <= 2x)")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="traduco-bench-prefect-"))
    main()
