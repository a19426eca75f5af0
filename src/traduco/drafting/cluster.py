"""The Dask cluster `task_runner = "dask"` runs translate batches on.

    with task_runner(project) as runner:      # prefect-dask's DaskTaskRunner, started
        runner.submit(...)

With `dask_address` it joins that scheduler (securing it is its owner's job).
Otherwise it starts a local cluster that no one else can use:

- scheduler and workers listen on 127.0.0.1 only;
- they speak TLS with a certificate made for this cluster alone (Dask's
  `Security.temporary()`): another local user who connects to their ports
  cannot run code in them, which plain Dask lets anyone do;
- Dask's dashboard (on every interface by default, without authentication,
  showing logs and call stacks) is off, and its HTTP server answers only
  /health, unless `dask_dashboard = PORT` asks for one, on 127.0.0.1 (reach it
  from elsewhere through an SSH tunnel).
"""

from __future__ import annotations

from contextlib import contextmanager

from traduco.project.loading import Project

LOOPBACK = "127.0.0.1"
HEALTH_ONLY = {"distributed.scheduler.http.routes": ["distributed.http.health"],
               "distributed.worker.http.routes": ["distributed.http.health"]}


@contextmanager
def task_runner(project: Project):
    from prefect_dask import DaskTaskRunner

    if project.dask_address:
        with DaskTaskRunner(address=project.dask_address) as runner:
            yield runner
        return
    import dask
    from distributed.security import Security

    dashboard = f"{LOOPBACK}:{project.dask_dashboard}" if project.dask_dashboard is not None else None
    runner = DaskTaskRunner(cluster_kwargs={
        "n_workers": project.dask_workers, "threads_per_worker": 1, "host": LOOPBACK, "protocol": "tls://",
        "security": Security.temporary(), "dashboard_address": dashboard, "worker_dashboard_address": None})
    with runner:
        # Dask reads its HTTP routes when the cluster starts, which is on first use of the client.
        with dask.config.set(HEALTH_ONLY if dashboard is None else {}):
            runner.client
        yield runner
