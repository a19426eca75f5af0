"""Publish: the plan of what to publish or withdraw, and what readers see.

Only fully reviewed, check-clean catalogs are published; what was judged is
what is published (`outputs`). `PublishResult` and `Status` stay importable
from here: Prefect pickled plans under `traduco.publishing` before the package
was grouped by step, and a run suspended then resumes after an upgrade. The
editor's approval gate is a suspension of the served publish run:
`traduco.serve.approval`.

- `publishing.plan`: what to publish or withdraw; `.mo` files, pages, index, feed
- `publishing.outputs`: what one catalog publishes: whether it may, its `.mo` and its page, from one reading
- `publishing.pages`: what readers see: a page per document, an index and a JSON Feed per locale
- `publishing.disclosure`: how a published translation was made (machine, memory, a person)
"""


def __getattr__(name: str):
    """The plan's classes under the package's name, loaded when asked for (see above)."""
    if name in ("PublishResult", "Status"):
        from traduco.publishing import plan
        return getattr(plan, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
