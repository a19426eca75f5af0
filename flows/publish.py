"""The publish flow: compile and render every fully reviewed document × locale."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_table_artifact

from traduco.config import load_project
from traduco.publishing import PublishResult, publish as publish_project


@flow(name="publish")
def publish(project_dir: str = ".", locales: list[str] | None = None) -> list[PublishResult]:
    project = load_project(project_dir, locales=locales)
    results = publish_project(project)
    create_table_artifact(key="publish", table=[vars(r) for r in results],
                          description="What was published, and what waits and why")
    return results
