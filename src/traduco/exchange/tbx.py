"""The glossary in TBX-Basic (ISO 30042), for terminology tools.

    data = export_tbx(glossary, "it", ["zh_CN", "en"])
    terms = import_tbx(project, Path("agency.tbx"))    # merged into the CSV glossary

Written as TBX v3 in the TBX-Basic dialect (`<tbx type="TBX-Basic"
style="dca">`): one `conceptEntry` per Italian term, a `langSec` per
language with its `termSec/term`, the CSV's note as the entry's `note`. A
do-not-translate term has a translation equal to the Italian, as in the CSV.
Reading also takes TBX v2 (`martif`, `termEntry`/`langSet`/`tig`), which
most terminology tools still export. Imported terms replace the CSV line of
the same Italian term and the rest of the glossary keeps its lines, so a
round trip CSV -> TBX -> CSV gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lxml import etree

from traduco.errors import ConfigError
from traduco.exchange.safexml import ExchangeError, local, read, text_of
from traduco.exchange.xliff_out import bcp47
from traduco.language.glossary import Glossary, Term
from traduco.project import files
from traduco.project.loading import Project

TBX = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def export_tbx(glossary: Glossary, source_language: str, locales: list[str]) -> bytes:
    root = etree.Element(f"{{{TBX}}}tbx", nsmap={None: TBX}, type="TBX-Basic", style="dca")
    root.set(XML_LANG, "en")
    header = etree.SubElement(root, f"{{{TBX}}}tbxHeader")
    description = etree.SubElement(etree.SubElement(header, f"{{{TBX}}}fileDesc"), f"{{{TBX}}}sourceDesc")
    etree.SubElement(description, f"{{{TBX}}}p").text = "traduco project glossary"
    body = etree.SubElement(etree.SubElement(root, f"{{{TBX}}}text"), f"{{{TBX}}}body")
    for number, term in enumerate(sorted(glossary.terms, key=lambda t: t.source), start=1):
        entry = etree.SubElement(body, f"{{{TBX}}}conceptEntry", id=f"c{number}")
        if term.note:
            etree.SubElement(entry, f"{{{TBX}}}note").text = term.note
        for language, text in [(source_language, term.source),
                               *((bcp47(loc), term.target(loc)) for loc in locales if term.target(loc))]:
            section = etree.SubElement(entry, f"{{{TBX}}}langSec", {XML_LANG: language})
            etree.SubElement(etree.SubElement(section, f"{{{TBX}}}termSec"), f"{{{TBX}}}term").text = text
    etree.indent(root, space="  ")      # no mixed content in TBX-Basic terms: indentation is safe
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def read_tbx(path: Path, source_language: str, locales: list[str]) -> list[Term]:
    root = read(path, "TBX")
    if local(root) not in ("tbx", "martif"):
        raise ExchangeError(f"is not a TBX file (its root element is <{local(root)}>)", path=path,
                            hint="Give a TBX-Basic file (.tbx) exported from a terminology tool")
    terms = []
    for entry in root.iter():
        if local(entry) not in ("conceptEntry", "termEntry"):
            continue
        by_language: dict[str, str] = {}
        note = ""
        for child in entry.iter():
            name = local(child)
            if name in ("langSec", "langSet"):
                language = (child.get(XML_LANG) or child.get("lang") or "").replace("-", "_").lower()
                term = next((t for t in child.iter() if local(t) == "term"), None)
                if term is not None and text_of(term).strip():
                    by_language.setdefault(language, " ".join(text_of(term).split()))
                    by_language.setdefault(language.split("_")[0], " ".join(text_of(term).split()))
            elif name == "note" and not note or (name == "descrip" and child.get("type") == "definition" and not note):
                note = " ".join(text_of(child).split())
        italian = by_language.get(source_language.lower())
        if not italian:
            continue
        targets = tuple((loc, by_language.get(loc.lower()) or by_language.get(loc.split("_")[0].lower()) or "")
                        for loc in locales)
        terms.append(Term(italian, tuple((loc, text) for loc, text in targets if text), note))
    if not terms:
        raise ExchangeError(f"holds no {source_language} term", path=path,
                            hint="Nothing was changed. Check the languages the glossary was exported with")
    return terms


def import_tbx(project: Project, path: Path) -> tuple[int, int]:
    """Merge a TBX glossary into the project's CSV: (terms added, terms updated).
    Lines the file does not change keep their bytes (quotes, CRLF, a BOM, a
    note over several lines, as a spreadsheet saved them)."""
    glossary_path = project.glossary_path or project.root / "glossary.csv"
    sheet = _Sheet.read(glossary_path, project)
    incoming = read_tbx(path, project.source_language, [h for h in sheet.header[1:] if h != "note"])
    added = updated = 0
    for term in incoming:
        row = [term.source] + [dict(term.targets).get(h, "") if h != "note" else term.note
                               for h in sheet.header[1:]]
        outcome = sheet.put(row)
        added, updated = added + (outcome == "added"), updated + (outcome == "updated")
    if added or updated:
        files.atomic_write_text(glossary_path, sheet.text())
    return added, updated


class _Sheet:
    """The CSV glossary as records, each with the raw text it was read from."""

    def __init__(self, bom: str, header: list[str], records: list[tuple[str, list[str] | None]], newline: str):
        self.bom, self.header, self.records, self.newline = bom, header, records, newline

    @classmethod
    def read(cls, path: Path, project: Project) -> "_Sheet":
        default = [project.source_language, *project.locales, "note"]
        if not path.exists():
            return cls("", default, [(_format(default, "\n"), default)], "\n")
        try:
            text = path.read_bytes().decode("utf-8")      # bytes: its own line ends kept
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the glossary ({exc})", path=path) from None
        bom, text = ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)
        raws = _records(text)
        newline = "\r\n" if raws and raws[0].endswith("\r\n") else "\n"
        parsed = [next(csv.reader(io.StringIO(raw, newline="")), []) for raw in raws]
        header = [h.strip() for h in parsed[0]] if parsed else default
        records = [(raws[0], None)] if raws else [(_format(default, newline), None)]
        for raw, row in zip(raws[1:], parsed[1:]):
            keep = any(c.strip() for c in row)
            records.append((raw, row + [""] * (len(header) - len(row)) if keep else None))
        return cls(bom, header, records, newline)

    def put(self, row: list[str]) -> str:
        for number, (raw, old) in enumerate(self.records[1:], start=1):
            if old is not None and old[0] == row[0]:
                if old == row:
                    return "same"
                self.records[number] = (_format(row, _ending(raw) or self.newline), row)
                return "updated"
        if self.records and not _ending(self.records[-1][0]):
            self.records[-1] = (self.records[-1][0] + self.newline, self.records[-1][1])
        self.records.append((_format(row, self.newline), row))
        return "added"

    def text(self) -> str:
        return self.bom + "".join(raw for raw, _ in self.records)


def _records(text: str) -> list[str]:
    """The CSV's records as written: a record ends at a line end outside quotes."""
    records, pending = [], ""
    for line in text.splitlines(keepends=True):
        pending += line
        if pending.count('"') % 2 == 0:
            records.append(pending)
            pending = ""
    return records + ([pending] if pending else [])


def _ending(raw: str) -> str:
    return "\r\n" if raw.endswith("\r\n") else "\n" if raw.endswith("\n") else ""


def _format(row: list[str], newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow(row)
    return out.getvalue()
