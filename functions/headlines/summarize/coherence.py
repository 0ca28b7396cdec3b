"""Mechanical checks for what a Slack reader trips over in an extractive summary.

The summarizer uses them to choose (`EmbeddingSummarizer.select`), `headlines eval summaries` uses the
same functions to count problems, so a readability regression shows like a ROUGE regression:

- furniture: a caption, prompt or byline (`headlines.furniture`);
- cut: a sentence without final punctuation, or cut with an ellipsis;
- unresolved opening: the summary opens with a pronoun or connective ("He said ...", "But ...") while the
  sentence before it in the article is not shown;
- quote without speaker: quoted words and nobody said to say them;
- near-duplicate pair: two sentences that share most of their content words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from headlines.furniture import has_terminal_punctuation, is_furniture_sentence
from headlines.summarize.words import content_words

_OPENERS = frozenset(
    (  # noqa: SIM905
        "he she they it him her them his its their theirs this these those that there here also but and or so yet "
        "however meanwhile moreover furthermore nevertheless nonetheless still instead then thus hence therefore "
        "besides otherwise likewise similarly conversely accordingly consequently indeed later afterwards earlier "
        "although though while whereas because since such both neither either another other others"
    ).split()
)
# Openers that point back only in some uses: "That is why ..." points back; "That night ..." need not.
_WEAK = frozenset({"that", "there", "here", "such", "both", "another", "other", "others", "while", "since", "although", "though"})
_THAT_VERBS = frozenset(
    {"is", "was", "means", "meant", "would", "will", "has", "had", "could", "should", "includes", "came", "comes"}
)
_LINKS = frozenset({"a", "an", "as", "of", "are", "is", "were", "was"})
_FIRST_WORD = re.compile(r"^[\"'\u201c\u2018(\[]*([A-Za-z]+)(?:['\u2019]([a-z]+))?")
_QUOTED = re.compile(
    r"[\"\u201c]([^\"\u201c\u201d]{3,})[\"\u201d]"  # double quotes
    r"|(?<![A-Za-z])['\u2018]([^'\u2018\u2019]{3,}?)['\u2019](?![A-Za-z])"  # single quotes, not apostrophes
)
_OPEN_QUOTE = re.compile(r"^\s*[\"'\u201c\u2018]")
_SPEECH = re.compile(
    r"\b(?:sa(?:id|ys?|ying)|tells?|telling|told|according to|add(?:s|ed|ing)|wr(?:ite|ites|iting|ote|itten)|tweet\w*|posted|"
    r"explain\w*|ask(?:s|ed|ing)|announc\w*|stat(?:es|ed|ing)|insist\w*|claim\w*|warn\w*|argu\w*|not(?:es|ed)|admit\w*|"
    r"declar\w*|repl(?:y|ies|ied)|recall\w*|confirm\w*|describ\w*|call(?:s|ed)|urg(?:es|ed)|suggest\w*|reveal\w*|"
    r"continu\w*|comment\w*|remark\w*|jok\w*|cr(?:y|ies|ied)|shout\w*|whisper\w*|exclaim\w*|conclud\w*|acknowledg\w*|"
    r"predict\w*|vow\w*|promis\w*|stress\w*|alleg\w*|accus\w*|blast\w*|slam\w*|brand\w*|dub(?:s|bed)|label\w*|quot\w*|"
    r"reads?|heard|hears|testif\w*|told|statement|spokes\w*|interview\w*|report\w*|sources?|known as|so-called|titled|entitled)\b",  # noqa: E501
    re.I,
)
_SPEAKER_COLON = re.compile(r"[A-Za-z][\w.'\u2019 -]{1,60}:\s*[\"'\u201c\u2018]")
QUOTE_MIN_WORDS = 4
"""A quotation this long or longer needs a speaker; 'scare quotes' around a word or two do not."""

DUPLICATE_OVERLAP = 0.6
"""Two sentences are near duplicates when this share of the shorter one's content words is in the other."""


def opening_word(sentence: str) -> str:
    m = _FIRST_WORD.match(sentence.strip())
    return m.group(1).lower() if m else ""


def is_dependent_opening(sentence: str) -> bool:
    """Whether the sentence leans on the one before it: an opening pronoun or connective ("He ...", "But ...")."""
    m = _FIRST_WORD.match(sentence.strip())
    if not m:
        return False
    word = m.group(1).lower()
    if word not in _OPENERS:
        return False
    if word in _WEAK:
        rest = sentence.strip()[m.end() :].lstrip(" ,")
        nxt = rest.split(None, 1)[0].lower() if rest else ""
        if word == "that":
            return nxt in _THAT_VERBS
        if word in {"there", "here"}:
            return nxt in {"he", "she", "they", "it", "we"}  # "There are ..." and "Here is ..." stand alone
        if word in {"while", "since", "although", "though"}:
            return False  # subordinating: the clause it opens is in the same sentence
        return word in {"such", "both", "another", "other", "others"} and nxt in _LINKS
    return True


def quoted_words(sentence: str) -> int:
    """Words inside quotation marks (the longest quoted span)."""
    spans = [(a or b) for a, b in _QUOTED.findall(sentence)]
    best = max((len(s.split()) for s in spans), default=0)
    if not best and _OPEN_QUOTE.match(sentence):
        best = len(sentence.split())  # a quote that runs on from the sentence (paragraph-long quotes)
    return best


def is_speakerless_quote(sentence: str) -> bool:
    """A quotation of `QUOTE_MIN_WORDS`+ words with no speech verb or 'Name: "..."' in the same sentence."""
    if quoted_words(sentence) < QUOTE_MIN_WORDS:
        return False
    outside = _QUOTED.sub(" ", sentence)
    return not (_SPEECH.search(outside) or _SPEAKER_COLON.search(sentence))


def is_cut(sentence: str) -> bool:
    """No final punctuation, or cut by the summarizer with an ellipsis."""
    s = sentence.strip()
    return not has_terminal_punctuation(s) or s.endswith("\u2026")


def near_duplicates(a: str, b: str, *, overlap: float = DUPLICATE_OVERLAP) -> bool:
    wa, wb = set(content_words(a)), set(content_words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= overlap


@dataclass
class ReaderProblems:
    """Counts over one summary (0 or 1 each, except pairs) or, summed, over a data set (summaries affected)."""

    furniture: int = 0
    cut: int = 0
    unresolved_opening: int = 0
    quote_without_speaker: int = 0
    near_duplicate: int = 0

    def __iadd__(self, other: ReaderProblems) -> ReaderProblems:
        for key in vars(self):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        return self

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def reader_problems(summary: Sequence[str], article_sentences: Sequence[str]) -> ReaderProblems:
    """Which problems a summary has (each counted once per summary), given the article's sentences in order.

    An opening is unresolved when it leans back (`is_dependent_opening`) and is not the article's first sentence.
    """
    problems = ReaderProblems()
    if not summary:
        return problems
    problems.furniture = int(any(is_furniture_sentence(s) for s in summary))
    problems.cut = int(any(is_cut(s) for s in summary))
    from headlines.summarize.trim import trim_sentence  # trim builds on this module's quote checks

    first = _norm(summary[0])
    lead = article_sentences[0] if article_sentences else None
    opener_is_lead = lead is not None and first in {_norm(lead), _norm(trim_sentence(lead))}
    problems.unresolved_opening = int(is_dependent_opening(summary[0]) and not opener_is_lead)
    problems.quote_without_speaker = int(any(is_speakerless_quote(s) for s in summary))
    problems.near_duplicate = int(any(near_duplicates(a, b) for i, a in enumerate(summary) for b in summary[i + 1 :]))
    return problems


def _norm(text: str) -> str:
    return " ".join(text.split())
