"""Scale: wall time and peak memory of the translate flow as the corpus grows,
against GNU msgmerge updating the same catalogs.

For each corpus size (synthetic Italian press releases, 10 paragraphs each),
in a fresh process: the first run (every unit machine-translated through the
stand-in LibreTranslate server, in its own process) and an unchanged rerun,
each with Prefect's start included, and the peak memory of the process. For
the 1,000-document corpus, also the time `msgmerge` takes to update every
catalog from its template (one process per catalog, as gettext works) and
the ratio to traduco's unchanged rerun.

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


def one_size(documents: int, paragraphs: int, url: str, keep: Path, api_url: str) -> dict:
    """Run in a child process: first run and unchanged rerun of the real flow."""
    code = f"""
import json, os, resource, sys, time, tempfile
from pathlib import Path
sys.path.insert(0, {str(HERE)!r}); sys.path.insert(0, {str(HERE.parent)!r})
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="traduco-scale-prefect-"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"
os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
from mt_throughput import corpus
project = Path({str(keep)!r})
project.mkdir(parents=True, exist_ok=True)
corpus(project, {documents}, {paragraphs})
(project / "pyproject.toml").write_text('''[tool.traduco]
locales = ["zh_CN", "en"]
[tool.traduco.mt]
chain = ["libre"]
[tool.traduco.mt.providers.libre]
url = "{url}"
requests_per_second = 100000
characters_per_minute = 1000000000
connections = 16
''')
def run(name):
    started = time.perf_counter()
    from flows.translate import translate
    state = translate(project_dir=str(project), return_state=True)
    summary = state.result(raise_on_failure=False)
    return time.perf_counter() - started, summary.drafted
first, drafted = run("first")
peak_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"first": first, "drafted": drafted, "peak_first_mb": peak_first / 1024}}))
"""
    rerun_code = code.split("first, drafted = run")[0].replace("corpus(project,", "0 and corpus(project,") + """
started = time.perf_counter()
from flows.translate import translate
state = translate(project_dir=str(project), return_state=True)
print(json.dumps({"rerun": time.perf_counter() - started,
                  "peak_rerun_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "requests_drafted": state.result(raise_on_failure=False).drafted}))
"""
    first = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                      check=True).stdout.strip().splitlines()[-1])
    started = time.perf_counter()
    rerun = json.loads(subprocess.run([sys.executable, "-c", rerun_code], capture_output=True, text=True,
                                      check=True).stdout.strip().splitlines()[-1])
    rerun["rerun_process"] = time.perf_counter() - started
    served = {**os.environ, "PREFECT_API_URL": api_url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", rerun_code], capture_output=True, text=True, check=True, env=served)
    rerun["rerun_served"] = time.perf_counter() - started
    return {**first, **rerun}


def msgmerge_seconds(project: Path) -> tuple[float, int]:
    catalogs = sorted(project.glob("locales/*/LC_MESSAGES/*.po"))
    started = time.perf_counter()
    for po in catalogs:
        pot = project / "locales" / "templates" / f"{po.stem}.pot"
        subprocess.run(["msgmerge", "--quiet", "--update", "--backup=none", str(po), str(pot)], check=True)
    return time.perf_counter() - started, len(catalogs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 10000])
    parser.add_argument("--paragraphs", type=int, default=10)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, str(HERE.parent / "tests" / "standin.py")],
                              stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()
    keep = Path(tempfile.mkdtemp(prefix="traduco-scale-"))
    sys.path.insert(0, str(HERE.parent))
    from traduco.config import load_project
    from traduco.serving import local_server
    home = Path(tempfile.mkdtemp(prefix="traduco-scale-server-"))
    (home / "pyproject.toml").write_text("[tool.traduco]\n")
    server_context = local_server(load_project(home))
    api_url = server_context.__enter__()
    try:
        print(f"{'documents':>9} {'units':>7} {'first run':>10} {'peak MB':>8} {'rerun':>8} {'peak MB':>8}")
        for size in args.sizes:
            figures = one_size(size, args.paragraphs, url, keep / str(size), api_url)
            print(f"{size:9,} {size * args.paragraphs:7,} {figures['first']:9.1f}s {figures['peak_first_mb']:8.0f} "
                  f"{figures['rerun']:7.1f}s {figures['peak_rerun_mb']:8.0f}   "
                  f"(rerun drafted {figures['requests_drafted']}; whole process {figures['rerun_process']:.1f}s "
                  f"starting Prefect, {figures['rerun_served']:.1f}s with a running server)", flush=True)
            if size == 1000:
                rerun_1000, served_1000 = figures["rerun_process"], figures["rerun_served"]
        if shutil.which("msgmerge") and 1000 in args.sizes:
            seconds, count = msgmerge_seconds(keep / "1000")
            print(f"\nmsgmerge --update on the 1,000-document corpus: {count:,} catalogs in {seconds:.1f} s")
            print(f"traduco unchanged rerun, whole process, ephemeral Prefect started by the run: "
                  f"{rerun_1000:.1f} s = {rerun_1000 / seconds:.2f}x msgmerge")
            print(f"traduco unchanged rerun, whole process, Prefect server already running (traduco serve): "
                  f"{served_1000:.1f} s = {served_1000 / seconds:.2f}x msgmerge (target <= 0.5x)")
    finally:
        server_context.__exit__(None, None, None)
        server.terminate()
        shutil.rmtree(keep, ignore_errors=True)


if __name__ == "__main__":
    main()
