"""Scale: wall time and peak memory of `traduco run` as the corpus grows,
against GNU msgmerge updating the same catalogs.

For each corpus size (synthetic Italian press releases, 10 paragraphs each,
2 locales), the real command in a fresh process, as a user or cron runs it:

- first run: every unit machine-translated through the stand-in
  LibreTranslate server (in its own process);
- unchanged rerun, cold: nothing configured, so the command starts its own
  Prefect API (Prefect's start included);
- unchanged rerun while `traduco serve`'s Prefect server is up;
- `msgmerge --update` of every catalog from its template (one process per
  catalog, as gettext works), and the ratio of the cold rerun to it.

Peak memory is the traduco process's own (the Prefect API is Prefect's
process and is the same size for every corpus).

    python bench/scale.py [--sizes 250 500 1000 10000] [--paragraphs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from mt_throughput import corpus, settings  # noqa: E402

# The command exactly as the `traduco` executable runs it, reporting its own peak memory.
COMMAND = """
import json, resource, sys
from traduco.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}),
      file=sys.stderr)
"""


def traduco_run(project: Path, env: dict) -> tuple[float, float]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", COMMAND, "run"], cwd=project, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    figures = json.loads(result.stderr.strip().splitlines()[-1])
    if figures["code"] != 0:
        raise SystemExit(f"traduco run failed in {project}:\n{result.stderr[-2000:]}")
    return seconds, figures["peak_mb"]


def msgmerge_seconds(project: Path) -> tuple[float, int]:
    catalogs = sorted(project.glob("locales/*/LC_MESSAGES/*.po"))
    started = time.perf_counter()
    for po in catalogs:
        pot = project / "locales" / "templates" / f"{po.stem}.pot"
        subprocess.run(["msgmerge", "--quiet", "--update", "--backup=none", str(po), str(pot)], check=True)
    return time.perf_counter() - started, len(catalogs)


def make_project(folder: Path, documents: int, paragraphs: int, url: str) -> None:
    corpus(folder, documents, paragraphs)
    settings(folder, url, requests_per_second=100_000, connections=16, characters_per_minute=1_000_000_000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 10000])
    parser.add_argument("--paragraphs", type=int, default=10)
    args = parser.parse_args()
    keep = Path(tempfile.mkdtemp(prefix="traduco-scale-"))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(keep / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1")
    # Prefect creates its database on first use anywhere on a machine: not part of any figure.
    subprocess.run([sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"], env=env,
                   check=True, capture_output=True)
    standin = subprocess.Popen([sys.executable, str(HERE.parent / "tests" / "standin.py")],
                               stdout=subprocess.PIPE, text=True)
    url = standin.stdout.readline().strip()
    from traduco.project.loading import load_project
    from traduco.prefect_api.servers import auth_string, local_server
    (keep / "serve").mkdir()
    (keep / "serve" / "pyproject.toml").write_text("[tool.traduco]\n")
    serve_project = load_project(keep / "serve")
    served = local_server(serve_project)    # what `traduco serve` runs
    # A configured server gets the password its operator gives Prefect (serve's server requires one).
    served_env = {**env, "PREFECT_API_URL": served.__enter__(),
                  "PREFECT_API_AUTH_STRING": auth_string(serve_project)}
    try:
        print(f"{'documents':>9} {'catalogs':>8} {'first run':>10} {'peak MB':>7} {'rerun':>7} {'peak MB':>7} "
              f"{'served':>7} {'msgmerge':>9} {'rerun/msgmerge':>14}", flush=True)
        for size in args.sizes:
            project = keep / str(size)
            make_project(project, size, args.paragraphs, url)
            first, first_mb = traduco_run(project, env)
            rerun, rerun_mb = traduco_run(project, env)
            with_server, _ = traduco_run(project, served_env)
            merge, count = msgmerge_seconds(project)
            print(f"{size:9,} {count:8,} {first:9.1f}s {first_mb:7.0f} {rerun:6.1f}s {rerun_mb:7.0f} "
                  f"{with_server:6.1f}s {merge:8.1f}s {rerun / merge:13.2f}x", flush=True)
            shutil.rmtree(project, ignore_errors=True)
        print("\nrerun: unchanged rerun, cold, starting its own Prefect API; served: the same while "
              "`traduco serve`'s server is up; target rerun <= 0.5x msgmerge.")
    finally:
        served.__exit__(None, None, None)
        standin.terminate()
        shutil.rmtree(keep, ignore_errors=True)


if __name__ == "__main__":
    main()
