"""Language tools, built once per process and shared: pysbd's sentence
segmenters and lingua's language detectors.

Both are slow to build (pysbd compiles its rules, lingua loads its models), so
checks, MT segmentation and feeds all ask here rather than build their own.

    languages.segmenter("it").segment("Il dott. Rossi è arrivato. Poi è uscito.")
    languages.detector("ITALIAN", "ENGLISH").detect_language_of("Buongiorno a tutti")
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8)
def segmenter(language: str):
    """pysbd's segmenter for an ISO 639-1 code; the English rules where pysbd has none."""
    import pysbd
    try:
        return pysbd.Segmenter(language=language, clean=False)
    except ValueError:
        return pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=4)
def detector(*languages: str):
    """A lingua detector choosing among `languages` (names of lingua.Language,
    "ITALIAN"): the fewer, the faster and the surer."""
    from lingua import Language, LanguageDetectorBuilder
    return LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in languages)).build()
