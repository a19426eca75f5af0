"""The translate run as the library runs it (the flow calls the same function):
its summary sums what every batch and every engine reported."""

from __future__ import annotations

from traduco.drafting.batches import BatchResult, translate_batch
from traduco.drafting.runs import EXIT_OK, InProcess, RunSummary, translate_project
from traduco.project.loading import load_project

from conftest import DOC


def usage(provider: str, locale: str, requests: int, characters: int) -> dict:
    return {"provider": provider, "locale": locale, "requests": requests, "characters": characters,
            "cache_hits": 0, "translated": requests, "retries": 1, "failures": 0}


def test_a_summary_adds_usage_outages_and_mt_time_of_batches_with_their_own_engines():
    """Batches on Dask each have an engine of their own: the summary sums their
    usage per provider and locale, keeps every outage, and counts the MT time
    of the longest (they ran side by side)."""
    summary = RunSummary()
    summary.add(BatchResult(documents=2, usage=[usage("deepl", "en", 3, 300), usage("google", "zh_CN", 1, 10)],
                            outages={"deepl": "deepl: quota exceeded"}, mt_seconds=4.0))
    summary.add(BatchResult(documents=1, usage=[usage("deepl", "en", 2, 200)], mt_seconds=2.5,
                            outages={"google": "google: unreachable"}))
    summary.add(BatchResult(unreached=5))

    assert summary.usage == [usage("deepl", "en", 5, 500) | {"retries": 2}, usage("google", "zh_CN", 1, 10)]
    assert summary.outages == {"deepl": "deepl: quota exceeded", "google": "google: unreachable"}
    assert (summary.mt_seconds, summary.documents, summary.unreached) == (4.0, 3, 5)
    assert any(line.startswith("deepl: quota exceeded") for line in summary.problem_lines())


def test_the_run_in_process_reports_what_its_shared_engine_spent(project, standin):
    """translate_project without Prefect: every document, every locale, and
    the engine's usage counted once for the whole run, each batch through the
    executor's `translate`."""
    (project / "pyproject.toml").write_text('[tool.traduco]\nlocales = ["zh_CN", "en"]\nbatch_size = 1\n',
                                            encoding="utf-8")
    (project / "sources" / "secondo.txt").write_text("Un secondo comunicato della Regione.\n", encoding="utf-8")
    batches = []

    def translate(project, paths, memories, engine):
        batches.append([path.name for path in paths])
        return translate_batch(project, paths, memories, engine)

    summary = translate_project(load_project(project, provider="libre", provider_url=standin.url),
                                InProcess(translate=translate))

    assert batches == [["secondo.txt"], [f"{DOC}.txt"]]
    assert summary.documents == 2 and summary.written == 4 and summary.exit_code == EXIT_OK
    sent = {locale: sum(1 for r in standin.requests if r["target"] == target)
            for locale, target in (("zh_CN", "zh"), ("en", "en"))}
    assert [(u["provider"], u["locale"], u["requests"]) for u in summary.usage] == \
        [("libre", "en", sent["en"]), ("libre", "zh_CN", sent["zh_CN"])]
    assert summary.drafted == sum(u["translated"] for u in summary.usage) > 0
    assert summary.mt_seconds > 0 and summary.outages == {}


def test_what_the_cli_listens_to_ends_with_the_command(project, capsys):
    """`traduco publish` prints the flow's announcements while it runs, and stops
    listening when it ends: a later announcement reaches nobody."""
    from traduco.drafting.progress import announce

    from helpers import run_cli

    code, out, _ = run_cli(capsys, "publish", "--project", str(project))
    assert code == 0 and "Nothing to publish yet" in out

    announce("said after the command ended")
    assert "said after the command ended" not in "".join(capsys.readouterr())
