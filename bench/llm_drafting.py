"""LLM drafting (the openai provider) against today's per-paragraph providers.

Four figures, each from real runs of the library function the translate flow
calls (no Prefect), against stand-ins on 127.0.0.1 spoken to by the real
clients (the openai client; deep-translator's LibreTranslator):

1. calls and tokens per document on the sample, LLM vs LibreTranslate;
2. the same on a corpus of `--docs` documents (sample paragraphs, each made
   distinct by a numbered closing line, with references to match);
3. an edit of one paragraph in one published (approved) document: units and
   tokens sent (a small edit keeps the approved translation as a fuzzy
   "source changed" entry for the reviewer: nothing is sent; a rewritten
   paragraph is one unit per locale);
4. a mix where `--mix` of the LLM's answers misbehave (fences, missing,
   invented, repeated or swapped units, Italian left, wrong language, lost or
   translated tokens, cut off, refused, 429, 503): every unit drafted with its
   own reference translation or waiting with its reason, zero misplaced, and
   the wall time against the healthy run (target <= 2x).

    python bench/llm_drafting.py [--docs 60] [--mix 0.15] [--latency 0.3] [--unit-latency 0.05]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from helpers import approve_all  # noqa: E402
from llm_standin import LLMStandIn  # noqa: E402
from standin import FIXTURES_REFERENCES, StandIn, load_references  # noqa: E402

SAMPLE = FIXTURES_REFERENCES.parent / "toscana-smart-china.txt"
GLOSSARY = FIXTURES_REFERENCES.parent / "glossary.csv"
LOCALES = ("zh_CN", "en")


def corpus(folder: Path, docs: int, seed: int = 3) -> dict[str, dict[str, str]]:
    """`docs` sources of 5-8 sample paragraphs each, every paragraph made
    distinct by a numbered line; returns their reference translations."""
    base = load_references()
    paragraphs = [p for p in base if len(p) > 60]
    rng, references = random.Random(seed), dict(base)
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    for doc in range(docs):
        chosen = rng.sample(paragraphs, rng.randint(5, min(8, len(paragraphs))))
        texts = []
        for n, italian in enumerate(chosen):
            k = doc * 10 + n + 100
            text = f"{italian} Comunicato numero {k}."
            references[text] = {"zh_CN": f"{base[italian]['zh_CN']}第{k}号公报。",
                                "en": f"{base[italian]['en']} Press release number {k}."}
            texts.append(text)
        (folder / "sources" / f"release-{doc:03d}.txt").write_text(
            "date 2021-05\n" + "\n\n".join(texts) + "\n", encoding="utf-8")
    return references


def project(folder: Path, chain: str, url: str, docs: int | None) -> dict[str, dict[str, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(GLOSSARY, folder / "glossary.csv")
    (folder / "pyproject.toml").write_text(f"""[tool.traduco]
project = "Bench"
locales = ["zh_CN", "en"]
glossary = "glossary.csv"

[tool.traduco.mt]
chain = ["{chain}"]

[tool.traduco.mt.providers.{chain}]
url = "{url}"
requests_per_second = 50
connections = 8
{'model = "qwen-plus"' if chain == "openai" else ''}
{'tokens_per_minute = 10000000' if chain == "openai" else 'characters_per_minute = 100000000'}
""", encoding="utf-8")
    if docs is None:
        (folder / "sources").mkdir(exist_ok=True)
        shutil.copy(SAMPLE, folder / "sources" / SAMPLE.name)
        return load_references()
    return corpus(folder, docs)


def run(folder: Path):
    from traduco.project.loading import load_project
    from traduco.drafting.runs import translate_project

    started = time.perf_counter()
    summary = translate_project(load_project(folder))
    return summary, time.perf_counter() - started


def per_document(summary, docs: int) -> str:
    usage = {key: sum(u.get(key, 0) for u in summary.usage)
             for key in ("requests", "characters", "prompt_tokens", "completion_tokens")}
    shown = f"{usage['requests'] / docs:.1f} calls per document ({len(LOCALES)} locales)"
    if usage["prompt_tokens"]:
        tokens = (usage["prompt_tokens"] + usage["completion_tokens"]) / docs
        shown += f", {tokens:,.0f} tokens per document ({usage['prompt_tokens'] / docs:,.0f} prompt)"
    return shown + f", {usage['characters'] / docs:,.0f} characters sent per document"


def misplaced(folder: Path, references: dict[str, dict[str, str]]) -> tuple[int, int, int, Counter]:
    """(drafted with their own reference, misplaced, waiting, why waiting) over every catalog."""
    import polib
    good = wrong = waiting = 0
    reasons: Counter = Counter()
    for locale in LOCALES:
        for path in (folder / "locales" / locale / "LC_MESSAGES").glob("*.po"):
            for entry in polib.pofile(str(path)):
                if entry.obsolete:
                    continue
                if not entry.msgstr:
                    waiting += 1
                    note = next((line for line in (entry.tcomment or "").splitlines() if "no draft yet" in line), "")
                    reasons[note.split(": ", 2)[-1][:90] or "(no reason!)"] += 1
                elif entry.msgstr == references.get(entry.msgid, {}).get(locale):
                    good += 1
                else:
                    wrong += 1
    return good, wrong, waiting, reasons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--mix", type=float, default=0.15)
    parser.add_argument("--latency", type=float, default=0.3, help="the LLM stand-in's seconds per answer")
    parser.add_argument("--unit-latency", type=float, default=0.05, help="and per unit asked for")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="traduco-llm-bench-"))
    try:
        corpus_references: dict = {}
        for name, docs in (("sample", None), (f"{args.docs}-document corpus", args.docs)):
            count = docs or 1
            for chain in ("openai", "libre"):
                folder = work / f"{chain}-{count}"
                with (LLMStandIn(latency=args.latency, unit_latency=args.unit_latency) if chain == "openai"
                      else StandIn()) as server:
                    references = project(folder, chain, server.url, docs)
                    server.references = references
                    summary, wall = run(folder)
                print(f"{name}, {chain}: {per_document(summary, count)}; {summary.drafted} drafted in {wall:.1f} s")
                if chain == "openai":
                    print(f"  {summary.llm_line()}")
                    corpus_references = references
        # One paragraph of a published (approved) document edited a little, then one rewritten.
        folder = work / f"openai-{args.docs}"
        for path in (folder / "locales").rglob("*.po"):
            approve_all(path)
        source = sorted((folder / "sources").glob("*.txt"))[0]
        rewritten = "La Regione ringrazia tutti i partner del progetto per la collaborazione di questi anni."
        references = {**corpus_references, rewritten: {
            "zh_CN": "大区感谢项目所有合作伙伴这些年来的合作。",
            "en": "The Region thanks all the project's partners for their cooperation over these years."}}
        for label, edit in (("an edit of one paragraph (a word)",
                             lambda text: text.replace("Comunicato numero", "Comunicato stampa numero", 1)),
                            ("one paragraph rewritten", lambda text: "\n\n".join(
                                [rewritten if n == 1 else p for n, p in enumerate(text.split("\n\n"))]))):
            source.write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
            with LLMStandIn(references, latency=args.latency, unit_latency=args.unit_latency) as server:
                _rewrite_url(folder, server.url)
                summary, wall = run(folder)
            tokens = sum(u["prompt_tokens"] + u["completion_tokens"] for u in summary.usage)
            print(f"{label}: {len(server.asked)} unit(s) sent in {len(server.requests)} request(s) "
                  f"({len(LOCALES)} locales), {tokens:,} tokens; {summary.drafted} drafted")
        # Healthy and misbehaving runs of the corpus, side by side.
        walls = {}
        for label, chance in (("healthy", 0.0), (f"{args.mix:.0%} misbehaving", args.mix)):
            folder = work / f"mix-{label.split()[0]}"
            with LLMStandIn(latency=args.latency, unit_latency=args.unit_latency, chance=chance) as server:
                references = project(folder, "openai", server.url, args.docs)
                server.references = references
                summary, walls[label] = run(folder)
            good, wrong, waiting, reasons = misplaced(folder, references)
            print(f"{label}: {walls[label]:.1f} s; {good} drafted correctly, {wrong} misplaced or wrong, "
                  f"{waiting} waiting; {len(server.requests)} requests, faults {dict(server.answered)}")
            for reason, count in reasons.most_common(4):
                print(f"    waiting ({count}): {reason}")
        ratio = walls[f"{args.mix:.0%} misbehaving"] / walls["healthy"]
        print(f"wall time, misbehaving / healthy: {ratio:.2f}x (target <= 2x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _rewrite_url(folder: Path, url: str) -> None:
    pyproject = folder / "pyproject.toml"
    lines = [f'url = "{url}"' if line.startswith("url = ") else line
             for line in pyproject.read_text(encoding="utf-8").splitlines()]
    pyproject.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
