"""How long `traduco pull` is held by a hostile feed whose articles trickle.

Serves, on 127.0.0.1, a feed listing `--items` articles on a server that sends
one byte every `--interval` seconds (bounded: `--bytes` bytes per connection)
and one ordinary article, then runs pull_web with `deadline_seconds` and
prints the wall time, what was written and the problems.

    python bench/feeds_slow_server.py [--items 5] [--interval 1] [--bytes 600] [--deadline 5]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from traduco.project.loading import load_project
from traduco.sources.feeds import pull_web

ARTICLE = ("<html><head><title>Nuova mostra a Firenze</title></head><body><article><h1>Nuova mostra a Firenze</h1>"
           "<p>La Regione Toscana presenta una nuova mostra dedicata al Rinascimento, aperta fino al 3 giugno "
           "2024 nelle sale di Palazzo Strozzi a Firenze.</p><p>Il presidente della Regione ha dichiarato che "
           "l'iniziativa è importante per la città e per i visitatori.</p></article></body></html>")


def trickle_server(interval: float, total: int, stop: threading.Event) -> str:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(1)

    def answer(connection):
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % total)
            for _ in range(total):
                if stop.is_set():
                    return
                try:
                    connection.sendall(b"x")
                except OSError:
                    return
                time.sleep(interval)

    def serve():
        with listener:
            while not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except OSError:
                    continue
                threading.Thread(target=answer, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


def site(pages: dict[str, str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = pages.get(self.path, ARTICLE).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml" if self.path == "/rss.xml" else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--bytes", type=int, default=600)
    parser.add_argument("--deadline", type=float, default=5.0)
    args = parser.parse_args()
    stop = threading.Event()
    slow = trickle_server(args.interval, args.bytes, stop)
    links = [f"{slow}/a/lenta-{n}.html" for n in range(args.items)]
    pages: dict[str, str] = {}
    server = site(pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    items = "".join(f"<item><title>Lenta {n}</title><link>{link}</link></item>" for n, link in enumerate(links))
    items += f"<item><title>Nuova mostra a Firenze</title><link>{base}/a/mostra.html</link></item>"
    pages["/rss.xml"] = f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "sources").mkdir()
        feed_url = f"{base}/rss.xml"
        (root / "pyproject.toml").write_text(
            f'[tool.traduco]\n[tool.traduco.web]\nfeeds = ["{feed_url}"]\nallow_hosts = ["127.0.0.1"]\n'
            f'delay_seconds = 0\ndeadline_seconds = {args.deadline}\n', encoding="utf-8")
        started = time.monotonic()
        result = pull_web(load_project(root))
        seconds = time.monotonic() - started
    stop.set()
    server.shutdown()
    trickle_total = args.bytes * args.interval
    print(f"{args.items} trickling article(s) (1 byte / {args.interval:g} s, {trickle_total:g} s each if read to the end), "
          f"deadline_seconds = {args.deadline:g}")
    print(f"pull took {seconds:.1f} s; written: {result.written}; problems: {len(result.problems)}")
    for problem in result.problems:
        print(f"  {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
