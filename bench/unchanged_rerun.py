"""An unchanged rerun as a person types it (issue 28): `traduco run` on a
corpus the last run left complete, timed from the shell (the interpreter's
start and every import included), beside `traduco status` and `traduco check`
on the same corpus, and the stand-in's request count before and after.

    python bench/unchanged_rerun.py                   # 60 documents x 8 paragraphs
    python bench/unchanged_rerun.py --docs 250 --times 3

The machine's load changes every figure: print `uptime` beside them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mt_throughput import corpus, settings, stats  # noqa: E402

TRADUCO = [sys.executable, "-m", "traduco"]


def timed(args: list[str], cwd: Path, env: dict) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run([*TRADUCO, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=3600)
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--paragraphs", type=int, default=8)
    parser.add_argument("--times", type=int, default=3, help="unchanged reruns to time")
    options = parser.parse_args()
    env = {**os.environ, "PREFECT_HOME": tempfile.mkdtemp(prefix="rerun-prefect-")}
    standin = subprocess.Popen([sys.executable, str(HERE.parent / "tests" / "standin.py"), "--latency", "0"],
                               stdout=subprocess.PIPE, text=True)
    folder = Path(tempfile.mkdtemp(prefix="rerun-"))
    try:
        url = standin.stdout.readline().strip()
        units = corpus(folder, options.docs, options.paragraphs)
        settings(folder, url, requests_per_second=1000, connections=8)
        seconds, code, said = timed(["run", "--no-sync"], folder, env)
        assert code == 0, said
        print(f"{options.docs} documents, {units} units x 2 locales; first run {seconds:.1f} s", flush=True)
        asked = stats(url)["requests"]
        for attempt in range(options.times):
            seconds, code, said = timed(["run", "--no-sync"], folder, env)
            print(f"unchanged rerun {attempt + 1}: {seconds:.2f} s, exit {code}, "
                  f"{stats(url)['requests'] - asked} request(s) sent, "
                  f"{'fast path' if 'nothing changed since the last run' in said else 'full run'}", flush=True)
        for command in (["status"], ["check"]):
            seconds, code, _ = timed(command, folder, env)
            print(f"traduco {command[0]}: {seconds:.2f} s, exit {code}", flush=True)
    finally:
        standin.terminate()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(env["PREFECT_HOME"], ignore_errors=True)


if __name__ == "__main__":
    main()
