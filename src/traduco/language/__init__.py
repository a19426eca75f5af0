"""What the texts are made of, in Italian, Chinese and English.

Sentences, numbers and dates as values, the spans MT must not touch, and the
project glossary: shared by extraction, MT, the checks and the memory.

- `language.sentences`: where sentences end (sentencex, figures and abbreviations kept whole), lingua's detectors
- `language.numbers`: numbers and dates as values, read the way each language writes them
- `language.masking`: what MT must not touch, swapped for tokens and put back
- `language.glossary`: the project glossary: approved translations of names and terms
"""
