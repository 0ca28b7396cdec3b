"""Text cleaning and sentence splitting tuned for news copy."""

from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]{0,2000}>", re.I | re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_BLANKS = re.compile(r"\n\s*\n+")
_BOILERPLATE = re.compile(
    r"^\s*(\(?\s*with inputs from [^)]*\)?\.?|\(?\s*this story has not been edited.*|reuter[s]?\.?|"
    r"\(?(reporting|editing|writing) by [^)]*\)?\.?)\s*$",
    re.I,
)


def clean_text(text: str) -> str:
    """Strip HTML remnants, control characters and agency boilerplate; keep paragraph breaks."""
    text = unicodedata.normalize("NFC", text)
    if "<" in text and ">" in text:
        text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for para in _BLANKS.split(text):
        lines = [_SPACES.sub(" ", ln).strip() for ln in para.split("\n")]
        lines = [ln for ln in lines if ln and not _BOILERPLATE.match(ln)]
        if lines:
            paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "gov", "sen", "rep", "col", "lt", "sgt",
    "capt", "cmdr", "adm", "maj", "rev", "hon", "pres", "inc", "corp", "co", "ltd", "plc", "bros",
    "no", "vs", "etc", "approx", "dept", "est", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "mt", "ft",
    "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "d.c", "n.y", "l.a",
}
_SENT_END = re.compile(r"([.!?]+[\"'\u201d\u2019)\]]*)(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split cleaned text into sentences, respecting abbreviations (U.S., Mr., Feb.) and quotes."""
    sentences: list[str] = []
    for para in clean_text(text).split("\n\n"):
        start = 0
        for m in _SENT_END.finditer(para):
            end = m.end(1)
            before = para[start:m.start(1)]
            last = before.rsplit(None, 1)[-1] if before.split() else ""
            token = last.lower().strip("(\"'\u201c")
            if m.group(1) == "." and (token in _ABBREV or (len(token) == 1 and token.isalpha())):
                continue
            sentence = para[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = m.end()
        tail = para[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def word_count(text: str) -> int:
    return len(text.split())


def truncate_words(text: str, max_words: int) -> str:
    """Cut to at most `max_words` words, marking the cut with an ellipsis."""
    words = text.split()
    if len(words) <= max_words:
        return text
    return " ".join(words[:max_words]).rstrip(",;:") + "\u2026"
