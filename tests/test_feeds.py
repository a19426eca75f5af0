"""Pulling from the web, against feeds and pages served from 127.0.0.1 only: items
become sources, incrementally; failures are retried; a lost state duplicates
nothing; pages in any charset; file names of a sane length."""

from __future__ import annotations

import json
import stat

import pytest
import yaml
from websites import ARTICLE, ENGLISH, FIRST, Site, configure, mostra, rss, sources

from traduco.project.loading import load_project
from traduco.sources.documents import SourceError, read_document
from traduco.sources.feeds import USER_AGENT, id_from_title, pull_web


@pytest.fixture
def site():
    website = Site()
    yield website
    website.server.shutdown()


def test_feed_items_become_source_documents_incrementally(project, site):
    site.page("/rss.xml", rss([("Nuova mostra a Firenze", "/a/mostra.html"),
                               ("Accordo con il Jiangsu", "/a/jiangsu.html")]), kind="application/rss+xml")
    site.page("/a/mostra.html", ARTICLE.format(title="Nuova mostra a Firenze", first=FIRST))
    site.page("/a/jiangsu.html", ARTICLE.format(title="Accordo con il Jiangsu", first=FIRST.replace("mostra", "intesa")))
    configure(project, site, feeds=["/rss.xml"], delay=30)   # the sleep is recorded, not slept: never slower
    waits: list[float] = []

    first = pull_web(load_project(project), sleep=waits.append)

    assert first.problems == [] and sorted(first.written) == ["accordo-con-il-jiangsu", "nuova-mostra-a-firenze"]
    path = project / "sources" / "nuova-mostra-a-firenze.md"
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert meta == {"title": "Nuova mostra a Firenze", "source_url": f"{site.url}/a/mostra.html",
                    "format": "text", "date": "2024-05-21"}
    doc = read_document(path)
    assert doc.paragraphs[0].text == FIRST and len(doc.paragraphs) == 2
    assert "Home | Notizie" not in path.read_text(encoding="utf-8")
    assert "Cookie" not in path.read_text(encoding="utf-8")
    assert all(headers.get("User-Agent") == USER_AGENT for _, headers in site.requests)
    assert waits and all(0 < w <= 30 for w in waits)             # a pause between requests to the host

    before = path.stat().st_mtime_ns
    site.requests.clear()
    again = pull_web(load_project(project), sleep=waits.append)
    assert (again.written, again.not_modified) == ([], 1)
    assert site.paths() == ["/rss.xml"] and "If-None-Match" in site.requests[0][1]
    assert path.stat().st_mtime_ns == before

    site.page("/a/mostra.html", ARTICLE.format(title="Nuova mostra a Firenze", first=FIRST.replace("3 giugno", "10 giugno")))
    site.page("/rss.xml", rss([("Nuova mostra a Firenze", "/a/mostra.html"),
                               ("Accordo con il Jiangsu", "/a/jiangsu.html")]) + " ", kind="application/rss+xml")
    site.requests.clear()
    changed = pull_web(load_project(project), sleep=waits.append)
    assert changed.written == ["nuova-mostra-a-firenze"] and changed.unchanged == 1
    assert "10 giugno" in path.read_text(encoding="utf-8")
    unchanged_article = next(h for p, h in site.requests if p == "/a/jiangsu.html")
    assert "If-None-Match" in unchanged_article          # pulled before: asked only if it changed


@pytest.mark.parametrize("setup, expected", [
    (lambda s: s.page("/rss.xml", "<rss><channel><item><title>Rotto", kind="application/rss+xml"),
     "not a valid RSS/Atom feed"),
    (lambda s: s.page("/rss.xml", "<html><body><h1>Errore interno</h1></body></html>", status=500),
     "the server answered HTTP 500"),
    (lambda s: None, "the server answered HTTP 404"),
    (lambda s: s.page("/rss.xml", "x" * 300_000, kind="application/rss+xml"), "over the 200,000-byte limit"),
])
def test_bad_feeds_give_a_clear_message_and_no_file(project, site, setup, expected):
    setup(site)
    configure(project, site, feeds=["/rss.xml"])
    before = sorted(p.name for p in (project / "sources").iterdir())

    result = pull_web(load_project(project), sleep=lambda s: None)

    [problem] = [p for p in result.problems if expected in p]
    assert problem.startswith(f"{site.url}/rss.xml: ")
    assert sorted(p.name for p in (project / "sources").iterdir()) == before


def test_error_pages_and_foreign_articles_are_skipped_with_a_reason(project, site):
    site.page("/a/inglese.html", ARTICLE.format(title="New exhibition", first=ENGLISH)
              .replace("Il presidente della Regione ha dichiarato che l'iniziativa è importante per la città e per\n"
                       "i visitatori che arriveranno dalla Cina e dagli Stati Uniti nei prossimi mesi.",
                       "The president said the initiative matters to the city and to visitors from China."))
    site.page("/a/vuota.html", "<html><body><p>Pagina non disponibile</p></body></html>")
    configure(project, site, pages=["/a/inglese.html", "/a/vuota.html"])

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert result.written == []
    assert any("/a/inglese.html: the text is not Italian (looks en)" in p for p in result.problems)
    assert any("/a/vuota.html: no article text found" in p for p in result.problems)
    assert sorted(p.name for p in (project / "sources").iterdir()) == ["toscana-smart-china.txt"]


def test_slugs_are_safe_document_ids():
    assert id_from_title("Firenze, città d'arte: il 21 maggio!", "http://x/a") == "firenze-citta-d-arte-il-21-maggio"
    assert id_from_title("托斯卡纳", "http://x/notizie/2024/mostra-firenze.html") == "notizie-2024-mostra-firenze-html"


def test_the_translate_run_pulls_feeds_first(capsys, project, site, standin):
    from helpers import run_cli

    site.page("/rss.xml", rss([("Nuova mostra a Firenze", "/a/mostra.html")]), kind="application/rss+xml")
    site.page("/a/mostra.html", ARTICLE.format(title="Nuova mostra a Firenze", first=FIRST))
    configure(project, site, feeds=["/rss.xml"])

    code, out, err = run_cli(capsys, "pull", "--project", str(project))
    assert code == 0 and "sources/nuova-mostra-a-firenze.md" in out
    (project / "sources" / "nuova-mostra-a-firenze.md").unlink()
    (project / ".traduco" / "web-state.json").unlink()

    code, out, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                             "--provider-url", standin.url)

    assert code == 0, err
    catalog = project / "locales" / "zh_CN" / "LC_MESSAGES" / "nuova-mostra-a-firenze.po"
    assert catalog.is_file() and "Nuova mostra a Firenze" in catalog.read_text(encoding="utf-8")


def test_an_item_that_failed_is_fetched_again_while_the_feed_is_unchanged(project, site):
    site.page("/rss.xml", rss([("Nuova mostra a Firenze", "/a/mostra.html")]), kind="application/rss+xml")
    site.page("/a/mostra.html", "<h1>Service Unavailable</h1>", status=503)
    configure(project, site, feeds=["/rss.xml"])

    first = pull_web(load_project(project), sleep=lambda s: None)
    [problem] = first.problems
    assert problem.startswith(f"{site.url}/a/mostra.html: the server answered HTTP 503")
    assert "tried again next pull" in problem and first.written == []

    mostra(site)
    site.requests.clear()
    second = pull_web(load_project(project), sleep=lambda s: None)
    assert second.not_modified == 1                        # the feed did not list it again...
    assert second.written == ["nuova-mostra-a-firenze"] and second.problems == []   # ...it was retried

    site.requests.clear()
    third = pull_web(load_project(project), sleep=lambda s: None)
    assert site.paths() == ["/rss.xml"] and third.written == []   # succeeded: no longer retried


@pytest.mark.parametrize("damage", ["{ not json", "[]", '{"items": {"URL": {"doc_id": "../../fuori", "sha256": "0"}}}'])
def test_a_damaged_state_is_rebuilt_from_the_sources_and_nothing_is_written_twice(project, site, damage):
    site.page("/rss.xml", rss([("Nuova mostra a Firenze", "/a/mostra.html")]), kind="application/rss+xml")
    mostra(site)
    configure(project, site, feeds=["/rss.xml"])
    state = project / ".traduco" / "web-state.json"
    assert pull_web(load_project(project), sleep=lambda s: None).written == ["nuova-mostra-a-firenze"]
    assert stat.S_IMODE(state.stat().st_mode) == 0o600                  # private: it lists what the office follows
    listing = sources(project)

    state.write_text(damage.replace("URL", f"{site.url}/a/mostra.html"), encoding="utf-8")
    same = pull_web(load_project(project), sleep=lambda s: None)
    assert (same.written, same.unchanged, same.problems) == ([], 1, [])
    assert [note for note in same.notes if "damaged" in note and "rebuilt" in note]
    assert sources(project) == listing

    state.write_text(damage.replace("URL", f"{site.url}/a/mostra.html"), encoding="utf-8")
    site.page("/a/mostra.html", ARTICLE.format(title="Nuova mostra a Firenze", first=FIRST.replace("3 giugno", "10 giugno")))
    changed = pull_web(load_project(project), sleep=lambda s: None)
    assert changed.written == ["nuova-mostra-a-firenze"] and sources(project) == listing
    assert "10 giugno" in (project / "sources" / "nuova-mostra-a-firenze.md").read_text(encoding="utf-8")
    assert not (project.parent / "fuori.md").exists()
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert json.loads(state.read_text(encoding="utf-8"))["items"][f"{site.url}/a/mostra.html"]["doc_id"] \
        == "nuova-mostra-a-firenze"


ACCENTED_TITLE = "Più turisti a Firenze: è record"


ACCENTED = ("L’affluenza è cresciuta del dodici per cento rispetto all’anno scorso: più visitatori, più "
            "attività per la città e perché no, più lavoro per l’intera regione e per i suoi musei.")


@pytest.mark.parametrize("kind, meta, text", [
    ("text/html; charset=ISO-8859-1", "", ACCENTED),          # read as windows-1252, as browsers do
    ("text/html", '<meta charset="windows-1252">', ACCENTED),  # declared only in the page
    ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">', ACCENTED.replace("’", "'")),
    ("text/html", "", ACCENTED.replace("’", "'")),              # declared nowhere: detected
])
def test_pages_in_other_charsets_are_decoded_by_their_declaration(project, site, kind, meta, text):
    page = ARTICLE.format(title=ACCENTED_TITLE, first=text).replace("<head>", f"<head>{meta}")
    codec = "iso-8859-15" if "8859-15" in meta else "windows-1252"
    site.page("/a/turisti.html", page.encode(codec), kind=kind)
    configure(project, site, pages=["/a/turisti.html"])

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert result.problems == [] and result.written == ["piu-turisti-a-firenze-e-record"]
    doc = read_document(project / "sources" / "piu-turisti-a-firenze-e-record.md")
    assert doc.title == ACCENTED_TITLE and doc.paragraphs[0].text == text


LONG_TITLE = " ".join(["Straordinariamente", "Internazionalizzazione", "Precipitevolissimevolmente",
                       "Sovrintendenzaarcheologicabelleartipaesaggio", "Controrivoluzionariamente",
                       "Elettroencefalografistadellaregionetoscana", "Interdisciplinarmenteinnovativo",
                       "Comunicatostampaufficialedellapresidenza"])


def test_a_very_long_title_gives_a_short_file_name(capsys, project, site):
    from helpers import run_cli

    site.page("/rss.xml", rss([(LONG_TITLE, "/a/lungo.html")]), kind="application/rss+xml")
    site.page("/a/lungo.html", ARTICLE.format(title=LONG_TITLE, first=FIRST))
    configure(project, site, feeds=["/rss.xml"])

    code, out, err = run_cli(capsys, "pull", "--project", str(project))

    assert code == 0, err
    [made] = [p for p in (project / "sources").glob("*.md")]
    assert len(made.name.encode("utf-8")) <= 64 and made.stem == "straordinariamente-internazionalizzazione"
    assert read_document(made).title == LONG_TITLE


def test_slugs_are_cut_at_a_word_boundary():
    assert id_from_title(LONG_TITLE, "http://x/a") == "straordinariamente-internazionalizzazione"
    assert id_from_title("A" * 300, "http://x/a") == "a" * 60
    assert len(id_from_title("parola " * 8, "http://x/a")) <= 60


def test_an_articles_prose_is_not_read_as_markdown(project, site):
    """Article text is plain prose: paragraphs that open like a Markdown list or
    heading stay whole paragraphs, their first characters included."""
    prose = ["2024. Un anno record per il turismo in Toscana, con presenze in crescita del 12%.",
             "- 30% di emissioni nei trasporti pubblici entro il 2030, secondo il piano regionale.",
             "# 1 in Italia per le città d'arte: Firenze resta la meta più cercata dai visitatori cinesi."]
    body = "".join(f"<p>{text}</p>" for text in prose)
    site.page("/rss.xml", rss([("Un anno record", "/a/record.html")]), kind="application/rss+xml")
    site.page("/a/record.html", ARTICLE.format(title="Un anno record", first=FIRST).replace(
        "</article>", body + "</article>"))
    configure(project, site, feeds=["/rss.xml"])

    assert pull_web(load_project(project), sleep=lambda s: None).written == ["un-anno-record"]

    doc = read_document(project / "sources" / "un-anno-record.md")
    texts = [paragraph.text for paragraph in doc.paragraphs]
    assert not doc.markdown and all(text in texts for text in prose)


def test_a_markdown_source_may_say_its_body_is_plain_text(project):
    path = project / "sources" / "nota.md"
    path.write_text("---\ntitle: Nota\nformat: text\n---\n\n- 30% di emissioni entro il 2030.\n", encoding="utf-8")
    assert [p.text for p in read_document(path).paragraphs] == ["- 30% di emissioni entro il 2030."]
    path.write_text("---\ntitle: Nota\nformat: html\n---\n\nTesto.\n", encoding="utf-8")
    with pytest.raises(SourceError, match="format: html"):
        read_document(path)
