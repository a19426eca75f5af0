"""Published pages and feed items say how their translation was made (EU AI Act art. 50(4)),
as text in their language and as metadata, and what they say matches the catalog's provenance."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import polib

from traduco.project import files
from traduco.project.loading import load_project
from traduco.publishing.pages import format_date
from traduco.publishing.plan import publish

from conftest import DOC
from helpers import approve_all, parse_html, run_once

TODAY = files.now().date().isoformat()
REVIEWER = "Li Wei <li@example.org>"


def po(project: Path, locale: str, doc: str = DOC) -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{doc}.po"


def reviewed(path: Path, translations: dict[str, str] | None = None) -> None:
    """A reviewer approves in Poedit, which records them as Last-Translator."""
    approve_all(path)
    catalog = polib.pofile(str(path), wrapwidth=0)
    catalog.metadata["Last-Translator"] = REVIEWER
    for entry in catalog:
        entry.msgstr = (translations or {}).get(entry.msgid, entry.msgstr)
        if entry.msgstr and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()


def said(project: Path, locale: str, doc: str) -> tuple[str, dict, dict, dict]:
    """The page's statement, its JSON-LD, its traduco <meta>s, and the feed item's extension."""
    page = (project / "public" / locale / f"{doc}.html").read_text(encoding="utf-8")
    parse_html(page)
    statement = re.search(r'<p class="provenance">(.*?)</p>', page, re.S).group(1)
    json_ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    meta = dict(re.findall(r'<meta name="traduco:([\w-]+)" content="([^"]*)">', page))
    feed = json.loads((project / "public" / locale / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["id"] == f"{locale}/{doc}")
    statement = re.sub(r"<[^>]+>", "", statement)
    assert item["content_text"].endswith("\n\n" + statement)     # syndicated text says it too
    return statement, json_ld, meta, item["_traduco"]


def test_a_machine_drafted_page_names_the_provider_the_reviewer_and_the_day_of_approval(project, standin):
    run_once(project, standin.url)
    for locale in ("zh_CN", "en"):
        reviewed(po(project, locale))

    publish(load_project(project))

    text, json_ld, meta, extension = said(project, "en", DOC)
    assert text == ("Translated from Italian: drafted by machine translation (LibreTranslate) and reviewed by "
                    f"Li Wei, approved for publication on {format_date(TODAY, 'en')}.")
    assert extension == {"kind": "machine", "providers": ["libre"], "reviewer": "Li Wei", "approved_on": TODAY,
                         "source_language": "it", "source_url": None, "statement": text}
    assert meta["kind"] == "machine" and meta["providers"] == "libre" and meta["statement"] == text
    assert json_ld["translator"] == {"@type": "Person", "name": "Li Wei"} and json_ld["creditText"] == text
    assert json_ld["inLanguage"] == "en" and json_ld["translationOfWork"]["inLanguage"] == "it"
    zh_text = said(project, "zh_CN", DOC)[0]
    assert zh_text == (f"本文译自意大利语，由机器翻译（LibreTranslate）生成初稿，经Li Wei人工审校，"
                       f"于{format_date(TODAY, 'zh_CN')}核准发布。")
    assert "li@example.org" not in (project / "public" / "en" / f"{DOC}.html").read_text(encoding="utf-8")


def test_pages_from_memory_or_by_a_person_say_so_and_the_original_is_linked(project, standin):
    run_once(project, standin.url)
    reviewed(po(project, "en"))
    paragraph = next(e.msgid for e in polib.pofile(str(po(project, "en"))) if not e.msgctxt)
    (project / "sources" / "rimborsi.md").write_text(
        f"---\nsource_url: https://www.regione.toscana.it/rimborsi\n---\n\n{paragraph}\n", encoding="utf-8")
    with socket.socket() as sock:                     # then MT is down: the next release is a person's work
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    run_once(project, standin.url)
    (project / "sources" / "nota.txt").write_text("Nota per la stampa.\n", encoding="utf-8")
    run_once(project, down)
    assert not polib.pofile(str(po(project, "en", "nota")))[0].msgstr          # no draft: nobody drafted it
    reviewed(po(project, "en", "rimborsi"))
    reviewed(po(project, "en", "nota"), {"Nota per la stampa.": "A note for the press."})

    publish(load_project(project))

    memory, _, _, extension = said(project, "en", "rimborsi")
    assert memory == ("Translated from the Italian original: it reuses translations reviewed and approved for "
                      "earlier releases (their first drafts may have been machine translations), reviewed by "
                      f"Li Wei, approved for publication on {format_date(TODAY, 'en')}.")
    assert extension["kind"] == "memory" and extension["source_url"] == "https://www.regione.toscana.it/rimborsi"
    page = (project / "public" / "en" / "rimborsi.html").read_text(encoding="utf-8")
    assert '<a href="https://www.regione.toscana.it/rimborsi" rel="external">the Italian original</a>' in page
    human, json_ld, _, extension = said(project, "en", "nota")
    assert human == ("Translated from Italian by Li Wei, without machine translation, approved for publication "
                     f"on {format_date(TODAY, 'en')}.")
    assert extension["kind"] == "human" and extension["providers"] == [] and "url" not in json_ld["translationOfWork"]
