"""Pull: what a source file becomes, and one clear line for each bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from traduco.errors import SourceError
from traduco.sources import MAX_SOURCE_BYTES, pull, read_document

from conftest import SAMPLE


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
    ("date.md", "---\ndate: 2021-13\n---\nTesto\n", "is not a date"),
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


def test_unsafe_names_cannot_become_document_ids(tmp_path):
    with pytest.raises(SourceError, match="cannot be used as a document id"):
        read_document(write(tmp_path, "-rf ciao.txt", "Testo"))
    with pytest.raises(SourceError, match="cannot be used as a document id"):
        read_document(write(tmp_path, "a..b.txt", "Testo"))


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
