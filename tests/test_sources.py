"""Pull: what a source file becomes, and one clear line for each bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

import polib

from traduco.errors import SourceError
from traduco.sources.documents import ID_RULE, MAX_SOURCE_BYTES, document_id, pull, read_document

from conftest import SAMPLE
from helpers import msgfmt_check
from standin import StandIn


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_sample_date_line_is_metadata_and_paragraphs_keep_their_lines():
    doc = read_document(SAMPLE)

    assert doc.id == "toscana-smart-china"
    assert doc.date == "2021-05"
    assert [p.line for p in doc.paragraphs] == [1, 3, 5, 7, 9, 11, 13, 15]
    assert doc.paragraphs[0].text.startswith("La Toscana da vedere")
    assert doc.paragraphs[-1].text == "Fonte: Regione Toscana - Ufficio stampa"


def test_markdown_front_matter_and_whitespace_normalised(tmp_path):
    path = write(tmp_path, "firenze.md", "---\ntitle: Firenze  in festa\ndate: 2024-03-01\n"
                 "source_url: https://example.org/a\n---\n\nPrima   riga\n  continua qui.\n\n\nSecondo.\n")

    doc = read_document(path)

    assert (doc.title, doc.date, doc.source_url) == ("Firenze in festa", "2024-03-01", "https://example.org/a")
    assert [(p.text, p.line) for p in doc.paragraphs] == [("Prima riga continua qui.", 7), ("Secondo.", 11)]


def test_date_line_on_its_own_line(tmp_path):
    doc = read_document(write(tmp_path, "a.txt", "date 2021-05-21\n\nTesto.\n"))
    assert doc.date == "2021-05-21" and [(p.text, p.line) for p in doc.paragraphs] == [("Testo.", 3)]


@pytest.mark.parametrize("name, content, expected", [
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    ("latin1.txt", "Città di Siena".encode("latin-1"), "not UTF-8 (byte 0xe0)"),
    ("empty.md", "", "no text"),
    ("blank.txt", "date 2021-05\n\n   \n", "no text"),
    ("open.md", "---\ntitle: x\n\nTesto", "never closed"),
    ("yaml.md", "---\ntitle: [unclosed\n---\nTesto\n", "not valid YAML"),
])
def test_bad_sources_are_named_and_explained(tmp_path, name, content, expected):
    path = write(tmp_path, name, content)

    with pytest.raises(SourceError) as caught:
        read_document(path)

    assert expected in caught.value.message
    assert str(path) in caught.value.message


def test_huge_source_is_refused_before_reading(tmp_path):
    path = write(tmp_path, "huge.txt", "a" * (MAX_SOURCE_BYTES + 1))
    with pytest.raises(SourceError, match="over the 1,000,000-byte limit"):
        read_document(path)


def test_unsafe_names_become_safe_document_ids(tmp_path):
    assert read_document(write(tmp_path, "-rf ciao.txt", "Testo")).id == "rf-ciao"
    assert read_document(write(tmp_path, "a..b.txt", "Testo")).id == "a.b"
    with pytest.raises(SourceError, match="no letters or digits"):
        read_document(write(tmp_path, "..-...txt", "Testo"))


def test_pull_skips_bad_files_and_keeps_the_good_ones(tmp_path):
    write(tmp_path, "buono.txt", "Un paragrafo.")
    write(tmp_path, "rotto.txt", b"\xff\xfe\x00")
    write(tmp_path, "ignorato.pdf", b"%PDF")

    result = pull(tmp_path)

    assert [d.id for d in result.documents] == ["buono"]
    assert len(result.problems) == 1 and "rotto.txt" in result.problems[0].message


def test_missing_sources_folder_is_a_problem_not_a_crash(tmp_path):
    result = pull(tmp_path / "nowhere")
    assert result.documents == [] and "does not exist" in result.problems[0].message


# -- document ids --------------------------------------------------------------

def test_a_file_named_as_an_office_names_it_gets_a_slug_id_and_keeps_its_name(tmp_path):
    path = write(tmp_path, "Comunicato stampa è.md", "Testo del comunicato.")

    result = pull(tmp_path)

    assert result.problems == []
    assert [(d.id, d.path) for d in result.documents] == [("comunicato-stampa-e", path)]
    assert path.is_file()


def test_the_sample_keeps_its_id():
    assert document_id(SAMPLE) == "toscana-smart-china"


def test_two_files_with_one_id_are_both_named_and_neither_is_read(tmp_path):
    write(tmp_path, "Comunicato stampa è.md", "Uno.")
    write(tmp_path, "comunicato-stampa-e.txt", "Due.")
    write(tmp_path, "altro.txt", "Tre.")

    result = pull(tmp_path)

    assert [d.id for d in result.documents] == ["altro"]
    assert len(result.problems) == 1
    message = result.problems[0].message
    assert "'Comunicato stampa è.md' and 'comunicato-stampa-e.txt'" in message
    assert "'comunicato-stampa-e'" in message and "neither was read" in message


@pytest.mark.parametrize("name, expected", [
    ("riga\nnuova.txt", "line break"),
    ("fine riga\n.txt", "line break"),
    ("a" * 250 + ".txt", "too long"),
    ("新闻稿.txt", "no letters or digits"),
    ("caf\udce9.txt", "caf\\xe9.txt: the file name holds"),   # a Latin-1 byte in a UTF-8 file system
])
def test_a_bad_file_name_is_one_line_for_that_file_and_the_others_go_on(tmp_path, name, expected):
    write(tmp_path, name, "Testo.")
    write(tmp_path, "buono.txt", "Un paragrafo.")

    result = pull(tmp_path)

    assert [d.id for d in result.documents] == ["buono"]
    assert len(result.problems) == 1
    assert expected in result.problems[0].message and "\n" not in result.problems[0].message


def test_the_id_rule_cannot_be_bypassed_by_a_trailing_newline():
    assert ID_RULE.fullmatch("comunicato")
    for bad in ("comunicato\n", "../x", "a/b", "-a", "A", "a" * 101, "", "a b"):
        assert not ID_RULE.fullmatch(bad), bad


def test_a_run_with_a_bad_file_name_writes_nothing_for_it_and_later_runs_still_work(tmp_path, standin):
    from helpers import run_once
    (tmp_path / "pyproject.toml").write_text('[tool.traduco]\nproject = "T"\nlocales = ["en"]\n', encoding="utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    write(sources, "riga\nnuova.txt", "Testo rotto.")
    write(sources, "a" * 250 + ".txt", "Testo lungo.")
    write(sources, "Comunicato stampa è.txt", "Testo buono.")

    reports = []
    for _ in range(2):
        reports += run_once(tmp_path, standin.url)
        templates = sorted(p.name for p in (tmp_path / "locales" / "templates").iterdir())
        assert templates == ["comunicato-stampa-e.pot"]
    assert [(r.doc_id, r.error) for r in reports] == [("comunicato-stampa-e", None)]
    template = polib.pofile(str(tmp_path / "locales" / "templates" / "comunicato-stampa-e.pot"))
    assert template.metadata["X-Source-File"] == "sources/Comunicato stampa è.txt"
    msgfmt_check(tmp_path / "locales" / "en" / "LC_MESSAGES" / "comunicato-stampa-e.po")


# -- dates ---------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ("14/05/2024", "2024-05-14"),
    ("14.05.2024", "2024-05-14"),
    ("14 maggio 2024", "2024-05-14"),
    ("martedì 14 maggio 2024", "2024-05-14"),
    ("1° Maggio 2024", "2024-05-01"),
    ("'2024-05-14T10:30:00+02:00'", "2024-05-14"),
    ("2024-05-14T23:30:00+02:00", "2024-05-14"),   # a YAML timestamp: the day as written, not UTC's
    ("2024-05", "2024-05"),
    ("maggio 2024", "2024-05"),
    ("2024-05-14", "2024-05-14"),                  # a YAML date object
])
def test_dates_as_italian_offices_write_them(tmp_path, written, expected):
    doc = read_document(write(tmp_path, "a.md", f"---\ndate: {written}\n---\nTesto.\n"))
    assert doc.date == expected and doc.warnings == ()


@pytest.mark.parametrize("first_line, expected, text", [
    ("date 14/05/2024", "2024-05-14", "Testo."),
    ("date 14 maggio 2024 Testo.", "2024-05-14", "Testo."),
    ("date 2021-05 Testo.", "2021-05", "Testo."),
    ("date Martedì, 14 maggio 2024 Testo.", "2024-05-14", "Testo."),
    ("date 2024-05-14T10:30:00+02:00\r", "2024-05-14", "Testo."),
])
def test_a_text_files_date_line_reads_the_same_dates(tmp_path, first_line, expected, text):
    doc = read_document(write(tmp_path, "a.txt", f"{first_line}\n\nTesto.\n" if text not in first_line
                              else f"{first_line}\n"))
    assert doc.date == expected and [p.text for p in doc.paragraphs] == [text]


@pytest.mark.parametrize("name, content, line", [
    ("nd.md", "---\ntitle: Un titolo\ndate: n.d.\n---\nTesto.\n", 3),
    ("sd.md", "---\ndate: s.d.\n---\nTesto.\n", 2),
    ("empty.md", "---\ndate:\n---\nTesto.\n", 2),
    ("quoted.md", "---\ndate: ''\n---\nTesto.\n", 2),
    ("impossible.md", "---\ndate: 2021-13\n---\nTesto.\n", 2),
    ("nd.txt", "date n.d.\n\nTesto.\n", 1),
])
def test_an_unreadable_date_is_a_warning_and_the_document_is_read(tmp_path, name, content, line):
    path = write(tmp_path, name, content)

    result = pull(tmp_path)

    assert result.problems == []
    [doc] = result.documents
    assert doc.date is None and [p.text for p in doc.paragraphs] == ["Testo."]
    [warning] = result.warnings
    assert warning.startswith(f"{path}:{line}: warning: the date") and "cannot be read" in warning


def test_an_unreadable_date_does_not_fail_the_run_and_the_page_shows_no_date(capsys, project, standin):
    from helpers import approve_all, run_cli
    write(project / "sources", "senza data.md", "---\ntitle: Senza data\ndate: n.d.\n---\n\nTesto.\n")

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", standin.url)

    assert code == 0, err
    assert "senza data.md:3: warning: the date 'n.d.' cannot be read" in err
    approve_all(project / "locales" / "en" / "LC_MESSAGES" / "senza-data.po")
    assert run_cli(capsys, "publish", "--project", str(project))[0] == 0
    page = (project / "public" / "en" / "senza-data.html").read_text(encoding="utf-8")
    assert "<time" not in page and "[en] Testo." in page


# -- Markdown ------------------------------------------------------------------

PRESS_RELEASE_MD = """---
title: Vino e cultura
date: 14 maggio 2024
---

## Il programma

Il **presidente** ha presentato il [programma completo](https://www.regione.toscana.it/vino?a=1&b=2 "Programma") e il codice `VINO24`.

- degustazioni nelle *cantine*
- visite guidate
- incontri con i produttori

Un paragrafo con <script>alert(1)</script> e [un link](javascript:alert(1)).
"""


def test_markdown_headings_list_items_and_paragraphs_are_units_without_block_syntax(tmp_path):
    doc = read_document(write(tmp_path, "vino.md", PRESS_RELEASE_MD))

    assert [(p.text, p.line, p.block) for p in doc.paragraphs] == [
        ("Il programma", 6, "h2"),
        ("Il **presidente** ha presentato il [programma completo](https://www.regione.toscana.it/vino?a=1&b=2 "
         '"Programma") e il codice `VINO24`.', 8, "p"),
        ("degustazioni nelle *cantine*", 10, "ul10/li10/t"),
        ("visite guidate", 11, "ul10/li11/t"),
        ("incontri con i produttori", 12, "ul10/li12/t"),
        ("Un paragrafo con <script>alert(1)</script> e [un link](javascript:alert(1)).", 14, "p"),
    ]


def test_a_markdown_heading_is_a_unit_in_context_heading_and_the_template_records_the_layout(tmp_path):
    from traduco.catalogs.extraction import extract, template_for
    (tmp_path / "sources").mkdir()
    doc = read_document(write(tmp_path / "sources", "vino.md", PRESS_RELEASE_MD))

    template = template_for(doc, extract(doc, tmp_path), tmp_path, "T")

    heading = next(e for e in template if e.msgid == "Il programma")
    assert heading.msgctxt == "heading" and "Heading" in heading.comment
    assert "List item" in next(e for e in template if e.msgid == "visite guidate").comment
    assert template.metadata["X-Source-Format"] == "markdown"
    assert template.metadata["X-Source-Layout"] == "6=h2 10=ul10/li10/t 11=ul10/li11/t 12=ul10/li12/t"


def test_a_text_file_stays_plain(tmp_path):
    doc = read_document(write(tmp_path, "a.txt", "## Non un titolo\n- non una lista\n- davvero\n"))
    assert [(p.text, p.block) for p in doc.paragraphs] == [("## Non un titolo - non una lista - davvero", "p")]


def test_markdown_markup_and_link_targets_are_tokens_for_mt_and_checks():
    from traduco.checks import check
    from traduco.language.masking import protect, restore
    source = 'Il **presidente** ha visto [il sito](https://x.it/a_(b) "Titolo") e `VINO24`, non snake_case.'

    masked = protect(source)

    assert "https" not in masked.text and "Titolo" not in masked.text and "VINO24" not in masked.text
    assert "**" not in masked.text and "snake_case" in masked.text
    assert restore(masked.text, masked) == (source, [])
    broken = 'The **president** saw [the site](https://x.it/a_(b)) and `VINO24`, not snake_case.'
    assert any(f.check == "tokens" and '"Titolo"' in f.message for f in check(source, broken, "en"))
    good = 'Il **presidente** ha visto [il sito](https://x.it/a_(b) "Titolo") e `VINO24`, non snake_case.'
    assert not [f for f in check(source, good.replace("presidente", "president"), "en") if f.check == "tokens"]


# What a real MT answers for the masked units: the tokens kept where their words went.
MT_ANSWERS = {
    "Vino e cultura": "Wine and culture",
    "Il programma": "The programme",
    "Il [T0]presidente[T1] ha presentato il [T2]programma completo[T3] e il codice [T4].":
        "The [T0]president[T1] presented the [T2]full programme[T3] and the code [T4].",
    "degustazioni nelle [T0]cantine[T1]": "tastings in the [T0]wineries[T1]",
    "visite guidate": "guided tours",
    "incontri con i produttori": "meetings with the producers",
    "Un paragrafo con [T0]alert(1)[T1] e [T2]un link[T3].": "A paragraph with [T0]alert(1)[T1] and [T2]a link[T3].",
}


def test_markdown_source_end_to_end_sends_no_link_target_and_publishes_a_structured_escaped_page(capsys, project):
    from helpers import approve_all, parse_html, run_cli
    (project / "sources" / "toscana-smart-china.txt").unlink()
    write(project / "sources", "Vino e cultura.md", PRESS_RELEASE_MD)

    with StandIn(references={it: {"en": en, "zh_CN": en} for it, en in MT_ANSWERS.items()}) as standin:
        code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                               "--provider-url", standin.url)
        sent = [request["q"] for request in standin.requests]

    assert code == 0, err
    assert sorted(set(sent)) == sorted(MT_ANSWERS)    # no link target, code, markup or block syntax sent
    catalog = project / "locales" / "en" / "LC_MESSAGES" / "vino-e-cultura.po"
    msgfmt_check(catalog)
    approve_all(catalog)
    code, out, err = run_cli(capsys, "publish", "--project", str(project))
    assert code == 0, out + err
    page = (project / "public" / "en" / "vino-e-cultura.html").read_text(encoding="utf-8")
    parse_html(page)
    head, body = page.split("</p>", 1)   # the meta line, then the body
    assert "May 14, 2024" in head
    assert "<h2>The programme</h2>" in body
    assert "<strong>president</strong>" in body and "<code>VINO24</code>" in body
    assert '<a href="https://www.regione.toscana.it/vino?a=1&amp;b=2" title="Programma">full programme</a>' in body
    assert "<ul>\n<li>\ntastings in the <em>wineries</em>\n</li>\n<li>\nguided tours\n</li>" in body
    assert body.count("<li>") == 3 and body.count("<ul>") == 1
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="javascript' not in page
    assert "**" not in body and "##" not in body


# -- symbolic links ------------------------------------------------------------

def test_a_symlink_in_sources_is_reported_and_never_read(tmp_path):
    outside = write(tmp_path, "segreto.txt", "Testo riservato fuori dal progetto.")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "link.txt").symlink_to(outside)
    write(sources, "buono.txt", "Un paragrafo.")

    result = pull(sources)

    assert [d.id for d in result.documents] == ["buono"]
    [problem] = result.problems
    assert "link.txt" in problem.message and "symbolic link" in problem.message
    assert "\n" not in problem.message
    with pytest.raises(SourceError, match="symbolic link"):
        read_document(sources / "link.txt")    # a link swapped in after listing is not followed either


def test_a_run_never_sends_a_linked_file_to_mt_nor_names_its_path(capsys, project, standin, tmp_path_factory):
    from helpers import run_cli
    outside = write(tmp_path_factory.mktemp("outside"), "riservato.txt", "Bilancio riservato della regione.")
    (project / "sources" / "bilancio.txt").symlink_to(outside)

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--provider", "libre",
                           "--provider-url", standin.url)

    assert code == 1 and "bilancio.txt" in err and "symbolic link" in err
    assert not any("riservato" in request["q"] for request in standin.requests)
    assert not (project / "locales" / "templates" / "bilancio.pot").exists()
    for path in (project / "locales").rglob("*.po*"):
        assert str(outside.parent) not in path.read_text(encoding="utf-8")


def test_a_translation_or_a_hand_edited_layout_cannot_change_the_pages_structure():
    from traduco.sources.markup import decode, render_body
    layout = decode('1=h2 2=h2><script 3=ul3/li3/t 4=zz9/li4/t 5=ol3.x/li5/p 6=bq6/p')

    html = render_body([(1, "Titolo"), (2, "Due"), (3, "## non un titolo\n\n- non una lista <b>x</b>"),
                        (4, "Quattro"), (5, "Cinque"), (6, "Sei")], layout)

    assert layout == {1: "h2", 3: "ul3/li3/t", 6: "bq6/p"}
    assert html == ("<h2>Titolo</h2>\n<p>Due</p>\n<ul>\n<li>\n## non un titolo\n\n- non una lista "
                    "&lt;b&gt;x&lt;/b&gt;\n</li>\n</ul>\n<p>Quattro</p>\n<p>Cinque</p>\n<blockquote>\n"
                    "<p>Sei</p>\n</blockquote>")
