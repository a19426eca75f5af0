"""The checks report: every check finding in every catalog, for `traduco check`.

    for item in check_project(project):
        print(item["document"], item["locale"], item["where"], item["severity"], item["message"])
"""

from __future__ import annotations

from traduco import checks
from traduco.catalogs.catalog import each
from traduco.checks.judge import check_cache
from traduco.checks.notes import settle
from traduco.language.glossary import load_glossary
from traduco.project.loading import Project


def check_project(project: Project) -> list[dict]:
    """Every check finding in every catalog (human translations too); a catalog
    that cannot be read is one error naming it."""
    glossary, cache = load_glossary(project), check_cache(project)
    report = []
    for catalog in each(project):
        doc_id, locale = catalog.doc_id, catalog.locale
        if catalog.verdict:
            report.append({"document": doc_id, "locale": locale, "where": str(catalog.path),
                           "severity": checks.ERROR, "check": "catalog", "message": catalog.verdict.message})
            continue
        if not catalog.exists:
            continue
        settle(project, doc_id, locale, glossary, cache)     # the file's notes say what this found
        for entry, findings in checks.catalog_findings(catalog.entries, locale, glossary, cache):
            where = ":".join(entry.occurrences[0]) if entry.occurrences else ""
            report += [{"document": doc_id, "locale": locale, "where": where, "severity": f.severity,
                        "check": f.check, "message": f.message, "msgid": entry.msgid}
                       for f in findings]
    return report
