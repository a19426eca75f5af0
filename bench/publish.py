"""Publish: wall time of the library's `publish` on an approved corpus, first
and unchanged, and what an unchanged publish writes (it should write nothing).

Synthetic approved English catalogs (no MT needed), 10 paragraphs each. No
run has checked them, so the first publish runs every quality check (about
95% of its time: pysbd and lingua); after a real run the check cache has them.

    python bench/publish.py [--sizes 200 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from traduco.catalogs import pofile  # noqa: E402
from traduco.project.loading import load_project  # noqa: E402
from traduco.publishing.plan import publish  # noqa: E402


def corpus(root: Path, documents: int, paragraphs: int) -> None:
    (root / "pyproject.toml").write_text('[tool.traduco]\nlocales = ["en"]\n', encoding="utf-8")
    project = load_project(root)
    for n in range(documents):
        doc = f"comunicato-{n:05d}"
        template, catalog = polib.POFile(), polib.POFile()
        template.metadata = {"Content-Type": "text/plain; charset=UTF-8", "X-Source-Date": "2024-05-14"}
        catalog.metadata = {**template.metadata, "Language": "en"}
        for i in range(paragraphs):
            it = f"Paragrafo {i} del comunicato {n} sul turismo e la cultura in Toscana."
            en = f"Paragraph {i} of release {n} on tourism and culture in Tuscany."
            where = [(f"sources/{doc}.txt", str(2 * i + 1))]
            template.append(polib.POEntry(msgid=it, msgstr="", occurrences=where))
            catalog.append(polib.POEntry(msgid=it, msgstr=en, occurrences=where))
        pofile.write(template, project.template_path(doc), date_header="POT-Creation-Date")
        pofile.write(catalog, project.catalog_path(doc, "en"))


def written(root: Path) -> dict[str, int]:
    return {str(f): f.stat().st_ino for f in [*(root / "public").rglob("*"), *root.rglob("*.mo")] if f.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--paragraphs", type=int, default=10)
    args = parser.parse_args()
    print("| documents | first publish | unchanged publish | files rewritten by the unchanged one |")
    print("|---|---|---|---|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            corpus(root, size, args.paragraphs)
            project = load_project(root)
            started = time.perf_counter()
            first = publish(project)
            first_s = time.perf_counter() - started
            assert all(r.status == "published" for r in first), {r.status for r in first}
            before = written(root)
            started = time.perf_counter()
            again = publish(project)
            again_s = time.perf_counter() - started
            assert all(r.status == "unchanged" for r in again)
            after = written(root)
            rewritten = sum(1 for path, inode in after.items() if before.get(path) != inode)
            print(f"| {size:,} | {first_s:.1f} s | {again_s:.1f} s | {rewritten} |")


if __name__ == "__main__":
    main()
