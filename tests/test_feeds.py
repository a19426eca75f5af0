"""Pulling from the web, against feeds and pages served from 127.0.0.1 only."""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import stat
import threading
import time
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
    """A feed; a path is on the site serving it, a link with a scheme is as written."""
    entries = "".join(f"<item><title>{title}</title><link>{'' if ':' in path else '{base}'}{path}</link>"
                      f"<pubDate>Tue, 21 May 2024 10:00:00 +0000</pubDate></item>" for title, path in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Notizie</title>{entries}</channel></rss>'


class Site:
    """A little press-office website: a feed, articles, and the ways web servers fail."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.pages: dict[str, tuple[int, str, str | bytes, dict]] = {}   # path -> (status, type, body, headers)
        self.requests: list[tuple[str, dict]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.requests.append((self.path, dict(self.headers)))
                status, kind, body, extra = site.pages.get(self.path, (404, "text/html", "<h1>Not found</h1>", {}))
                data = body if isinstance(body, bytes) else body.replace("{base}", site.url).encode("utf-8")
                etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", etag)
                for name, value in extra.items():
                    self.send_header(name, value.replace("{base}", site.url))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        if tls is not None:    # a certificate for "localhost": the name TLS verifies
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path: str, body: str | bytes, status: int = 200, kind: str = "text/html; charset=utf-8",
             headers: dict | None = None):
        self.pages[path] = (status, kind, body, headers or {})

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture
def site():
    website = Site()
    yield website
    website.server.shutdown()


def configure(project: Path, site: Site, feeds=(), pages=(), allow_hosts=("127.0.0.1",), more="",
              delay=0.5) -> None:
    """The test sites live on 127.0.0.1, which traduco refuses unless allowed."""
    feeds_toml = ", ".join(f'"{f if ":" in f else site.url + f}"' for f in feeds)
    pages_toml = ", ".join(f'"{p if ":" in p else site.url + p}"' for p in pages)
    allow_toml = ", ".join(f'"{host}"' for host in allow_hosts)
    (project / "pyproject.toml").write_text(
        f'[tool.traduco]\n[tool.traduco.web]\nfeeds = [{feeds_toml}]\npages = [{pages_toml}]\n'
        f'allow_hosts = [{allow_toml}]\ndelay_seconds = {delay}\nmax_bytes = 200000\n{more}', encoding="utf-8")


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
                    "date": "2024-05-21"}
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


def mostra(site: Site) -> None:
    site.page("/a/mostra.html", ARTICLE.format(title="Nuova mostra a Firenze", first=FIRST))


def sources(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "sources").iterdir())


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


def test_by_default_loopback_addresses_are_refused(project, site):
    site.page("/rss.xml", rss([("Nuova mostra a Firenze", "/a/mostra.html")]), kind="application/rss+xml")
    mostra(site)
    configure(project, site, feeds=["/rss.xml"], pages=["/a/mostra.html"], allow_hosts=())

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert site.requests == [] and result.written == []
    assert [p.split(" (an intranet")[0] for p in result.problems] == [
        f"{site.url}/rss.xml: refused, 127.0.0.1 is a loopback address (this machine); "
        f"traduco fetches only public addresses",
        f"{site.url}/a/mostra.html: refused, 127.0.0.1 is a loopback address (this machine); "
        f"traduco fetches only public addresses"]
    assert all("allow_hosts" in p for p in result.problems)


def test_links_and_redirects_to_internal_addresses_are_refused(project, site):
    """The feed's host is allowed by name (an intranet feed); its items still may not
    reach other internal addresses, directly or through a redirect."""
    port = site.server.server_address[1]
    allowed = f"http://localhost:{port}"
    site.page("/admin", ARTICLE.format(title="Pannello riservato", first=FIRST))
    site.page("/a/rinvio.html", "", status=302, headers={"Location": f"http://127.0.0.1:{port}/admin"})
    site.page("/a/metadati.html", "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    mostra(site)
    bad = {f"http://127.0.0.1:{port}/admin": "127.0.0.1 is a loopback address",
           f"http://[::ffff:127.0.0.1]:{port}/admin": "a loopback address (this machine), inside an IPv6 address",
           f"http://2130706433:{port}/admin": "2130706433 is 127.0.0.1, a loopback address",
           "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
           f"{allowed}/a/rinvio.html": "redirected to http://127.0.0.1:",
           f"{allowed}/a/metadati.html": "redirected to http://169.254.169.254/latest/meta-data/, refused"}
    site.page("/rss.xml", rss([(f"Voce {n}", link) for n, link in enumerate(bad)]
                              + [("Nuova mostra a Firenze", f"{allowed}/a/mostra.html")]), kind="application/rss+xml")
    configure(project, site, feeds=[f"{allowed}/rss.xml"], allow_hosts=("localhost",))

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert "/admin" not in site.paths() and result.written == ["nuova-mostra-a-firenze"]
    assert len(result.problems) == len(bad)                      # one line per refused item
    for link, why in bad.items():
        [problem] = [p for p in result.problems if p.startswith(f"{link}: ")]
        assert why in problem and "refused" in problem and "allow_hosts" in problem
    assert "Pannello" not in "".join(p.read_text(encoding="utf-8") for p in (project / "sources").iterdir())


def test_the_connection_goes_to_the_address_that_was_checked(project, site, monkeypatch):
    """DNS rebinding: a name that answers an allowed address to the check and another
    one to the connection. The name is resolved once and the checked address used."""
    real, asked = socket.getaddrinfo, []

    def rebinding(host, *args, **kwargs):
        if host == "notizie.rebind.test":
            asked.append(host)
            host = "127.0.0.1" if len(asked) == 1 else "127.0.0.2"   # nothing listens on .2
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    mostra(site)
    configure(project, site, pages=[f"http://notizie.rebind.test:{site.server.server_address[1]}/a/mostra.html"],
              allow_hosts=("127.0.0.1",))

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert result.problems == [] and result.written == ["nuova-mostra-a-firenze"] and asked == ["notizie.rebind.test"]


def test_only_http_and_https_links_are_followed(project, site):
    feed = rss([("Script", "javascript:alert(document.domain)"), ("Locale", "file:///etc/passwd"),
                ("Nuova mostra a Firenze", "/a/mostra.html")])
    site.page("/rss.xml", feed.replace("{base}/a/mostra.html", "/a/mostra.html"),   # relative: on the feed's site
              kind="application/rss+xml")
    mostra(site)
    configure(project, site, feeds=["/rss.xml"], pages=["file:///etc/hostname"])

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert result.written == ["nuova-mostra-a-firenze"]
    for link in ("javascript:alert(document.domain)", "/etc/passwd", "file:///etc/hostname"):
        [problem] = [p for p in result.problems if link in p]
        assert "only http and https addresses are fetched" in problem, problem
    assert len(result.problems) == 3
    urls = [read_document(p).source_url for p in (project / "sources").glob("*.md")]
    assert urls == [f"{site.url}/a/mostra.html"]


def test_a_feed_body_naming_a_local_file_is_not_read_as_that_file(project, site, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "feed.xml"
    elsewhere.write_text(rss([("Nuova mostra a Firenze", "/a/mostra.html")]).replace("{base}", site.url), encoding="utf-8")
    site.page("/rss.xml", str(elsewhere), kind="application/rss+xml")
    mostra(site)
    configure(project, site, feeds=["/rss.xml"])

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert result.written == [] and "/a/mostra.html" not in site.paths()
    assert any("not a valid RSS/Atom feed" in p for p in result.problems)


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
    assert slug(LONG_TITLE, "http://x/a") == "straordinariamente-internazionalizzazione"
    assert slug("A" * 300, "http://x/a") == "a" * 60
    assert len(slug("parola " * 8, "http://x/a")) <= 60


class Trickle:
    """A server that answers one byte at a time (bounded: at most `total` bytes per
    connection, three connections, then it stops by itself)."""

    def __init__(self, slow_headers: bool, interval: float = 0.3, total: int = 40, tls: ssl.SSLContext | None = None):
        self.slow_headers, self.interval, self.total, self.tls = slow_headers, interval, total, tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.url = f"{'https://localhost' if tls else 'http://127.0.0.1'}:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        with self.listener:
            for _ in range(3):
                try:
                    connection, _ = self.listener.accept()
                    if self.tls is not None:
                        connection.settimeout(30)
                        connection = self.tls.wrap_socket(connection, server_side=True)
                except OSError:
                    return
                with connection:
                    self._trickle(connection)

    def _trickle(self, connection):
        connection.recv(65536)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % self.total
        if not self.slow_headers:
            connection.sendall(head)
        for byte in (head if self.slow_headers else b"x" * self.total)[:self.total]:
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                return
            time.sleep(self.interval)


@pytest.mark.parametrize("slow_headers", [False, True], ids=["body", "headers"])
def test_a_trickling_server_is_given_up_at_the_deadline(project, site, slow_headers):
    trickle = Trickle(slow_headers)
    site.page("/rss.xml", rss([("Lenta", f"{trickle.url}/a/lenta.html"), ("Nuova mostra a Firenze", "/a/mostra.html")]),
              kind="application/rss+xml")
    mostra(site)
    configure(project, site, feeds=["/rss.xml"], more="deadline_seconds = 3\n")   # the trickle takes 12 s

    result = pull_web(load_project(project), sleep=lambda s: None)

    assert result.written == ["nuova-mostra-a-firenze"]
    [problem] = result.problems
    assert problem.startswith(f"{trickle.url}/a/lenta.html: too slow, no complete answer within the 3-second deadline")
    assert "tried again next pull" in problem
    state = json.loads((project / ".traduco" / "web-state.json").read_text(encoding="utf-8"))
    assert list(state["retry"]) == [f"{trickle.url}/a/lenta.html"]


def test_a_bad_allow_list_is_a_settings_error(capsys, project, site):
    from helpers import run_cli

    configure(project, site, feeds=["/rss.xml"], allow_hosts=("http://intranet/",))

    code, out, err = run_cli(capsys, "pull", "--project", str(project))

    assert code != 0 and site.requests == []
    assert "pyproject.toml" in err and "'http://intranet/' is neither a host name nor an IP address or network" in err


def test_a_pull_stops_starting_fetches_when_its_budget_is_spent(project, site):
    """A feed listing slow articles on many hosts: each fetch ends at its deadline, and
    after the pull's budget no new fetch starts; what is left waits for the next pull."""
    trickles = [Trickle(slow_headers=False) for _ in range(3)]
    links = [f"{t.url}/a/lenta.html" for t in trickles] + [f"{site.url}/a/mostra.html"]
    site.page("/rss.xml", rss([(f"Voce {n}", link) for n, link in enumerate(links)]), kind="application/rss+xml")
    mostra(site)
    configure(project, site, feeds=["/rss.xml"], more="deadline_seconds = 2\npull_budget_seconds = 1\n")

    result = pull_web(load_project(project), sleep=lambda s: None)

    [budget] = [p for p in result.problems if "budget" in p]
    postponed = int(budget.split()[0])
    assert postponed >= 3 and "fetched next pull" in budget        # the first slow fetch alone spends it
    assert len(result.problems) == 1 + (len(links) - postponed)     # the rest: one "too slow" line each
    state = json.loads((project / ".traduco" / "web-state.json").read_text(encoding="utf-8"))
    assert sorted(state["retry"]) == sorted(links)


def tls_context(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate for localhost, and the certificate
    (the client trusts it through REQUESTS_CA_BUNDLE, as an office trusts its own CA)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


def test_https_is_verified_for_the_name_while_connecting_to_the_checked_address(project, tmp_path_factory,
                                                                                monkeypatch):
    """TLS checks the certificate against the host name although the connection goes to the
    address that was checked; and the deadline also ends a fetch that trickles inside TLS."""
    context, cert = tls_context(tmp_path_factory.mktemp("tls"))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    secure, trickle = Site(tls=context), Trickle(slow_headers=False, tls=context)
    try:
        secure.page("/rss.xml", rss([("Lenta", f"{trickle.url}/a/lenta.html"), ("Nuova mostra a Firenze", "/a/mostra.html")]),
                    kind="application/rss+xml")
        mostra(secure)
        configure(project, secure, feeds=["/rss.xml"], allow_hosts=("localhost",), more="deadline_seconds = 3\n")

        result = pull_web(load_project(project), sleep=lambda s: None)

        assert result.written == ["nuova-mostra-a-firenze"]
        [problem] = result.problems
        assert problem.startswith(f"{trickle.url}/a/lenta.html: too slow")

        monkeypatch.delenv("REQUESTS_CA_BUNDLE")            # an unknown certificate is refused
        (project / ".traduco" / "web-state.json").unlink()
        (project / "sources" / "nuova-mostra-a-firenze.md").unlink()
        untrusted = pull_web(load_project(project), sleep=lambda s: None)
        assert untrusted.written == [] and "SSLError" in untrusted.problems[0]
    finally:
        secure.server.shutdown()
