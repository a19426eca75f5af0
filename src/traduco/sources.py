"""Pull: read Italian source documents from the `sources/` folder.

A document is a `.md` file (optionally opening with YAML front matter: title,
date, source_url) or a `.txt` file (optionally opening with `date YYYY-MM[-DD]`).
Its id is the file name without extension.

    result = pull(Path("sources"))
    for doc in result.documents: ...
    for problem in result.problems: print(problem)   # one line each, file named
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from traduco.errors import SourceError

MAX_SOURCE_BYTES = 1_000_000
SOURCE_SUFFIXES = (".md", ".txt")
_SAFE_ID = re.compile(r"^\w[\w.-]*$")
_DATE_LINE = re.compile(r"^\s*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)(?:[ \t]+|$)")


@dataclass(frozen=True)
class Paragraph:
    text: str   # whitespace normalised
    line: int   # 1-based line of its first line in the source file


@dataclass(frozen=True)
class Document:
    id: str
    path: Path
    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    date: str | None = None
    source_url: str | None = None


@dataclass
class PullResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[SourceError] = field(default_factory=list)


def pull(sources_dir: Path) -> PullResult:
    """Every readable source in `sources_dir`, in name order; the rest as problems."""
    paths, problems = source_paths(sources_dir)
    result = read_documents(paths)
    result.problems[:0] = problems
    return result


def source_paths(sources_dir: Path) -> tuple[list[Path], list[SourceError]]:
    """The source files, in name order, without reading them (runs go in batches)."""
    if not sources_dir.is_dir():
        return [], [SourceError("the sources folder does not exist", path=sources_dir,
                                hint="Create it and put Italian .md or .txt files in it")]
    return sorted(p for p in sources_dir.iterdir() if p.suffix in SOURCE_SUFFIXES and p.is_file()), []


def read_documents(paths: list[Path]) -> PullResult:
    result = PullResult()
    for path in paths:
        try:
            result.documents.append(read_document(path))
        except SourceError as problem:
            result.problems.append(problem)
    return result


def document_id(path: Path) -> str:
    """The id used for catalog and page names; refuses names that could escape a folder."""
    doc_id = path.stem
    if not _SAFE_ID.match(doc_id) or ".." in doc_id:
        raise SourceError(f"the name {doc_id!r} cannot be used as a document id", path=path,
                          hint="Rename the file using letters, digits, '-', '_' and '.'")
    return doc_id


def read_document(path: Path) -> Document:
    doc_id = document_id(path)
    text = _read_text(path)
    if path.suffix == ".md":
        meta, body, first_line = _split_front_matter(text, path)
    else:
        meta, body, first_line = _split_date_line(text, path)
    paragraphs = tuple(split_paragraphs(body, first_line))
    if not paragraphs:
        raise SourceError("the document has no text", path=path,
                          hint="Add the Italian text, or remove the file")
    return Document(id=doc_id, path=path, paragraphs=paragraphs,
                    title=_text_or_none(meta.get("title")),
                    date=_date_or_none(meta.get("date"), path),
                    source_url=_text_or_none(meta.get("source_url")))


def split_paragraphs(body: str, first_line: int = 1) -> list[Paragraph]:
    """Blank-line separated paragraphs, whitespace collapsed, with their first line."""
    paragraphs: list[Paragraph] = []
    lines: list[str] = []
    start = first_line
    for number, line in enumerate(body.splitlines(), start=first_line):
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            paragraphs.append(Paragraph(" ".join(" ".join(lines).split()), start))
            lines = []
    if lines:
        paragraphs.append(Paragraph(" ".join(" ".join(lines).split()), start))
    return paragraphs


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise SourceError(f"the file is {size:,} bytes, over the {MAX_SOURCE_BYTES:,}-byte limit",
                          path=path, hint="Split it into several documents")
    data = path.read_bytes()
    if b"\x00" in data:
        raise SourceError("the file is binary, not text", path=path,
                          hint="Sources must be UTF-8 .md or .txt files")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x})",
                          path=path, line=line,
                          hint="Save it as UTF-8 (most editors: 'Save with encoding')") from None


def _split_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            break
    else:
        raise SourceError("the front matter opened by '---' is never closed", path=path, line=1,
                          hint="End it with a line holding only '---'")
    try:
        meta = yaml.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(f"the front matter is not valid YAML ({getattr(exc, 'problem', exc)})",
                          path=path, line=(mark.line + 2) if mark else 1,
                          hint="Fix the 'key: value' lines between the '---' lines") from None
    if not isinstance(meta, dict):
        raise SourceError("the front matter must be 'key: value' lines", path=path, line=2,
                          hint="Use title:, date: and source_url:")
    return meta, "".join(lines[end + 1:]), end + 2


def _split_date_line(text: str, path: Path) -> tuple[dict, str, int]:
    first, _, rest = text.partition("\n")
    match = _DATE_LINE.match(first)
    if not match:
        return {}, text, 1
    remainder = first[match.end():]
    body = remainder + "\n" + rest if remainder.strip() else "\n" + rest
    return {"date": match.group(1)}, body, 1


def _date_or_none(value: object, path: Path) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    text = str(value).strip()
    try:
        dt.date.fromisoformat(text if len(text) == 10 else text + "-01")
    except ValueError:
        raise SourceError(f"the date {text!r} is not a date", path=path,
                          hint="Write it as YYYY-MM or YYYY-MM-DD") from None
    return text


def _text_or_none(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
