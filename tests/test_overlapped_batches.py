"""A run in process starts the next batch's requests once a batch's MT is over,
while that batch's last catalogs are still checked and written: the catalogs
are byte for byte those of batches run one after the other."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from traduco.drafting.batches import translate_batch
from traduco.drafting.runs import EXIT_OK, InProcess, translate_project
from traduco.project import files
from traduco.project.loading import load_project

SHARED = "La Regione Toscana promuove il turismo sostenibile nelle città d'arte."


def _corpus(folder: Path) -> None:
    (folder / "sources").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[tool.traduco]\nproject = "Press office"\nlocales = ["zh_CN", "en"]\nbatch_size = 2\n', encoding="utf-8")
    for d in range(7):
        paragraphs = [f"Comunicato {d}, paragrafo {p}: il museo apre alle 10.30 con {100 + d * 7 + p} posti."
                      for p in range(4)]
        # A paragraph every document shares: asked by one batch, found by the next.
        (folder / "sources" / f"comunicato-{d}.txt").write_text(
            "date 2026-05\n\n" + "\n\n".join([*paragraphs, SHARED]) + "\n", encoding="utf-8")


def _run(folder: Path, url: str, overlap: bool) -> tuple[object, list[tuple[int, bool]]]:
    """The run, and for each batch but the last: whether the next one had started before it returned."""
    started = [threading.Event() for _ in range(4)]
    seen: list[tuple[int, bool]] = []
    count = [0]

    def translate(project, paths, memories, engine):
        number = count[0]
        count[0] += 1
        started[number].set()
        result = translate_batch(project, paths, memories, engine)
        if number + 1 < 4:
            # Overlapped, the next batch started once this one's answers were all in.
            seen.append((number, started[number + 1].wait(10 if overlap else 0.2)))
        return result
    summary = translate_project(load_project(folder, provider="libre", provider_url=url),
                                InProcess(translate=translate, overlap=overlap))
    return summary, seen


def _catalogs(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted((folder / "locales").rglob("*.po*"))}


def test_overlapped_batches_write_the_catalogs_batches_one_after_the_other_write(tmp_path, standin, monkeypatch):
    monkeypatch.setattr(files, "now", lambda: dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.timezone.utc))
    standin.latency = 0.02
    one_by_one, overlapped = tmp_path / "one-by-one", tmp_path / "overlapped"
    _corpus(one_by_one)
    _corpus(overlapped)

    sequential, waited = _run(one_by_one, standin.url, overlap=False)
    sent = len(standin.requests)
    together, overlaps = _run(overlapped, standin.url, overlap=True)

    assert waited == [(0, False), (1, False), (2, False)]      # one after the other
    assert overlaps == [(0, True), (1, True), (2, True)]       # each next batch began before this one ended
    assert sequential.exit_code == together.exit_code == EXIT_OK
    assert (together.documents, together.drafted, together.written) == \
        (sequential.documents, sequential.drafted, sequential.written)
    assert (together.documents, together.written) == (7, 14) and together.drafted >= 7 * 5 * 2
    assert len(standin.requests) == 2 * sent                    # the same texts asked, none twice
    assert _catalogs(overlapped) == _catalogs(one_by_one)
    assert len(_catalogs(overlapped)) == 7 * 3
