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


def listening_addresses() -> list[str]:
    """host:port of every socket this process and its children listen on (TCP, v4 and v6)."""
    import psutil

    me = psutil.Process()
    found = []
    for process in [me, *me.children(recursive=True)]:
        try:
            connections = process.net_connections(kind="inet")
        except psutil.NoSuchProcess:
            continue
        found += [f"{c.laddr.ip}:{c.laddr.port}" for c in connections if c.status == psutil.CONN_LISTEN]
    return found


def test_a_local_dask_cluster_listens_on_loopback_only_and_has_no_dashboard(project):
    import ipaddress

    from traduco.drafting.cluster import task_runner
    from traduco.project.loading import load_project

    (project / "pyproject.toml").write_text('[tool.traduco]\ntask_runner = "dask"\ndask_workers = 1\n',
                                           encoding="utf-8")
    with task_runner(load_project(project)) as runner:
        info = runner.client.scheduler_info()
        addresses = listening_addresses()
        pages = {address: _page(address, "/info/main/workers.html") for address in addresses}
        health = [_page(address, "/health") for address in addresses]
        stranger = _connect_without_credentials(info["address"].replace("tls://", "tcp://"))
        assert runner.client.submit(sum, [40, 2]).result() == 42        # the cluster's own client works

    assert info["workers"] and addresses                          # the cluster was up: it did listen
    exposed = [a for a in addresses if not ipaddress.ip_address(a.rsplit(":", 1)[0]).is_loopback]
    assert exposed == []
    assert 200 in health and 200 not in pages.values(), pages     # /health only: no logs, no call stacks
    assert stranger is not None                                   # another local user cannot run code in it


def _page(address: str, path: str):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:     # a TLS port, which does not speak plain HTTP
        return type(error).__name__


def _connect_without_credentials(address: str):
    """What a stranger's Dask client gets from the scheduler: None if it may submit work."""
    from distributed import Client
    try:
        client = Client(address, timeout=10)
    except Exception as refused:      # Dask raises OSError, TimeoutError or TypeError depending on where it fails
        return refused
    client.close()
    return None


def test_a_dask_dashboard_asked_for_listens_on_loopback(project):
    import socket

    from traduco.drafting.cluster import task_runner
    from traduco.project.loading import load_project

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    (project / "pyproject.toml").write_text(
        f'[tool.traduco]\ntask_runner = "dask"\ndask_workers = 1\ndask_dashboard = {port}\n', encoding="utf-8")
    with task_runner(load_project(project)) as runner:
        services = runner.client.scheduler_info().get("services", {})
        addresses = listening_addresses()

    assert services.get("dashboard") == port
    assert f"127.0.0.1:{port}" in addresses and f"0.0.0.0:{port}" not in addresses
