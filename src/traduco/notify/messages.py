"""The messages people are sent: drafts waiting for reviewers, a plan waiting
for the editor, work left for the next run, a failed run. Each says what waits,
the oldest, and where to find it.

>>> said = work_waiting(["deepl: rate-limited (HTTP 429)"])
>>> said.event, said.text.split(": ", 1)[1]
('waiting', 'deepl: rate-limited (HTTP 429)')
"""

from __future__ import annotations

import json

from traduco.notify.channels import APPROVAL, DRAFTS, FAILURE, WAITING, Message, wanted
from traduco.project.loading import Project


def approval_waiting(project: Project, plan, run_id: str, link: str | None) -> list[Message]:
    """One message per locale with something to publish or withdraw."""
    from traduco.publishing.plan import PLANNED
    messages = []
    for locale in project.locales:
        docs = [r for r in plan if r.locale == locale and r.status in PLANNED]
        if docs:
            text = (f"{locale}: a publication waits for the editor's approval: {len(docs)} document(s) "
                    f"({', '.join(f'{r.status} {r.doc_id}' for r in docs[:10])}"
                    f"{', ...' if len(docs) > 10 else ''}). Decide with `traduco approve {run_id}`"
                    + (f" or in the Prefect UI: {link}" if link else "") + ".")
            messages.append(Message(APPROVAL, text, locale, link))
    return messages


def drafts_waiting(project: Project, rows, hours: float | None = None) -> list[Message]:
    """Per locale, the documents whose oldest draft has waited longer than `drafts_waiting_hours`."""
    limit = hours if hours is not None else project.notify.drafts_waiting_hours
    messages = []
    for locale in project.locales:
        late = _late(rows, locale, limit)
        if late:
            oldest = max(late, key=lambda r: r.age_hours() or 0)
            text = (f"{locale}: {len(late)} document(s) wait for review longer than {limit:g} h: "
                    f"{sum(r.drafts + r.untranslated for r in late):,} units, "
                    f"{sum(r.words_waiting for r in late):,} Italian words; the oldest, {oldest.doc_id}, "
                    f"for {oldest.age_hours():.0f} h. Open "
                    f"{project.catalog_path(oldest.doc_id, locale).relative_to(project.root)} in Poedit "
                    "(`traduco status` lists them all).")
            messages.append(Message(DRAFTS, text, locale))
    return messages


def work_waiting(problems: list[str]) -> Message:
    """A translate run that completed with units left for the next run (a provider down, a budget spent)."""
    return Message(WAITING, "Machine translation could not draft everything; the units wait for the next run "
                   "(`traduco status` lists them): " + "; ".join(problems)[:500])


def run_failed(project: Project, flow_name: str, message: str, link: str | None) -> Message:
    said = message[:500].rstrip()
    return Message(FAILURE, f"The {flow_name} run failed: {said}" + ("" if said.endswith((".", "!", "?")) else ".")
                   + (f" See {link}" if link else ""), None, link)


def _late(rows, locale: str, hours: float) -> list:
    """The queue rows of `locale` whose oldest draft has waited longer than `hours`."""
    return [r for r in rows if r.locale == locale and (r.age_hours() or 0) > hours]


def _told(project: Project) -> dict[str, list[str]]:
    """Per locale, the documents reviewers were last told are late."""
    try:
        return json.loads((project.state_dir / "notified-drafts.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _newly_late(project: Project, rows) -> tuple[dict[str, list[str]], set[str]]:
    """Per locale, the documents late now; and the locales with one that
    reviewers were not told about yet."""
    told, hours = _told(project), project.notify.drafts_waiting_hours
    late = {locale: sorted(r.doc_id for r in found) for locale in project.locales
            if (found := _late(rows, locale, hours))}
    return late, {locale for locale, docs in late.items() if set(docs) - set(told.get(locale, []))}


def late_untold(project: Project, rows) -> bool:
    """Whether a document became late since reviewers were last told: what
    `new_drafts_waiting` would say now, found without recording anything."""
    return wanted(project, DRAFTS) and bool(_newly_late(project, rows)[1])


def new_drafts_waiting(project: Project, rows) -> list[Message]:
    """`drafts_waiting`, said once per document that became late (not at every hourly run)."""
    from traduco.project.private import write_private

    if not wanted(project, DRAFTS):
        return []
    now_late, untold = _newly_late(project, rows)
    write_private(project.state_dir / "notified-drafts.json", json.dumps(now_late))
    return [message for message in drafts_waiting(project, rows) if message.locale in untold]
