"""Pull: read Italian source documents from the `sources/` folder.

A document is a `.md` file (CommonMark, optionally opening with YAML front
matter: title, date, source_url) or a plain `.txt` file (optionally opening
with `date <date>`). Its id is a slug of the file name without extension
(`Comunicato stampa è.md` -> `comunicato-stampa-e`); the file keeps its name.
Only regular files are read: a symbolic link is reported and skipped.

    result = pull(Path("sources"))
    for doc in result.documents: ...
    for problem in result.problems: print(problem)   # one line each, file named
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from traduco.errors import SourceError
from traduco.sources import markup
from traduco.sources.dates import UnreadableDate, date_pattern, read_date

MAX_SOURCE_BYTES = 1_000_000
SOURCE_SUFFIXES = (".md", ".txt")
MAX_ID_CHARS = 100   # catalogs, locks and pages add up to ~12 characters; file systems allow 255 bytes
# The one rule every id obeys (checked with fullmatch: `$` would let a trailing newline through).
ID_RULE = re.compile(rf"[a-z0-9](?:[a-z0-9._-]{{0,{MAX_ID_CHARS - 2}}}[a-z0-9])?")
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# A .txt date line: `date <date>` alone, or followed on the same line by the text.
_DATE_LINE = re.compile(rf"\s*date[ \t]+(?P<date>{date_pattern()})(?=\s|$)[ \t]*")
# `date` alone on the first line, or with one or two words, is meant as a date
# even when it cannot be read (`date n.d.`): a warning, not a paragraph of text.
_DATE_FIELD = re.compile(r"\s*date(?:[ \t]+(?P<date>\S+(?:[ \t]\S+)?))?\s*")
_NO_DATE = object()


@dataclass(frozen=True)
class Paragraph:
    text: str   # whitespace normalised (inline Markdown kept in .md sources)
    line: int   # 1-based line of its first line in the source file
    block: str = markup.PARAGRAPH   # where it sits in a Markdown source (see traduco.sources.markup)


@dataclass(frozen=True)
class Document:
    id: str
    path: Path
    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    date: str | None = None
    source_url: str | None = None
    markdown: bool = False
    warnings: tuple[str, ...] = ()   # worth saying, not worth failing the run for


@dataclass
class PullResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[SourceError] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [warning for doc in self.documents for warning in doc.warnings]


def pull(sources_dir: Path) -> PullResult:
    """Every readable source in `sources_dir`, in name order; the rest as problems."""
    paths, problems = source_paths(sources_dir)
    result = read_documents(paths)
    result.problems[:0] = problems
    return result


def source_paths(sources_dir: Path) -> tuple[list[Path], list[SourceError]]:
    """The source files, in name order, without reading them (runs go in batches).

    Symbolic links, names that give no usable id, and files whose names give the
    same id are problems, and none of them is read: of two files claiming one id,
    neither wins by the accident of its name's sort order.
    """
    if not sources_dir.is_dir():
        return [], [SourceError("the sources folder does not exist", path=sources_dir,
                                hint="Create it and put Italian .md or .txt files in it")]
    problems: list[SourceError] = []
    claims: dict[str, list[Path]] = {}
    for path in sorted(sources_dir.iterdir()):
        if path.suffix not in SOURCE_SUFFIXES:
            continue
        if path.is_symlink():
            problems.append(SourceError("is a symbolic link: traduco reads only files inside the sources "
                                        "folder, so it was skipped", path=shown(path),
                                        hint="Copy the file into the folder instead of linking it"))
            continue
        if not path.is_file():
            continue
        try:
            claims.setdefault(document_id(path), []).append(path)
        except SourceError as problem:
            problems.append(problem)
    paths = []
    for doc_id, claimants in claims.items():
        if len(claimants) == 1:
            paths.append(claimants[0])
            continue
        names = " and ".join(repr(shown(p).name) for p in claimants)
        problems.append(SourceError(f"{names} would both have the document id {doc_id!r}, so neither was "
                                    "read", path=shown(sources_dir),
                                    hint="Rename or remove one of them"))
    return sorted(paths), problems


def read_documents(paths: list[Path]) -> PullResult:
    result = PullResult()
    for path in paths:
        try:
            result.documents.append(read_document(path))
        except SourceError as problem:
            result.problems.append(problem)
    return result


def document_id(path: Path) -> str:
    """The id that names a document's catalogs and pages: a slug of the file name
    ('Comunicato stampa è.md' -> 'comunicato-stampa-e'). It always obeys ID_RULE,
    so it can never leave a folder, break a catalog header or a later run."""
    if _UNSHOWABLE.search(path.name):
        raise SourceError("the file name holds a line break, a control character or bytes that are "
                          "not UTF-8", path=shown(path), hint="Rename the file")
    doc_id = slug(path.stem)
    if len(doc_id) > MAX_ID_CHARS:
        raise SourceError(f"the file name is too long to name a document ({len(path.stem)} characters; "
                          f"at most {MAX_ID_CHARS})", path=shown(path), hint="Rename the file with a shorter name")
    if not ID_RULE.fullmatch(doc_id):
        raise SourceError(f"the name {path.stem!r} has no letters or digits to make a document id from",
                          path=shown(path), hint="Rename the file using Latin letters or digits")
    return doc_id


def slug(name: str) -> str:
    """Lower-case ASCII letters, digits and '-', '_', '.' between them; any other run becomes '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9._-]+", "-", ascii_name)
    text = re.sub(r"[._-]*-[._-]*", "-", text)           # 'a - b', 'a.-b' -> 'a-b'
    text = re.sub(r"([._])[._]+", r"\1", text)          # no '..': an id never names a parent folder
    return text.strip("._-")


def shown(path: Path) -> Path:
    """The path as it can be printed on one line: control characters and bytes
    that are not UTF-8 written as escapes."""
    return Path(_UNSHOWABLE.sub(_escape, str(path)))


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:     # a byte that is not UTF-8, as os.listdir hands it over
        return f"\\x{code - 0xDC00:02x}"
    return match.group(0).encode("unicode_escape").decode()


def read_document(path: Path) -> Document:
    doc_id = document_id(path)
    text = _read_text(path)
    markdown = path.suffix == ".md"
    if markdown:
        meta, body, first_line, date_line = _split_front_matter(text, path)
        markdown = _is_markdown(meta, path)
    if markdown:
        paragraphs = tuple(Paragraph(b.text, b.line, b.path) for b in markup.blocks(body, first_line))
    elif path.suffix == ".md":
        paragraphs = tuple(split_paragraphs(body, first_line))
    else:
        meta, body, first_line, date_line = _split_date_line(text, path)
        paragraphs = tuple(split_paragraphs(body, first_line))
    if not paragraphs:
        raise SourceError("the document has no text", path=path,
                          hint="Add the Italian text, or remove the file")
    date, warnings = _date_or_none(meta.get("date", _NO_DATE), path, date_line)
    return Document(id=doc_id, path=path, paragraphs=paragraphs,
                    title=_text_or_none(meta.get("title")), date=date,
                    source_url=_text_or_none(meta.get("source_url")),
                    markdown=markdown, warnings=warnings)


def _is_markdown(meta: dict, path: Path) -> bool:
    """`format: text` in the front matter: a body of plain paragraphs (what `traduco
    pull` writes, since an article's "2024. Un anno record" or "- 30%" is prose, not
    a list), read as a .txt body is."""
    kind = str(meta.get("format", "markdown")).strip().lower()
    if kind not in ("markdown", "text"):
        raise SourceError(f"front matter 'format: {kind}' is not a format traduco reads", path=path,
                          hint="Write 'format: markdown' (the default) or 'format: text' (plain paragraphs)")
    return kind == "markdown"


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
    data = _read_regular_file(path)
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


def _read_regular_file(path: Path) -> bytes:
    """The file's bytes, never a link's target (even one swapped in after listing)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        what = "is a symbolic link" if path.is_symlink() else f"cannot be read ({exc.strerror})"
        raise SourceError(f"the file {what}, so it was skipped", path=shown(path),
                          hint="Sources must be regular files inside the sources folder") from None
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise SourceError("is not a regular file, so it was skipped", path=shown(path),
                              hint="Sources must be regular files inside the sources folder")
        if status.st_size > MAX_SOURCE_BYTES:
            raise SourceError(f"the file is {status.st_size:,} bytes, over the {MAX_SOURCE_BYTES:,}-byte limit",
                              path=path, hint="Split it into several documents")
        return file.read(MAX_SOURCE_BYTES + 1)


def _split_front_matter(text: str, path: Path) -> tuple[dict, str, int, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, 1, 0
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
    date_line = next((number for number, line in enumerate(lines[1:end], start=2)
                      if re.match(r"date\s*:", line)), 0)
    return meta, "".join(lines[end + 1:]), end + 2, date_line


def _split_date_line(text: str, path: Path) -> tuple[dict, str, int, int]:
    first, _, rest = text.partition("\n")
    match = _DATE_LINE.match(first) or _DATE_FIELD.fullmatch(first)
    if not match:
        return {}, text, 1, 0
    remainder = first[match.end():]
    body = remainder + "\n" + rest if remainder.strip() else "\n" + rest
    return {"date": match.group("date") or ""}, body, 1, 1


def _date_or_none(value: object, path: Path, line: int) -> tuple[str | None, tuple[str, ...]]:
    """The date in ISO form, or None and a warning: a document is never held back for its date."""
    if value is _NO_DATE:
        return None, ()
    try:
        return read_date(value), ()
    except UnreadableDate:
        shown_value = " ".join(str(value).split())[:60]
        warning = SourceError(f"warning: the date {shown_value!r} cannot be read, so the pages show no date",
                              path=path, line=line or None,
                              hint="Write it as 14/05/2024, 14 maggio 2024, 2024-05-14 or 2024-05")
        return None, (warning.message,)


def _text_or_none(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
