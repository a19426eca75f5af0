"""Stopping a run, and starting after a killed one, against a slow provider.

1. Interrupt latency: `traduco run` against a stand-in answering in 2 s; once
   it is well under way, SIGINT. Prints the time from the signal to the
   process's exit (target <= 3 s), the requests the stand-in received after
   the signal (target 0), and the catalogs written (each checked by msgfmt -c).
2. After kill -9: the same run killed mid-way, then run again; and, for
   comparison, run from a copy of the same files and cache without the dead
   run's claims (a normal start). Prints each run's time from its start to its
   first request at the stand-in, and the difference (target <= 2 s).

    python bench/mt_interrupts.py [--docs 20] [--latency 2.0]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from mt_throughput import corpus, settings, stats  # noqa: E402

TRADUCO = str(Path(sys.executable).parent / "traduco")


def start(project: Path) -> subprocess.Popen:
    return subprocess.Popen([TRADUCO, "run", "--project", str(project)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def first_request(url: str, run: subprocess.Popen, started: float, before: int) -> float:
    while stats(url)["requests"] == before:
        if run.poll() is not None:
            raise SystemExit(f"the run ended before sending anything: {run.stderr.read()}")
        time.sleep(0.02)
    return time.perf_counter() - started


def until(url: str, count: int) -> None:
    while stats(url)["requests"] < count:
        time.sleep(0.02)


def valid(project: Path) -> tuple[int, int]:
    paths = sorted((project / "locales").glob("*/LC_MESSAGES/*.po"))
    bad = sum(subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(p)], capture_output=True).returncode != 0
              for p in paths)
    return len(paths), bad


def interrupt(root: Path, url: str, docs: int) -> None:
    project = root / "interrupt"
    corpus(project, docs, 8)
    settings(project, url, 10, 4)
    before = stats(url)["requests"]
    run = start(project)
    until(url, before + 40)
    run.send_signal(signal.SIGINT)
    signalled = time.perf_counter()
    at_signal = stats(url)["requests"]
    _, err = run.communicate()
    took = time.perf_counter() - signalled
    time.sleep(0.5)
    after = stats(url)["requests"] - at_signal
    written, bad = valid(project)
    line = next((line for line in err.splitlines() if line.startswith("Interrupted")), "(no line)")
    print(f"interrupt: exit {run.returncode} {took:.2f} s after SIGINT (target <= 3 s); "
          f"{after} requests after the signal (target 0); {written} catalogs written, {bad} rejected by msgfmt -c")
    print(f"  {line}")


def killed(root: Path, url: str, docs: int) -> None:
    """The run after a kill -9 against the same run from the same files and
    cache without the dead run's claims: the difference is what the dead run costs."""
    project = root / "killed"
    corpus(project, docs, 8)
    settings(project, url, 10, 4)
    before = stats(url)["requests"]
    run = start(project)
    until(url, before + 40)
    run.send_signal(signal.SIGKILL)
    run.wait()
    time.sleep(2.5)             # the dead run's answers in flight land at the stand-in
    clean = root / "clean"
    shutil.copytree(project, clean)
    with sqlite3.connect(clean / ".traduco" / "mt-cache.sqlite") as db:
        claims = db.execute("DELETE FROM mt_claims").rowcount
    times = {}
    for name, folder in (("normal", clean), ("after kill -9", project)):
        before = stats(url)["requests"]
        started = time.perf_counter()
        again = start(folder)
        times[name] = first_request(url, again, started, before)
        again.send_signal(signal.SIGINT)
        again.communicate()
    print(f"kill -9 ({claims} claims left by the dead run): first request {times['normal']:.2f} s after a "
          f"normal start, {times['after kill -9']:.2f} s after kill -9: "
          f"{times['after kill -9'] - times['normal']:+.2f} s (target <= +2 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=2.0)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="traduco-bench-prefect-"))
    server = subprocess.Popen([sys.executable, str(HERE.parent / "tests" / "standin.py"),
                               "--latency", str(args.latency)], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        root = Path(tempfile.mkdtemp(prefix="traduco-bench-interrupts-"))
        interrupt(root, url, args.docs)
        killed(root, url, args.docs)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
