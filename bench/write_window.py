"""How long a translator's save can go unseen while traduco writes a catalog.

Writes a ~170 KB catalog (zh_CN, 400 entries) over itself with one changed
entry, and times, from the moment the file on disk was last compared with
what the run read to the rename: before issue 12 that comparison came first
(render, write, flush, then rename); now it is repeated right before the
rename. Prints the median over a few rounds, in milliseconds.

    python bench/write_window.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import polib

from traduco.catalogs import pofile
from traduco.project import files

ROUNDS = 15


def sample_catalog(entries: int = 400) -> polib.POFile:
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Language": "zh_CN", "Content-Type": "text/plain; charset=UTF-8"}
    for n in range(entries):
        catalog.append(polib.POEntry(
            msgid=f"Paragrafo {n}: " + "la Regione Toscana presenta il progetto. " * 4,
            msgstr=f"第{n}段：" + "托斯卡纳大区介绍该项目。" * 6, occurrences=[("sources/doc.txt", str(n))]))
    return catalog


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="traduco-bench-"))
    path = folder / "doc.po"
    pofile.write(sample_catalog(), path)
    marks: dict[str, float] = {}
    real_replace, real_contents = os.replace, files.contents

    def replace(src, dst):
        marks["rename"] = time.perf_counter()
        return real_replace(src, dst)

    def contents(p):
        data = real_contents(p)
        marks.setdefault("first", time.perf_counter())
        marks["last"] = time.perf_counter()
        return data
    os.replace, files.contents = replace, contents
    before_fix, after_fix = [], []
    for round_ in range(ROUNDS):
        catalog = pofile.read(path)
        catalog[round_].msgstr += "。"
        expected = path.read_bytes()
        marks.clear()
        pofile.write(catalog, path, expected=expected)
        before_fix.append((marks["rename"] - marks["first"]) * 1000)
        after_fix.append((marks["rename"] - marks["last"]) * 1000)
    size = path.stat().st_size / 1024
    print(f"catalog {size:.0f} KB: a save goes unseen for {statistics.median(before_fix):.1f} ms "
          f"with the comparison only before writing, {statistics.median(after_fix):.3f} ms with "
          "it repeated right before the rename (medians of "
          f"{ROUNDS} writes)")


if __name__ == "__main__":
    main()
