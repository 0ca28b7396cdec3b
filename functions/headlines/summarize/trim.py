"""Compression inside a sentence: drop the parts a summary reader does not need, keep the sentence whole.

Rule-based on punctuation (spaCy would parse each sentence for about as long as the encoder embeds it;
see docs/summaries.md), and conservative: every rule cuts a span that is set off by commas or brackets
and leaves a grammatical sentence that says the same thing.

- parentheticals: `the World Health Organization (WHO) said` -> `the World Health Organization said`,
  `£5m ($7.7m)` -> `£5m`; never a bracket holding a quotation, and never one that opens the sentence;
- nothing inside or after the first quotation mark: quoted words stay verbatim;
- ages: `John Smith, 45, was` -> `John Smith was`;
- non-restrictive appositions and relative clauses after a name: `Jane Doe, a spokeswoman for the agency,
  said` -> `Jane Doe said`; `Paris, which hosts the talks, is` -> `Paris is`;
- pronoun attribution tails of reported speech: `Prices will rise, he said.` -> `Prices will rise.` (the
  pronoun would point at nobody in a summary). Never inside a sentence with a quotation: a quote keeps its
  speaker. A named speaker (`..., the Pentagon said.`) is attribution a reader needs and stays.

A trim is undone when it would break what the summarizer guarantees (the result must still read on its own,
end with punctuation and keep at least `MIN_WORDS` words).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from headlines.summarize.coherence import is_cut, is_speakerless_quote, quoted_words

MIN_WORDS = 6
"""A trimmed sentence shorter than this is not worth showing; the original is kept."""

_QUOTE_CHARS = '"\u201c\u201d'

_OPENING_QUOTE = re.compile(r"(?:^|(?<=[\s:(\[]))[\"'\u201c\u2018]")
_PAREN = re.compile(r"(?<=[\w.%]) \((?P<inner>[^()\"\u201c\u201d]{1,80})\)(?=[\s,.;:!?'\u2019\"\u201d]|$)")

_AGE = re.compile(r"(?<=[A-Za-z])(?P<cut>, (?:aged )?\d{1,3},)(?= [a-z])")

_DET = r"(?:the|a|an|this|these|those|his|her|its|their|our|my|your|he|she|it|they|we|i)\b"
_APPOSITION = re.compile(
    r"(?P<name>\b(?!(?:However|Yesterday|Today|Meanwhile|Now|Still|Instead|Also|Then|Last|Earlier|Later|Separately|"
    r"Overall|Indeed|Finally|Similarly|Nevertheless|Moreover|Furthermore|Again|Here|There|Initially|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][a-z'\u2019-]+)"
    r"(?P<cut>, (?:a|an|the|who|whose|which|now|formerly|then) [^,;:()\"\u201c\u201d]{3,80}?,)"
    r"(?= (?!and\b|or\b|but\b|nor\b|as\b|including\b|while\b|who\b|which\b|whose\b|that\b|" + _DET + r")[a-z])"  # the main verb
)

_PRONOUN_TAIL = re.compile(
    r", (?:he|she|they|it|we) (?:said|says|added|adds|told (?:\w+ ){0,2}?\w+|explained|noted|stated|continued|wrote|claimed)"
    r"(?: (?:on|last|this|early|late) \w+| yesterday| today| in a statement)?(?P<end>[.!])$"
)
_ACCORDING_PRONOUN = re.compile(r", according to (?:him|her|them)(?P<end>[.!])$")


def _quote_start(text: str) -> int:
    """Where the first quotation opens (or the text's length): brackets after it may be the editor's
    (`the (organization) decided`, `He (McNair) hadn't`) and stay. Conservative: a quote may close again,
    and apostrophes make single quotes too ambiguous to pair."""
    m = _OPENING_QUOTE.search(text)
    return m.start() if m else len(text)


def _before_quote(pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]) -> str:
    quote_at = _quote_start(text)
    return pattern.sub(lambda m: replace(m) if m.start() < quote_at else m.group(0), text)


def trim_sentence(sentence: str) -> str:
    """The sentence without parentheticals, ages, appositions after a name and pronoun attribution tails.

    Returns the sentence unchanged when no rule applies, or when the trimmed form would be cut, too short,
    or a quotation that lost its speaker.
    """
    original = sentence.strip()
    text = original
    if not text or text[0] == "(":
        return original
    # Only before the first quotation: quoted words stay verbatim.
    text = _before_quote(_PAREN, text, lambda m: "")
    text = _before_quote(_AGE, text, lambda m: "")
    text = _before_quote(_APPOSITION, text, lambda m: m.group("name"))
    if not any(c in text for c in _QUOTE_CHARS) and not quoted_words(text):
        text = _PRONOUN_TAIL.sub(lambda m: m.group("end"), text)
        text = _ACCORDING_PRONOUN.sub(lambda m: m.group("end"), text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    if text == original:
        return original
    if len(text.split()) < MIN_WORDS or is_cut(text):
        return original
    if is_speakerless_quote(text) and not is_speakerless_quote(original):
        return original
    return text
