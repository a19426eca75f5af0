"""What an LLM is told: who it writes for, the house style, the glossary, the
document around the units, similar approved translations, and the units.

    messages = Prompt(locale="zh_CN", style=house_style(root / "style", "zh_CN")).messages(
        window, masked={"u3": "La [T0] ..."}, terms=[...])

The units to draft travel last, as JSON: `{"translate": [{"id": "u3", "text":
"La [T0] ..."}]}` (the masked text, with the tokens every provider sees); the
answer asked for is `{"units": [{"id": "u3", "text": "..."}]}`. Everything
else (style, glossary, the document, examples) goes before, so the request
the model must answer is always the last thing it reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from traduco.mt.documents import Window

LANGUAGES = {"zh_CN": "Simplified Chinese", "zh": "Simplified Chinese", "en": "English", "en_GB": "British English",
             "en_US": "American English", "it": "Italian"}

DEFAULT_STYLES = {
    "zh": """\
- Simplified characters only (never Traditional), full-width Chinese punctuation (，。：；！？“”（）).
- Large numbers with 万 and 亿 (177 mila: 17.7万); dates as 2021年5月21日.
- Established Chinese names of Italian places and institutions (托斯卡纳大区 for la Regione Toscana,
  佛罗伦萨 for Firenze); a name with no established form is transliterated once and kept the same after.
- The register of a government press office: factual, formal, no embellishment.""",
    "en_US": """\
- American spelling and punctuation (program, color, organize).
- The register of a government press office: factual, formal, no embellishment.
- Italian institutions by their usual English names (the Region of Tuscany); figures as written in English.""",
    "en": """\
- British spelling and punctuation (programme, colour, organise).
- The register of a government press office: factual, formal, no embellishment.
- Italian institutions by their usual English names (the Region of Tuscany); figures as written in English.""",
}

RULES = """\
Rules:
- Translate each unit asked for in the last message, in full, knowing the whole document: a unit's
  meaning may depend on its neighbours ("la Regione" is the region named before).
- Units already translated by the office are context only: follow their choices of words.
- Tokens such as [T0], [T1] stand for names, web addresses, markup or approved glossary terms:
  copy every token of a unit exactly once, unchanged, where it belongs in your sentence.
- Keep every number, date and name; do not merge, split, add or drop units.
- Answer with one JSON object and nothing else: {"units": [{"id": "...", "text": "..."}]},
  one entry per id asked for, in the same order."""

SCHEMA = {"type": "object", "additionalProperties": False, "required": ["units"],
          "properties": {"units": {"type": "array", "items": {
              "type": "object", "additionalProperties": False, "required": ["id", "text"],
              "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}}}}


def house_style(folder: Path | None, locale: str) -> str:
    """`style/<locale>.md` (or `style/<language>.md`) in the project, else the built-in default."""
    for name in (locale, locale.split("_")[0]):
        path = folder / f"{name}.md" if folder else None
        if path is not None and path.is_file():
            return path.read_text(encoding="utf-8").strip()
    return DEFAULT_STYLES.get(locale) or DEFAULT_STYLES.get(locale.split("_")[0], "")


@dataclass(frozen=True)
class Term:
    source: str
    target: str
    note: str = ""


@dataclass(frozen=True)
class Prompt:
    locale: str
    style: str
    source_language: str = "it"

    @property
    def language(self) -> str:
        return LANGUAGES.get(self.locale) or LANGUAGES.get(self.locale.split("_")[0], self.locale)

    def messages(self, window: Window, masked: dict[str, str], terms: list[Term] = ()) -> list[dict]:
        """The chat: system (task, style, rules), the document as context, then the units as JSON."""
        system = (f"You translate press releases of an Italian regional government's press office from "
                  f"{LANGUAGES.get(self.source_language, self.source_language)} into {self.language} "
                  f"({self.locale}).\n\nHouse style:\n{self.style}\n\n{RULES}")
        messages = [{"role": "system", "content": system}]
        context = self._context(window, terms)
        if context:
            messages.append({"role": "user", "content": context})
        asked = {"translate": [{"id": unit.id, "text": masked[unit.id]} for unit in window.asked]}
        messages.append({"role": "user", "content": json.dumps(asked, ensure_ascii=False)})
        return messages

    def _context(self, window: Window, terms: list[Term]) -> str:
        document, asked = window.document, {unit.id for unit in window.asked}
        parts = []
        if terms:
            parts.append("Glossary (always use these translations):\n" + "\n".join(
                f"- {t.source} = {t.target}" + (f" ({t.note})" if t.note else "") for t in terms))
        if document.examples:
            parts.append("Approved translations of similar sentences from earlier releases:\n" + "\n".join(
                f"- {source}\n  = {target}" for source, target in document.examples))
        lines = [f"Title: {document.title}"] if document.title else []
        lines += [f"Date: {document.date}"] if document.date else []
        if window.context and window.context[0] != document.units[0]:
            lines.append("[... earlier units ...]")
        for unit in window.context:     # the units asked for are in the last message: not twice
            lines.append(f"[{unit.id}] (to translate, below)" if unit.id in asked else f"[{unit.id}] {unit.text}")
            if unit.approved:
                lines.append(f"    approved translation: {unit.approved}")
        if window.context and window.context[-1] != document.units[-1]:
            lines.append("[... later units ...]")
        if len(document.units) > 1 or document.title:
            heading = "The document, in order" if document.doc_id else "Texts translated together"
            parts.append(f"{heading} (context):\n" + "\n".join(lines))
        return "\n\n".join(parts)
