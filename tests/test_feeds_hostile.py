"""Hostile feeds (issue 13): no fetch from internal addresses or other schemes, no
pull held by a slow server, no local file read as a feed; over real HTTP(S) to
servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket

import pytest
from websites import ARTICLE, FIRST, Site, Trickle, configure, mostra, rss, tls_context

from traduco.project.loading import load_project
from traduco.sources.documents import read_document
from traduco.sources.feeds import pull_web


@pytest.fixture
def site():
    website = Site()
    yield website
    website.server.shutdown()


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


def test_a_feed_s_refused_items_are_reported_once_not_on_every_pull(project, site):
    """A third party's feed that keeps listing items at refused addresses must not
    turn every scheduled run red: the first pull names them, later pulls skip them
    with a note; the feed's good items still come in."""
    port = site.server.server_address[1]
    allowed = f"http://localhost:{port}"
    mostra(site)
    bad = [f"http://127.0.0.1:{port}/admin", "file:///etc/passwd"]
    site.page("/rss.xml", rss([(f"Voce {n}", link) for n, link in enumerate(bad)]
                              + [("Nuova mostra a Firenze", f"{allowed}/a/mostra.html")]), kind="application/rss+xml")
    configure(project, site, feeds=[f"{allowed}/rss.xml"], allow_hosts=("localhost",))

    first = pull_web(load_project(project), sleep=lambda s: None)
    assert len(first.problems) == len(bad) and first.written == ["nuova-mostra-a-firenze"]
    # The feed changes (so it is read again, not answered 304) and still lists them.
    site.page("/rss.xml", rss([(f"Voce {n}", link) for n, link in enumerate(bad)]
                              + [("Nuova mostra a Firenze", f"{allowed}/a/mostra.html"),
                                 ("Un'altra mostra", f"{allowed}/a/altra.html")]), kind="application/rss+xml")
    site.page("/a/altra.html", ARTICLE.format(title="Un'altra mostra a Siena", first=FIRST))
    again = pull_web(load_project(project), sleep=lambda s: None)
    assert again.problems == []
    assert any("2 feed item(s) refused in an earlier pull" in note for note in again.notes)
