"""Publishing renders escaped, well-labelled pages from approved catalogs only."""

from __future__ import annotations

import polib

from traduco import catalogs
from traduco.config import load_project
from traduco.merging import merge
from traduco.pages import format_date, page_from_catalog, render_page
from traduco.publishing import publish


def catalog_with(entries: list[tuple[str, str, str]], **meta) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8", **meta}
    for msgid, msgstr, line in entries:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, occurrences=[("sources/x.md", line)]))
    return po


def test_page_escapes_text_and_orders_paragraphs_by_source_line():
    po = catalog_with([("b", "Second <script>alert(1)</script>", "5"), ("a", "First & best.", "2")],
                      **{"X-Source-URL": 'https://example.org/?a=1&b="2"', "X-Source-Date": "2021-05-21"})

    page = page_from_catalog("x", po)
    html = render_page(page, "en")

    assert page.paragraphs == ("First & best.", "Second <script>alert(1)</script>")
    assert page.title == "First & best."
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in html
    assert '<html lang="en">' in html and "May 21, 2021" in html


def test_dates_are_written_the_way_each_language_writes_them():
    assert format_date("2021-05", "en") == "May 2021"
    assert format_date("2021-05", "zh_CN") == "2021年5月"
    assert format_date("2021-05-21", "zh_CN") == "2021年5月21日"


def test_publish_again_without_changes_rewrites_nothing(project, tmp_path):
    proj = load_project(project)
    path = proj.catalog_path("doc", "en")
    po = catalog_with([("Ciao.", "Hello.", "1")])
    template = catalog_with([("Ciao.", "", "1")])
    catalogs.write(template, proj.template_path("doc"), date_header="POT-Creation-Date")
    catalogs.write(merge(template, po, "en"), path)

    first = {r.locale: r.status for r in publish(proj)}
    page = proj.public_dir / "en" / "doc.html"
    stamp = page.stat().st_mtime_ns
    second = {r.locale: r.status for r in publish(proj)}

    assert first == {"en": "published", "zh_CN": "waiting"}
    assert second == {"en": "unchanged", "zh_CN": "waiting"}
    assert page.stat().st_mtime_ns == stamp
