"""What `msgfmt -c` refuses, traduco refuses: with the file and line, and
never approved or published (tests/fixtures/broken-catalogs/)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import polib
import pytest

from traduco.catalogs import formats, pofile, syntax
from traduco.catalogs.catalog import Catalog
from traduco.errors import CatalogError
from traduco.publishing import outputs

BROKEN = Path(__file__).parent / "fixtures" / "broken-catalogs"
FIXTURES = sorted(p.name for p in BROKEN.glob("*.po"))


def msgfmt(path: Path) -> subprocess.CompletedProcess | None:
    if shutil.which("msgfmt") is None:
        return None
    return subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)


def refusal(path: Path) -> CatalogError:
    with pytest.raises(CatalogError) as caught:
        pofile.read(path)
    return caught.value


def test_every_kind_of_broken_catalog_is_there():
    assert len(FIXTURES) == 10


@pytest.mark.parametrize("name", FIXTURES)
def test_a_catalog_msgfmt_refuses_is_refused_at_the_line_msgfmt_names(name, tmp_path):
    path = tmp_path / name            # a copy: the error names this path, and nothing writes to it
    path.write_bytes((BROKEN / name).read_bytes())

    error = refusal(path)

    assert error.path == path and error.line and error.hint, error.message
    assert "Traceback" not in error.message
    gnu = msgfmt(path)
    if gnu is not None:
        assert gnu.returncode != 0, f"msgfmt -c accepts {name}: not a broken catalog"
        assert re.search(rf":{error.line}(:\d+)?: ", gnu.stderr), (error.message, gnu.stderr)
    assert path.read_bytes() == (BROKEN / name).read_bytes()


@pytest.mark.parametrize("name", FIXTURES)
def test_a_catalog_msgfmt_refuses_is_never_published(name, tmp_path):
    """The one unit of the template is approved: only the catalog's own problem can hold it back."""
    data = (BROKEN / name).read_bytes()
    template = (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                b'msgid "Comunicato stampa"\nmsgstr ""\n')
    locale = re.search(rb"Language: (\w+)", data).group(1).decode()
    snapshot = Catalog("doc", locale, tmp_path / name, tmp_path / "doc.pot", data, template)
    assert pofile.load(template, snapshot.template_path)

    why = outputs.waiting_reason(snapshot, None, None)

    assert why and why.startswith(outputs.UNREADABLE) and f"{tmp_path / name}:" in why


@pytest.mark.parametrize("what, word", [("msgid", "no-break space"), ("msgstr", "ideographic space")])
def test_an_odd_space_is_named_as_what_it_is(tmp_path, what, word):
    name = "no-break-space.po" if word == "no-break space" else "ideographic-space.po"
    path = tmp_path / name
    path.write_bytes((BROKEN / name).read_bytes())
    assert word in refusal(path).message


def test_msgstr_with_a_space_before_its_index_gets_an_accurate_message(tmp_path):
    """msgfmt reads `msgstr [0]`; polib cannot, so traduco refuses it, saying
    exactly what to change (today's message called it stray text)."""
    path = tmp_path / "spaced.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                    'msgid "file"\nmsgid_plural "files"\nmsgstr [0] "file"\nmsgstr[1] "files"\n', encoding="utf-8")

    error = refusal(path)

    assert error.line == 8 and "msgstr [0]" in error.message and "Write msgstr[0]" in error.message
    assert "not part of any entry" not in error.message


# -- format strings: formats.mismatch agrees with msgfmt -c, case by case -------------------

CASES = [   # kind, msgid, msgstr, msgfmt refuses it
    ("c-format", "%d of %s", "%d di %s", False),
    ("c-format", "%d of %s", "%2$s: %1$d", False),
    ("c-format", "%d of %s", "%s di %d", True),
    ("c-format", "%d of %s", "%d", True),
    ("c-format", "%d", "%u", True),
    ("c-format", "%x", "%u", False),
    ("c-format", "%ld", "%d", True),
    ("c-format", "%d %s", "%2$s", True),          # ignores argument 1
    ("c-format", "%d %s", "%1$d %s", True),       # numbered and unnumbered
    ("c-format", "100%% %s", "%s al 100%%", False),
    ("c-format", "%d", "%y", True),
    ("python-format", "%(n)d files", "%(n)d file", False),
    ("python-format", "%(n)d files", "%(n)s file", True),
    ("python-format", "%(a)r", "%(a)s", False),
    ("python-format", "%(a)s", "%s", True),
    ("python-format", "%d", "%s", True),
    ("python-format", "%(a)s", "%(a)s %", True),
    ("python-format", "%(a)s and %(b)s", "%(a)s", True),
    ("python-format", "100% sure", "sicuro", True),   # "% s" is a directive
    ("python-brace-format", "{x} {y}", "{y} {x}", False),
    ("python-brace-format", "{x} {y}", "{x}", True),
    ("python-brace-format", "{x}", "{x} {y}", True),
    ("python-brace-format", "{x:.2f}", "{x}", True),      # gettext 0.21 names the field with its spec
    ("python-brace-format", "{x[0].a}", "{x[0].a}", False),
    ("python-brace-format", "{0} {1}", "{0}", True),
    ("python-brace-format", "{x}", "{x", True),
    ("python-brace-format", "{x}", "{{x}}", True),
    ("python-brace-format", "{x!r}", "{y}", False),       # not a format string to gettext 0.21: not checked
]


@pytest.mark.parametrize("kind, msgid, msgstr, refused", CASES)
def test_format_strings_are_compared_as_msgfmt_compares_them(tmp_path, kind, msgid, msgstr, refused):
    assert (formats.mismatch(kind, msgid, msgstr, strict=True) is not None) == refused
    path = tmp_path / "one.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    f'#, {kind}\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n', encoding="utf-8")
    gnu = msgfmt(path)
    if gnu is not None:
        assert (gnu.returncode != 0) == refused, gnu.stderr


def test_a_plural_form_for_one_number_may_leave_the_number_out(tmp_path):
    """Italian's msgstr[0] is only ever used for n = 1, so "un file" is fine
    there (C); Icelandic's is used for 1, 21, 31...: there it is refused."""
    def catalog(rule: str) -> Path:
        path = tmp_path / "plural.po"
        path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                        f'"Plural-Forms: {rule}\\n"\n\n#, c-format\nmsgid "one file"\n'
                        'msgid_plural "%d files"\nmsgstr[0] "un file"\nmsgstr[1] "%d file"\n', encoding="utf-8")
        return path

    italian = catalog("nplurals=2; plural=(n != 1);")
    pofile.read(italian)
    assert msgfmt(italian) is None or msgfmt(italian).returncode == 0
    icelandic = catalog("nplurals=2; plural=(n%10!=1 || n%100==11);")
    assert refusal(icelandic).line == 9
    assert msgfmt(icelandic) is None or msgfmt(icelandic).returncode != 0


def test_drafts_untranslated_and_obsolete_entries_are_not_judged_as_msgfmt_skips_them(tmp_path):
    path = tmp_path / "drafts.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                    '#, fuzzy, python-format\nmsgid "%(n)s left"\nmsgstr "rimasti"\n\n'
                    'msgid "\\nuntranslated"\nmsgstr ""\n\n'
                    '#~ msgid "a\\n"\n#~ msgstr "b"\n', encoding="utf-8")
    pofile.read(path)
    assert msgfmt(path) is None or msgfmt(path).returncode == 0


def test_old_mac_line_ends_are_refused_with_their_line_not_a_traceback(tmp_path):
    """CR alone as line end: msgfmt reads one long line (a `#` comment then
    hides every entry, msgunfmt shows none), polib reads the entries. The
    reader crashed with AttributeError on `msgid "a"\\rmsgstr "b"`."""
    path = tmp_path / "mac.po"
    path.write_bytes(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                     b'"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                     b'# a comment\rmsgid "a"\rmsgstr "b"\r')
    before = path.read_bytes()

    error = refusal(path)

    assert error.line == 6 and "carriage return" in error.message and error.hint
    assert path.read_bytes() == before
    path.write_bytes(before.replace(b"# a comment\r", b""))
    assert refusal(path).line == 6


def test_windows_line_ends_are_read(tmp_path):
    path = tmp_path / "crlf.po"
    path.write_bytes(b'msgid ""\r\nmsgstr ""\r\n"Content-Type: text/plain; charset=UTF-8\\n"\r\n'
                     b'"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\r\n\r\n'
                     b'# a comment\r\nmsgid "a"\r\nmsgstr "b"\r\n')
    assert pofile.read(path).find("a").msgstr == "b"
    assert msgfmt(path) is None or msgfmt(path).returncode == 0
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r\r\n"))     # converted twice
    assert pofile.read(path).find("a").msgstr == "b"
    assert msgfmt(path) is None or msgfmt(path).returncode == 0


def test_a_comment_without_a_space_after_the_hash_is_named(tmp_path):
    """msgfmt reads `#TODO`; polib cannot, and the refusal said only 'syntax
    error in the catalog' with no hint of what was wrong on that line."""
    header = (BROKEN / "plural-count.po").read_text(encoding="utf-8").split("\n\n")[0]
    path = tmp_path / "todo.po"
    path.write_text(header + '\n\n#TODO check this\nmsgid "a"\nmsgstr "b"\n', encoding="utf-8")

    error = refusal(path)

    assert error.line == header.count("\n") + 3 and "'#TODO'" in error.message and "space after '#'" in error.hint


def test_a_large_catalog_is_judged_without_a_second_copy_of_its_lines(tmp_path):
    """What msgfmt -c would refuse is judged entry by entry: the catalog's text
    is split into lines only to name the line of a refusal. The list of a
    catalog's lines costs as much as its text again, while its parsed entries
    are in memory too (a 100,000-paragraph source's catalog is 80 MB of text)."""
    header = (BROKEN / "newline-end.po").read_text(encoding="utf-8").split("\n\nmsgid \"Comunicato")[0]
    body = "".join(f'#. risk: low\nmsgid "Il {n} marzo la Regione stanzia {n}.000 euro per i borghi."\n'
                   f'msgstr "3月{n}日，大区为村镇拨款{n}000欧元。"\n\n' for n in range(5_000))
    text = f"{header}\n\n{body}"
    catalog = polib.pofile(text, wrapwidth=0)

    tracemalloc.start()
    try:
        syntax.check_entries(catalog, text, tmp_path / "grande.po")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < len(text) / 10, f"{peak:,} bytes at the peak to judge {len(text):,} characters"
    # A refusal still names its line, at the end of a large catalog too.
    broken = f'{text}msgid "Firenze, 3 marzo"\nmsgstr "佛罗伦萨，3月3日\\n"\n'
    path = tmp_path / "grande.po"
    path.write_text(broken, encoding="utf-8")
    assert refusal(path).line == broken.count("\n")
