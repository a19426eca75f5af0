"""Publishing renders escaped, well-labelled pages from approved catalogs only: exactly the
bytes it checked, every unit of the template, and nothing written that would not change."""

from __future__ import annotations

import gettext
import hashlib
import json
import shutil
import subprocess
import threading
from pathlib import Path

import polib
import pytest

from traduco.catalogs import pofile
from traduco.catalogs.extraction import write_template
from traduco.catalogs.update import merge
from traduco.project import files
from traduco.project.loading import load_project
from traduco.publishing.pages import format_date, page_from_catalog, render_page, web_link
from traduco.publishing.plan import publish
from traduco.review.queue import queue_row
from traduco.sources.documents import read_document

from conftest import DOC
from helpers import approve_all, parse_html, run_once


def catalog_with(entries: list[tuple[str, str, str]], **meta) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8", **meta}
    for msgid, msgstr, line in entries:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, occurrences=[("sources/x.md", line)]))
    return po


def test_page_escapes_text_and_orders_paragraphs_by_source_line():
    po = catalog_with([("Secondo <script>alert(1)</script>.", "Second <script>alert(1)</script>", "5"),
                       ("Primo e migliore.", "First & best.", "2")],     # prose: no title line
                      **{"X-Source-URL": 'https://example.org/?a=1&b="2"', "X-Source-Date": "2021-05-21"})

    page = page_from_catalog("x", po)
    html = render_page(page, "en")

    assert page.paragraphs == ("First & best.", "Second <script>alert(1)</script>")
    assert page.title == "First & best."
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://example.org/?a=1&amp;b=&#34;2&#34;"' in html
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
    pofile.write(template, proj.template_path("doc"), date_header="POT-Creation-Date")
    pofile.write(merge(template, po, "en"), path)

    first = {r.locale: r.status for r in publish(proj)}
    page = proj.public_dir / "en" / "doc.html"
    stamp = page.stat().st_mtime_ns
    second = {r.locale: r.status for r in publish(proj)}

    assert first == {"en": "published", "zh_CN": "waiting"}
    assert second == {"en": "unchanged", "zh_CN": "waiting"}
    assert page.stat().st_mtime_ns == stamp


# -- publishing exactly what was checked, and only what changed (issues 12 and 13) --



def po(project: Path, locale: str, doc: str = DOC) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{doc}.po"


def approved_project(project: Path, url: str) -> Path:
    run_once(project, url)
    for locale in ("zh_CN", "en"):
        approve_all(po(project, locale))
    return project


def statuses(results) -> dict[tuple[str, str], str]:
    return {(r.doc_id, r.locale): r.status for r in results}


def public_files(project: Path) -> dict[str, tuple[int, int]]:
    """Every file publishing writes, with what shows a rewrite (a new inode, a new time)."""
    files = [*(project / "public").rglob("*"), *(project / "locales").rglob("*.mo")]
    return {str(f): (f.stat().st_ino, f.stat().st_mtime_ns) for f in files if f.is_file()}


def test_publish_compiles_and_renders_the_bytes_it_checked(project, standin, monkeypatch):
    """A catalog turned fuzzy while publish works (a run, a translator) never gets its draft online."""
    approved_project(project, standin.url)
    target = po(project, "en")
    approved_bytes = target.read_bytes()
    original = polib.pofile
    flipped = []

    def pofile_then_unapprove(pofile, **kwargs):
        parsed = original(pofile, **kwargs)
        if not flipped and pofile in (str(target), approved_bytes.decode("utf-8")):
            flipped.append(True)
            draft = original(str(target), wrapwidth=0)
            for entry in draft:
                entry.msgstr, entry.flags = f"DRAFT {entry.msgstr}", ["fuzzy"]
            draft.save()
        return parsed
    monkeypatch.setattr(polib, "pofile", pofile_then_unapprove)

    results = statuses(publish(load_project(project)))

    assert flipped and results[(DOC, "en")] == "published"
    page = (project / "public" / "en" / f"{DOC}.html").read_text(encoding="utf-8")
    assert "DRAFT" not in page
    manifest = json.loads((project / "public" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["en"][DOC]["catalog_sha256"] == hashlib.sha256(approved_bytes).hexdigest()
    assert all("DRAFT" not in e.msgstr for e in polib.mofile(str(target.with_suffix(".mo"))))
    monkeypatch.undo()
    assert statuses(publish(load_project(project)))[(DOC, "en")] == "waiting"   # the drafts wait
    assert "DRAFT" not in (project / "public" / "en" / f"{DOC}.html").read_text(encoding="utf-8")


def test_a_catalog_missing_a_unit_of_its_template_is_not_complete(project, standin):
    approved_project(project, standin.url)
    deleted = polib.pofile(str(po(project, "en")), wrapwidth=0)
    deleted.remove(deleted[3])                              # a translator deleted an entry
    deleted.save()
    proj = load_project(project)
    first = {(r.doc_id, r.locale): r for r in publish(proj)}

    assert first[(DOC, "en")].status == "waiting" and "1 unit of the template missing" in first[(DOC, "en")].reason
    assert not (project / "public" / "en" / f"{DOC}.html").exists()
    assert first[(DOC, "zh_CN")].status == "published"

    source = project / "sources" / f"{DOC}.txt"             # a new paragraph, extracted, then the run was killed
    source.write_text(source.read_text(encoding="utf-8") + "\nUn paragrafo aggiunto dopo.\n", encoding="utf-8")
    write_template(proj, read_document(source))
    page = project / "public" / "zh_CN" / f"{DOC}.html"
    online = page.read_bytes()
    second = {(r.doc_id, r.locale): r for r in publish(proj)}

    assert second[(DOC, "zh_CN")].status == "waiting" and "missing" in second[(DOC, "zh_CN")].reason
    assert page.read_bytes() == online                      # the approved version stays online
    # The review queue agrees: the unit the catalog lacks waits, the catalog is not complete.
    row = queue_row(proj, DOC, "zh_CN")
    assert (row.units, row.approved, row.untranslated, row.complete) == (row.approved + 1, row.approved, 1, False)
    assert row.words_waiting >= len("Un paragrafo aggiunto dopo.".split())


def test_the_feed_keeps_the_published_text_after_the_catalog_changes(project, standin):
    approved_project(project, standin.url)
    proj = load_project(project)
    publish(proj)
    feed_path = project / "public" / "en" / "feed.json"
    [published] = json.loads(feed_path.read_text(encoding="utf-8"))["items"]
    assert published["content_text"]

    unapproved = polib.pofile(str(po(project, "en")), wrapwidth=0)
    unapproved[2].flags.append("fuzzy")                    # a reviewer reopens one entry
    unapproved.save()
    results = statuses(publish(proj))

    [item] = json.loads(feed_path.read_text(encoding="utf-8"))["items"]
    assert results[(DOC, "en")] == "waiting"
    assert item["content_text"] == published["content_text"]


def test_mo_files_carry_the_catalogs_own_header_and_its_approved_entries(project, standin):
    approved_project(project, standin.url)
    publish(load_project(project))
    catalog = polib.pofile(str(po(project, "en")), wrapwidth=0)
    mo_path = po(project, "en").with_suffix(".mo")

    compiled = polib.mofile(str(mo_path))
    assert compiled.metadata["Project-Id-Version"] == catalog.metadata["Project-Id-Version"]
    assert compiled.metadata["PO-Revision-Date"] == catalog.metadata["PO-Revision-Date"]
    assert "PROJECT VERSION" not in mo_path.read_bytes().decode("utf-8", "replace")
    assert "FULL NAME" not in mo_path.read_bytes().decode("utf-8", "replace")
    with mo_path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    assert all(translations.gettext(e.msgid) == e.msgstr for e in catalog if not e.obsolete)
    if shutil.which("msgfmt"):      # GNU gettext compiles the same catalog to the same translations
        reference = mo_path.with_name("reference.mo")
        subprocess.run(["msgfmt", "-c", "-o", str(reference), str(po(project, "en"))], check=True)
        ours, theirs = polib.mofile(str(mo_path)), polib.mofile(str(reference))
        assert ours.metadata == theirs.metadata
        assert {(e.msgctxt, e.msgid): e.msgstr for e in ours} == {(e.msgctxt, e.msgid): e.msgstr for e in theirs}
        decoded = subprocess.run(["msgunfmt", str(mo_path)], capture_output=True, text=True, check=True).stdout
        assert catalog[0].msgstr[:20] in decoded


def refresh_check_notes(path: Path) -> None:
    """What a run does when only its own check notes change: new `#.` lines and a new revision date."""
    catalog = polib.pofile(str(path), wrapwidth=0)
    catalog[1].comment = "check warning [length]: a refreshed note"
    catalog.metadata["PO-Revision-Date"] = "2031-01-01 00:00+0000"
    catalog.save()


def test_an_unchanged_publication_writes_nothing(project, standin):
    approved_project(project, standin.url)
    proj = load_project(project)
    publish(proj)
    before = public_files(project)
    mo_bytes = po(project, "en").with_suffix(".mo").read_bytes()

    again = publish(proj)
    assert set(statuses(again).values()) == {"unchanged"}
    assert public_files(project) == before

    refresh_check_notes(po(project, "en"))
    after_notes = publish(proj)

    assert statuses(after_notes)[(DOC, "en")] == "unchanged"
    assert all(r.reason != "updated translation" for r in after_notes)
    assert public_files(project) == before
    assert po(project, "en").with_suffix(".mo").read_bytes() == mo_bytes


def test_two_publishes_at_once_both_reach_the_manifest(project, standin, monkeypatch):
    """Each publish reads the manifest, writes its pages, writes the manifest: without the project
    lock the second overwrites the first's entries. Both are held at their first page until the
    other arrives (or 5 s pass, when the lock keeps the other out)."""
    approved_project(project, standin.url)
    barrier = threading.Barrier(2, timeout=5)
    original = files.atomic_write_bytes
    waited = set()

    def write_after_the_other_arrives(path, data, *args, **kwargs):
        if Path(path).suffix == ".html" and threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return original(path, data, *args, **kwargs)
    monkeypatch.setattr(files, "atomic_write_bytes", write_after_the_other_arrives)
    threads = [threading.Thread(target=publish, args=(load_project(project, locales=[locale]),))
               for locale in ("en", "zh_CN")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    manifest = json.loads((project / "public" / "manifest.json").read_text(encoding="utf-8"))
    assert DOC in manifest.get("en", {}) and DOC in manifest.get("zh_CN", {})


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", " JavaScript:alert(1)",
                                 "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 "//evil.example/x", "/sources/a.md", "https://"])
def test_only_web_addresses_become_links(url):
    assert web_link(url) is None


def test_web_addresses_stay_links():
    assert web_link("https://www.regione.toscana.it/-/x?a=1&b=2") == "https://www.regione.toscana.it/-/x?a=1&b=2"
    assert web_link("HTTP://example.org/") == "HTTP://example.org/"


def test_a_javascript_source_url_is_never_published_as_a_link(project, standin):
    (project / "sources" / "evento.md").write_text(
        '---\ntitle: Evento\ndate: 2024-03-01\nsource_url: "javascript:alert(document.domain)"\n---\n\n'
        "Ingresso libero per tutti.\n", encoding="utf-8")
    approved_project(project, standin.url)
    evento = polib.pofile(str(po(project, "en", "evento")), wrapwidth=0)
    for entry in evento:                                             # the reviewer's translation
        entry.msgstr, entry.flags = ("Event" if entry.msgctxt else "Free entry for everyone."), []
    evento.save()
    edited = polib.pofile(str(po(project, "en")), wrapwidth=0)       # an attacker edits the catalog header
    edited.metadata["X-Source-URL"] = "javascript:alert(document.domain)"
    edited.save()

    results = statuses(publish(load_project(project)))

    assert results[("evento", "en")] == results[(DOC, "en")] == "published"
    for doc in ("evento", DOC):
        page = (project / "public" / "en" / f"{doc}.html").read_text(encoding="utf-8")
        assert "javascript:" not in page.lower()
        assert "Italian original" not in page                       # no link, and no internal path instead
        assert "sources/" not in page
        parse_html(page)


def test_without_a_source_url_there_is_no_link_to_an_internal_path(project, standin):
    approved_project(project, standin.url)
    publish(load_project(project))

    page = (project / "public" / "zh_CN" / f"{DOC}.html").read_text(encoding="utf-8")

    assert f"sources/{DOC}.txt" not in page and "<code>" not in page
    assert "译自意大利语" in page
