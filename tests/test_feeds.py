"""Pulling from the web, against feeds and pages served from 127.0.0.1 only."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from traduco.config import load_project
from traduco.feeds import USER_AGENT, pull_web, slug
from traduco.sources import read_document

ARTICLE = """<html><head><title>{title} | Regione Toscana</title></head><body>
<nav>Home | Notizie | Contatti | Cerca</nav>
<article><h1>{title}</h1>
<p>{first}</p>
<p>Il presidente della Regione ha dichiarato che l'iniziativa è importante per la città e per
i visitatori che arriveranno dalla Cina e dagli Stati Uniti nei prossimi mesi.</p>
</article>
<footer>Copyright Regione Toscana - Privacy - Cookie policy - Accessibilità</footer>
</body></html>"""
FIRST = ("La Regione Toscana presenta una nuova mostra dedicata al Rinascimento, aperta fino al "
         "3 giugno 2024 nelle sale di Palazzo Strozzi a Firenze.")
ENGLISH = ("The Tuscany Region presents a new exhibition devoted to the Renaissance, open until "
           "3 June 2024 in the rooms of Palazzo Strozzi in Florence.")


def rss(items: list[tuple[str, str]]) -> str:
    entries = "".join(f"<item><title>{title}</title><link>{{base}}{path}</link>"
                      f"<pubDate>Tue, 21 May 2024 10:00:00 +0000</pubDate></item>" for title, path in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Notizie</title>{entries}</channel></rss>'


class Site:
    """A little press-office website: a feed, articles, and the ways web servers fail."""

    def __init__(self):
        self.pages: dict[str, tuple[int, str, str]] = {}   # path -> (status, content type, body)
        self.requests: list[tuple[str, dict]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.requests.append((self.path, dict(self.headers)))
                status, kind, body = site.pages.get(self.path, (404, "text/html", "<h1>Not found</h1>"))
                data = body.replace("{base}", site.url).encode("utf-8")
                etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path: str, body: str, status: int = 200, kind: str = "text/html; charset=utf-8"):
        self.pages[path] = (status, kind, body)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture
def site():
    website = Site()
    yield website
    website.server.shutdown()


def configure(project: Path, site: Site, feeds=(), pages=()) -> None:
    feeds_toml = ", ".join(f'"{site.url}{f}"' for f in feeds)
    pages_toml = ", ".join(f'"{site.url}{p}"' for p in pages)
    (project / "pyproject.toml").write_text(
        f'[tool.traduco]\n[tool.traduco.web]\nfeeds = [{feeds_toml}]\npages = [{pages_toml}]\n'
        f'delay_seconds = 0.5\nmax_bytes = 200000\n', encoding="utf-8")


def test_feed_items_become_source_documents_incrementally(project, site):
    site.page("/rss.xml", rss([("Nuova mostra a Firenze", "/a/mostra.html"),
                               ("Accordo con il Jiangsu", "/a/jiangsu.html")]), kind="application/rss+xml")
    site.page("/a/mostra.html", ARTICLE.format(title="Nuova mostra a Firenze", first=FIRST))
    site.page("/a/jiangsu.html", ARTICLE.format(title="Accordo con il Jiangsu", first=FIRST.replace("mostra", "intesa")))
    configure(project, site, feeds=["/rss.xml"])
    waits: list[float] = []

    first = pull_web(load_project(project), sleep=waits.append)

    assert first.problems == [] and sorted(first.written) == ["accordo-con-il-jiangsu", "nuova-mostra-a-firenze"]
    path = project / "sources" / "nuova-mostra-a-firenze.md"
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert meta == {"title": "Nuova mostra a Firenze", "source_url": f"{site.url}/a/mostra.html",
                    "date": "2024-05-21"}
    doc = read_document(path)
    assert doc.paragraphs[0].text == FIRST and len(doc.paragraphs) == 2
    assert "Home | Notizie" not in path.read_text(encoding="utf-8")
    assert "Cookie" not in path.read_text(encoding="utf-8")
    assert all(headers.get("User-Agent") == USER_AGENT for _, headers in site.requests)
    assert waits and all(0 < w <= 0.5 for w in waits)             # a pause between requests to the host

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
    assert slug("Firenze, città d'arte: il 21 maggio!", "http://x/a") == "firenze-citta-d-arte-il-21-maggio"
    assert slug("托斯卡纳", "http://x/notizie/2024/mostra-firenze.html") == "notizie-2024-mostra-firenze-html"


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
