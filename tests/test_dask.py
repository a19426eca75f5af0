"""Scale-out: the same translate flow with its batches on a Dask cluster (prefect-dask)."""

from __future__ import annotations

import polib
import pytest

from standin import load_references

pytestmark = pytest.mark.slow


def test_translate_flow_runs_its_batches_on_a_dask_cluster(project, standin):
    (project / "pyproject.toml").write_text(
        '[tool.traduco]\nlocales = ["zh_CN", "en"]\ntask_runner = "dask"\ndask_workers = 2\n'
        'batch_size = 2\n[tool.traduco.mt.providers.libre]\nconnections = 2\nrequests_per_second = 40\n',
        encoding="utf-8")
    standin.latency = 0.2      # requests overlap: what the provider sees at once is measurable
    paragraphs = list(load_references())
    for index in range(5):
        (project / "sources" / f"nota-{index}.txt").write_text(
            f"{paragraphs[index]}\n\nNota numero {index}.\n", encoding="utf-8")
    from flows.translate import translate

    state = translate(project_dir=str(project), provider="libre", provider_url=standin.url,
                      return_state=True)

    summary = state.result()
    assert state.is_completed() and summary.documents == 6          # 6 documents in 3 batches
    for index in range(5):
        for locale in ("zh_CN", "en"):
            catalog = polib.pofile(str(project / "locales" / locale / "LC_MESSAGES" / f"nota-{index}.po"))
            assert len(catalog) == 2 and all(e.msgstr for e in catalog)
    distinct = {(r["q"], r["target"]) for r in standin.requests}
    assert len(standin.requests) == len(distinct)                    # nothing sent twice
    assert sum(u["translated"] for u in summary.usage) == len(distinct)
    # Two workers, each with its own engine, together within the provider's 2 connections.
    assert standin.max_in_flight <= 2
