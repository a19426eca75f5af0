"""How long git waits for traduco's merge driver per catalog.

    python bench/merge_driver.py [entries ...]

Builds base / ours / theirs catalogs of N entries, as a run and a translator
make them (ours: a translator approved every other entry; theirs: a later run
added 10% new paragraphs, retired 10% and drafted the new ones), and times the
driver as git runs it (a fresh `python -m traduco.catalog_merge` process) and
the merge itself in this process.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib

from traduco import catalogs
from traduco.catalog_merge import merge_files
from traduco.provenance import Provenance

NOTE = Provenance.parse("machine draft by libre on 2026-01-01 10:00 UTC")


def build(n: int, folder: Path) -> tuple[Path, Path, Path]:
    def catalog(ids, approved=(), date="2026-01-01 10:00+0000"):
        po = polib.POFile(wrapwidth=0)
        po.metadata = {"PO-Revision-Date": date, "Language": "zh_CN",
                       "Content-Type": "text/plain; charset=UTF-8"}
        for i in ids:
            entry = polib.POEntry(msgid=f"Paragrafo {i}: il testo italiano del comunicato numero {i}.",
                                  occurrences=[("sources/doc.txt", str(2 * i + 1))])
            if i in approved:
                entry.msgstr = f"第{i}段：经过审校的译文。"
            else:
                catalogs.mark_draft(entry, f"第{i}段：机器草稿。", NOTE)
            po.append(entry)
        return po
    paths = [folder / name for name in ("base.po", "ours.po", "theirs.po")]
    catalog(range(n)).save(str(paths[0]))
    catalog(range(n), approved=set(range(0, n, 2)), date="2026-01-02 10:00+0000").save(str(paths[1]))
    catalog([i for i in range(n + n // 10) if i % 10 != 5]).save(str(paths[2]))
    return tuple(paths)


def main(sizes: list[int]) -> None:
    print("entries | git's view (fresh process) | merge in process")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            base, ours, theirs = build(n, Path(tmp))
            work = Path(tmp) / "a.po"
            shutil.copy(ours, work)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "traduco.catalog_merge", str(base), str(work), str(theirs)],
                           check=True, capture_output=True)
            process = time.perf_counter() - start
            shutil.copy(ours, work)
            start = time.perf_counter()
            merge_files(base, work, theirs)
            inside = time.perf_counter() - start
            print(f"{n:>7,} | {process:>8.2f} s | {inside:>8.3f} s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 100, 1000])
