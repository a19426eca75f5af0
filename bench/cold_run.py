"""A cold first run at the provider's pace (issue 28): the translate flow on a
fresh corpus against a stand-in answering in a fixed time, with the provider's
limits opened up, so that only the connections bound the run.

Prints, for each corpus size: the run's wall time (Prefect's start and model
loading included), the bound (requests x latency / connections), the
sequential estimate (one request after another) and the ratio to it, the CPU
seconds of this process (all its threads) and of Prefect's API process, CPU
per unit, and the share of wall time spent waiting with no CPU work (sampled
every 50 ms: an interval where this process used under 10 % of a core).

    python bench/cold_run.py                           # 60 documents x 8 paragraphs x 2 locales
    python bench/cold_run.py --docs 60 250 1000        # several sizes, one after another
                                                       # (only the first pays the imports and the API's start)
    python bench/cold_run.py --profile 40              # and the 40 top costs (every thread's)

The provider's key is in the environment, as a commercial provider's is in
production: the run then asks for its first texts while Prefect starts
(`drafting.ahead`). TRADUCO_BENCH_NO_AHEAD=1 measures the run without that.

The machine's load changes every figure: print `uptime` beside them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from mt_throughput import corpus, quiet_prefect_and_standin, settings, stats  # noqa: E402

SAMPLE_SECONDS = 0.05
IDLE_SHARE = 0.10     # an interval with less CPU than this share of a core is waiting


class CpuSampler:
    """This process's CPU time, sampled: total seconds, and how much of the
    wall time passed with (almost) no CPU work at all."""

    def __init__(self):
        self._stop = threading.Event()
        self.idle = self.wall = 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.wall = time.perf_counter() - self.started
        self.cpu = time.process_time() - self.cpu_started

    def _sample(self):
        wall, cpu = time.perf_counter(), time.process_time()
        while not self._stop.wait(SAMPLE_SECONDS):
            now_wall, now_cpu = time.perf_counter(), time.process_time()
            if now_cpu - cpu < IDLE_SHARE * (now_wall - wall):
                self.idle += now_wall - wall
            wall, cpu = now_wall, now_cpu


def api_cpu() -> float:
    """CPU seconds of the Prefect API processes this process started (its ephemeral server)."""
    import psutil
    return sum(sum(child.cpu_times()[:2]) for child in psutil.Process().children(recursive=True)
               if "standin" not in " ".join(child.cmdline()))


def cold_run(docs: int, paragraphs: int, url: str, latency: float, connections: int) -> dict:
    project = Path(tempfile.mkdtemp(prefix="traduco-cold-"))
    units = corpus(project, docs, paragraphs)
    settings(project, url, requests_per_second=100_000, connections=connections)
    before, api_before = stats(url)["requests"], api_cpu()
    with CpuSampler() as sampled:
        # As `traduco run` does it: the API of its own started first, Prefect and the flow
        # imported while it starts (the first size of a process only: later ones find both).
        # and the first batch's texts asked for while Prefect starts (`drafting.ahead`).
        from traduco.drafting.ahead import asking_ahead
        from traduco.project.loading import load_project
        from traduco.prefect_api.servers import api_for_command, start_early
        loaded = load_project(project)
        with asking_ahead(loaded, start_early(loaded) and not os.environ.get("TRADUCO_BENCH_NO_AHEAD")), \
                api_for_command(loaded):
            from flows.translate import translate
            summary = translate(project_dir=str(project), return_state=True).result(raise_on_failure=False)
    requests = stats(url)["requests"] - before
    return {"units": 2 * units, "drafted": summary.drafted, "requests": requests, "wall": sampled.wall,
            "mt": summary.mt_seconds,
            "cpu": sampled.cpu, "idle": sampled.idle, "api_cpu": api_cpu() - api_before,
            "bound": requests * latency / connections, "sequential": requests * latency}


class ThreadProfile:
    """cProfile over every thread of the run (the engine's and the checks' as
    well as the main one), merged into one table of the top costs. Timed by
    each thread's CPU clock: waiting for answers costs nothing here."""

    def __init__(self):
        import cProfile
        self._make = lambda: cProfile.Profile(time.thread_time)
        self._profiles, self._lock = [], threading.Lock()

    def __enter__(self):
        self._run = threading.Thread.run
        profile = self

        def profiled_run(thread):
            mine = profile._started()
            try:
                mine.runcall(profile._run, thread)
            finally:
                mine.disable()
        threading.Thread.run = profiled_run
        self._main = self._started()
        self._main.enable()
        return self

    def _started(self):
        mine = self._make()
        with self._lock:
            self._profiles.append(mine)
        return mine

    def __exit__(self, *exc):
        self._main.disable()
        threading.Thread.run = self._run

    def print(self, top: int, keep: str | None = None) -> None:
        import io
        import pstats
        out = io.StringIO()
        stats = pstats.Stats(*self._profiles[:1], stream=out)
        for other in self._profiles[1:]:
            try:
                stats.add(other)
            except TypeError:      # a thread that never ran
                pass
        if keep:
            stats.dump_stats(keep)       # for pstats: callers, callees
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(r"traduco|sentencex|lingua|polib|prefect/(flows|tasks)", top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[60])
    parser.add_argument("--paragraphs", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--profile", type=int, metavar="TOP", default=0,
                        help="profile every thread of the runs and print the TOP costs (slows the run)")
    parser.add_argument("--profile-out", metavar="FILE", help="and keep the profile in FILE (pstats)")
    args = parser.parse_args()
    os.environ.setdefault("LIBRE_API_KEY", "bench-key")
    with quiet_prefect_and_standin(args.latency, 100_000) as url:
        print(f"stand-in: {args.latency * 1000:.0f} ms per request; traduco: {args.connections} connections; "
              f"load: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'documents':>9} {'units':>6} {'wall':>7} {'bound':>7} {'wall/bound':>10} {'sequential':>10} "
              f"{'x seq':>6} {'CPU':>7} {'API CPU':>7} {'ms CPU/unit':>11} {'idle':>5} {'no MT':>6}")
        profile = ThreadProfile() if args.profile else None
        for docs in args.docs:
            if profile:
                with profile:
                    r = cold_run(docs, args.paragraphs, url, args.latency, args.connections)
            else:
                r = cold_run(docs, args.paragraphs, url, args.latency, args.connections)
            print(f"{docs:9,} {r['units']:6,} {r['wall']:6.1f}s {r['bound']:6.1f}s {r['wall'] / r['bound']:9.2f}x "
                  f"{r['sequential']:9.0f}s {r['sequential'] / r['wall']:5.1f}x {r['cpu']:6.1f}s "
                  f"{r['api_cpu']:6.1f}s {1000 * r['cpu'] / r['units']:11.1f} {r['idle'] / r['wall']:5.0%} {r['wall'] - r['mt']:5.1f}s"
                  + ("" if r["drafted"] == r["units"] else f"   ({r['drafted']} drafted!)"), flush=True)
        print(f"load after: {os.getloadavg()[0]:.1f}. wall: the translate flow, Prefect's start included; "
              "idle: wall time with under 10 % of a core busy in this process (waiting for answers); "
              "no MT: wall time with no request in flight (start, extraction, gaps between batches, last writes).")
        if profile:
            profile.print(args.profile, args.profile_out)


if __name__ == "__main__":
    main()
