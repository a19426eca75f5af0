"""The OASIS XLIFF schemas bundled in tests/fixtures/exchange/schemas (see the
README there), loaded offline: their imports of the W3C xml.xsd point at the
bundled copy in a temporary folder, the bundled files stay as published."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).parent / "fixtures" / "exchange" / "schemas"
_IMPORT = re.compile(r'schemaLocation="[^"]*xml\.xsd"')


def _offline_copy(folder: Path, into: Path) -> Path:
    copy = into / folder.name
    shutil.copytree(folder, copy)
    shutil.copy(SCHEMAS / "w3c" / "xml.xsd", copy / "xml.xsd")
    for xsd in copy.rglob("*.xsd"):
        text = xsd.read_text(encoding="utf-8")
        xsd.write_text(_IMPORT.sub(f'schemaLocation="{(copy / "xml.xsd").as_uri()}"', text), encoding="utf-8")
    return copy


def xliff_schema(version: str, tmp: Path) -> etree.XMLSchema:
    """1.2: the strict core schema; 2.0 and 2.1: the core with the glossary module."""
    if version == "1.2":
        folder = _offline_copy(SCHEMAS / "xliff-1.2", tmp)
        return etree.XMLSchema(etree.parse(str(folder / "xliff-core-1.2-strict.xsd")))
    folder = _offline_copy(SCHEMAS / f"xliff-{version}", tmp)
    core = folder / "xliff_core_2.0.xsd"
    glossary = next(folder.rglob("glossary.xsd"))
    driver = tmp / f"driver-{version}.xsd"
    driver.write_text(f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-traduco-tests:driver">
  <xs:import namespace="urn:oasis:names:tc:xliff:document:2.0" schemaLocation="{core.as_uri()}"/>
  <xs:import namespace="urn:oasis:names:tc:xliff:glossary:2.0" schemaLocation="{glossary.as_uri()}"/>
</xs:schema>""", encoding="utf-8")
    return etree.XMLSchema(etree.parse(str(driver)))


def assert_valid(schema: etree.XMLSchema, data: bytes) -> None:
    document = etree.fromstring(data)
    assert schema.validate(document), "\n".join(str(e) for e in schema.error_log)
