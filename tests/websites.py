"""Little websites on 127.0.0.1 for the feed tests: a press office's site, a server
that trickles, a TLS certificate. Everything listens on 127.0.0.1 and stops by itself."""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


def configure(project: Path, site: Site, feeds=(), pages=(), allow_hosts=("127.0.0.1",), more="",
              delay=0.5) -> None:
    """The test sites live on 127.0.0.1, which traduco refuses unless allowed."""
    feeds_toml = ", ".join(f'"{f if ":" in f else site.url + f}"' for f in feeds)
    pages_toml = ", ".join(f'"{p if ":" in p else site.url + p}"' for p in pages)
    allow_toml = ", ".join(f'"{host}"' for host in allow_hosts)
    (project / "pyproject.toml").write_text(
        f'[tool.traduco]\n[tool.traduco.web]\nfeeds = [{feeds_toml}]\npages = [{pages_toml}]\n'
        f'allow_hosts = [{allow_toml}]\ndelay_seconds = {delay}\nmax_bytes = 200000\n{more}', encoding="utf-8")


def mostra(site: Site) -> None:
    site.page("/a/mostra.html", ARTICLE.format(title="Nuova mostra a Firenze", first=FIRST))


def sources(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "sources").iterdir())


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
