"""How long git waits for traduco's merge driver per catalog.

    python bench/merge_driver.py [entries ...]
    python bench/merge_driver.py --hostile          # the inputs that were quadratic

Builds base / ours / theirs catalogs of N entries, as a run and a translator
make them (ours: a translator approved every other entry; theirs: a later run
added 10% new paragraphs, retired 10% and drafted the new ones), and times the
driver as git runs it (a fresh `python -m traduco.catalogs.merge` process, the
command `traduco init-git` registers: wall time, and CPU time, which other
processes on a shared machine do not inflate) and the merge itself in this process.

--hostile: every paragraph edited on one side (new machine drafts, the old ones
retired) while a translator approved every old one on the other, so every old
entry is a candidate for every new one: 400 entries of 40 words, and 200 of
400 words. Set TRADUCO_SRC to another checkout's `src` to time its driver.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib

from traduco.catalogs import pofile
from traduco.catalogs.provenance import Provenance

NOTE = Provenance.parse("machine draft by libre on 2026-01-01 10:00 UTC")
LATER = Provenance.parse("machine draft by libre on 2026-01-03 10:00 UTC")


def _catalog(texts: dict[int, str], approved=(), date="2026-01-01 10:00+0000", note=NOTE,
             draft="机器草稿") -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"PO-Revision-Date": date, "Language": "zh_CN",
                   "Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"}
    for i, text in texts.items():
        entry = polib.POEntry(msgid=text, occurrences=[("sources/doc.txt", str(2 * i + 1))])
        if i in approved:
            entry.msgstr = f"第{i}段：经过审校的译文。"
        else:
            pofile.mark_draft(entry, f"第{i}段：{draft}。", note)
        po.append(entry)
    return po


def build(n: int, folder: Path) -> tuple[Path, ...]:
    def text(i):
        return f"Paragrafo {i}: il testo italiano del comunicato numero {i}."
    paths = [folder / name for name in ("base.po", "ours.po", "theirs.po")]
    _catalog({i: text(i) for i in range(n)}).save(str(paths[0]))
    _catalog({i: text(i) for i in range(n)}, approved=set(range(0, n, 2)),
             date="2026-01-02 10:00+0000").save(str(paths[1]))
    _catalog({i: text(i) for i in range(n + n // 10) if i % 10 != 5}).save(str(paths[2]))
    return tuple(paths)


def build_hostile(n: int, words: int, folder: Path) -> tuple[Path, ...]:
    chance = random.Random(n * words)
    vocabulary = [f"parola{k}" for k in range(5000)]
    old = {i: " ".join(chance.choice(vocabulary) for _ in range(words)) for i in range(n)}
    new = {}
    for i, text in old.items():
        tokens = text.split()
        for k in range(0, len(tokens), 10):
            tokens[k] = chance.choice(vocabulary)
        new[i] = " ".join(tokens)
    paths = [folder / name for name in ("base.po", "ours.po", "theirs.po")]
    _catalog(old).save(str(paths[0]))
    _catalog(old, approved=set(old), date="2026-01-02 10:00+0000").save(str(paths[1]))
    _catalog(new, date="2026-01-03 10:00+0000", note=LATER, draft="新的机器草稿").save(str(paths[2]))
    return tuple(paths)


def driver_seconds(base: Path, ours: Path, theirs: Path, work: Path, limit: float = 600) -> str:
    shutil.copy(ours, work)
    env = dict(os.environ)
    if os.environ.get("TRADUCO_SRC"):
        env["PYTHONPATH"] = os.environ["TRADUCO_SRC"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "traduco.catalogs.merge", str(base), str(work), str(theirs)],
                       capture_output=True, env=env, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"> {limit:.0f} s"
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return f"{wall:.2f} s ({cpu:.2f} s CPU)"


def main(args: list[str]) -> None:
    if args == ["--hostile"]:
        print("case | git's view (fresh process)")
        for n, words in ((400, 40), (200, 400)):
            with tempfile.TemporaryDirectory() as tmp:
                paths = build_hostile(n, words, Path(tmp))
                print(f"{n} entries x {words} words, all edited | {driver_seconds(*paths, Path(tmp) / 'a.po')}")
        return
    from traduco.catalogs.merge import merge_files
    print("entries | git's view (fresh process) | merge in process")
    for n in [int(a) for a in args] or [10, 100, 1000, 1800]:
        with tempfile.TemporaryDirectory() as tmp:
            base, ours, theirs = build(n, Path(tmp))
            work = Path(tmp) / "a.po"
            process = driver_seconds(base, ours, theirs, work)
            shutil.copy(ours, work)
            start = time.perf_counter()
            merge_files(base, work, theirs)
            inside = time.perf_counter() - start
            print(f"{n:>7,} | {process:>20} | {inside:>8.3f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
