"""XLIFF out to an agency and back, at press-office scale: time per step.

Builds a project of N documents (12 paragraphs each, drafted as machine
drafts in zh_CN) straight from polib, then times `export-xliff` for every
waiting unit (the first export runs every check; the checks' cache serves
the second), a CAT tool's edit (every fifth unit confirmed with a new
text), and `import-xliff` (checks and risk notes included), and the same
import again (nothing to change). Prints the figures.

    python bench/exchange_roundtrip.py            # 10 and 100 documents
    python bench/exchange_roundtrip.py 300        # one size
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import polib
from lxml import etree

from traduco.cli import main

SENTENCES = ["La Regione Toscana presenta il progetto {n} per il turismo in Cina.",
             "L'iniziativa coinvolge {n} imprese del territorio e sarà online dal 3 marzo.",
             "Informazioni su www.visittuscany.com o scrivendo a info{n}@regione.toscana.it.",
             "Il presidente ha ricordato che **{n} mila** visitatori hanno seguito la diretta."]


def build(root: Path, documents: int) -> None:
    (root / "pyproject.toml").write_text('[tool.traduco]\nproject = "Bench"\nlocales = ["zh_CN"]\n', encoding="utf-8")
    random.seed(7)
    for d in range(documents):
        template = polib.POFile(wrapwidth=0)
        catalog = polib.POFile(wrapwidth=0)
        catalog.metadata = {"Language": "zh_CN", "Content-Type": "text/plain; charset=UTF-8"}
        for p in range(12):
            text = " ".join(s.format(n=random.randint(1, 999)) for s in random.sample(SENTENCES, 3)) + f" ({d}.{p})"
            template.append(polib.POEntry(msgid=text))
            catalog.append(polib.POEntry(msgid=text, msgstr="[zh] " + text, flags=["fuzzy"],
                                         tcomment="traduco: machine draft by libre on 2026-12-01 10:00 UTC"))
        for folder, data in ((root / "locales" / "templates", template), (root / "locales" / "zh_CN" / "LC_MESSAGES", catalog)):
            folder.mkdir(parents=True, exist_ok=True)
            data.save(str(folder / (f"doc-{d:04d}.pot" if folder.name == "templates" else f"doc-{d:04d}.po")))


def timed(*argv: str) -> float:
    start = time.perf_counter()
    assert main(list(argv)) == 0
    return time.perf_counter() - start


def run(documents: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, documents)
        out = root / "out"
        export = timed("export-xliff", "-p", str(root), "--waiting", "-o", str(out))
        warm = timed("export-xliff", "-p", str(root), "--waiting", "-o", str(out))     # findings cached
        written = next(out.glob("*.xlf"))
        tree = etree.parse(str(written))
        x = "{urn:oasis:names:tc:xliff:document:2.0}"
        segments = tree.getroot().iter(f"{x}segment")
        for number, segment in enumerate(segments):
            if number % 5 == 0:
                target = segment.find(f"{x}target")
                target.text = "代理机构的译文" + (target.text or "")
                segment.set("state", "final")
        tree.write(str(written), xml_declaration=True, encoding="UTF-8")
        first = timed("import-xliff", str(written), "-p", str(root))
        again = timed("import-xliff", str(written), "-p", str(root))
        units = documents * 12
        print(f"{documents:>5} documents, {units:>6} units, {written.stat().st_size / 1e6:.1f} MB: "
              f"export {export:.2f} s (checks cached: {warm:.2f} s), import {first:.2f} s ({units // 5} changed), "
              f"same import again {again:.2f} s")


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [10, 100]:
        run(size)
