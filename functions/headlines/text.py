"""Text cleaning and sentence splitting tuned for news copy.

News bodies arrive with wire-service furniture around the story: datelines (`PARIS, Feb 26 (Reuters) -`),
bylines (`By Jane Doe`, `Devdiscourse News Desk | Paris`), agency tails (`(With inputs from agencies.)`,
`Reuter`), HTML remnants and hard-wrapped lines. `clean_text` removes that furniture and keeps paragraph
breaks; `split_sentences` splits the rest without breaking on abbreviations (U.S., Mr., Feb.), initials,
decimals or quotes. Both are pure functions, and `clean_text` is idempotent.
"""

from __future__ import annotations

import html
import re
import unicodedata

from headlines.furniture import (
    drop_picture_pointers,
    has_terminal_punctuation,
    is_caption,
    is_furniture_line,
    is_title_case_line,
    mark_lone_periods,
    strip_inline_furniture,
)

MAX_TEXT_CHARS = 200_000
"""`split_sentences` reads at most this many characters of cleaned text (about 30,000 words); the rest is ignored."""

_HTML_ELEMENTS = (
    "a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|button|canvas|caption|center|cite|code|col|"
    "colgroup|data|datalist|dd|del|details|dfn|dialog|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|frame|"
    "h[1-6]|head|header|hgroup|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|main|map|mark|meta|meter|nav|noscript|"
    "object|ol|optgroup|option|output|p|param|picture|pre|progress|q|rp|rt|ruby|s|samp|section|select|small|source|span|"
    "strike|strong|sub|summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|time|title|tr|track|tt|u|ul|var|video|wbr"
)
# Real markup only: a known HTML element name right after `<` or `</`, then whitespace, `/` or `>`. Prose such as
# "stayed < 2% while growth was > 3%" and Reuters-style company names `<Acme Corp>` are not tags.
_TAG = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<!DOCTYPE[^>]{0,200}>"
    r"|</?(?:" + _HTML_ELEMENTS + r")(?=[\s/>])(?:[^<>\"']|\"[^\"]{0,2000}\"|'[^']{0,2000}'){0,2000}>",
    re.I | re.S,
)
_BLOCK_TAG = re.compile(
    r"<(?:script|style|!--|/?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|form|h[1-6]|header|hr|"
    r"li|main|nav|ol|p|pre|section|table|tbody|td|th|thead|tr|ul)(?=[\s/>]))",
    re.I,
)


def _tag_break(m: re.Match[str]) -> str:
    """Block-level markup ends a paragraph; inline markup (links, bold, spans) disappears without a break."""
    return "\n\n" if _BLOCK_TAG.match(m.group(0)) else ""


# Reuters-style `<Acme Corp>` marks a company name: keep the name, drop the brackets.
_ANGLE_NAME = re.compile(r"<([A-Z][A-Za-z0-9&.,'\- ]{0,80}?)>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")
# Reuters-style hard-wrapped copy marks a new paragraph with an indented line.
_INDENTED = re.compile(r"\n[ \t]{3,}(?=\S)")

_BOILERPLATE_LINE = re.compile(
    r"^\s*(?:"
    r"(?i:\(?\s*with (?:additional )?inputs? from [^)]*\)?\.?"
    r"|\(?\s*this (?:story|article) has not been edited.*"
    r"|\(?\s*(?:this|the) (?:story|article|report) (?:was|is) (?:auto-)?generated from .*"
    r"|reuters?\.?"
    r"|\(?\s*(?:reporting|editing|writing|additional reporting) by [^)]*\)?\.?)"
    r"|[Bb]y [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}(?:,? (?:[A-Z][\w.'-]*|for|of|and|in) ?){0,6}"
    r"|[A-Z][\w.' -]{1,60}(?:\s*\|\s*[^|]{1,60}){1,6}"
    r"|\((?:AP|AFP|Reuters|IANS|PTI|ANI|dpa|Xinhua|UPI)\)\.?"
    r")\s*$",
)
# Trailing agency marks glued to the last paragraph: "... said. Reuter", "... (With inputs from agencies.)".
_TAIL_BOILERPLATE = re.compile(r"(?:\s+(?:Reuters?|REUTER)\s*|\s*\(\s*with (?:additional )?inputs? from [^)]*\)\.?\s*)$", re.I)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "PARIS, Feb 26 (Reuters) - " / "NEW YORK (AP) — " / "WASHINGTON, March 3 - " at the very start of the story.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\u2019-]+(?:\s+[A-Z][A-Z.'\u2019-]+){0,3})"
    r"(?:\s*,\s*(?:[A-Z][a-zA-Z.]+\s*,\s*)?" + _MONTH + r"\s+\d{1,2}(?:\s*,\s*\d{4})?)?"
    r"(?:\s*\((?:Reuters|AP|AFP|IANS|PTI|ANI|dpa|Xinhua|UPI|Bloomberg)\))?"
    r"\s*[-\u2013\u2014]+\s+(?=\S)"
)


# "Beirut (CNN) -- " / "(CNN) -- " / "Canberra, Australia (CNN) -- ": any place in title case when an agency follows.
_AGENCY_DATELINE = re.compile(
    r"^(?:[A-Z][\w.'\u2019-]+(?:,?\s+[A-Z][\w.'\u2019-]+){0,4}\s*)?"
    r"\((?:CNN|Reuters|AP|AFP|IANS|PTI|ANI|dpa|Xinhua|UPI|Bloomberg|EW\.com|CNN Student News)\)\s*[-\u2013\u2014]+\s+(?=\S)"
    r"|^\((?:CNN|CNN Business|CNN Student News)\)\s+(?=[A-Z\"'\u201c\u2018])"  # CNN's own pages: "(CNN) Secretary of State ..."
)


def strip_dateline(paragraph: str) -> str:
    """Drop a wire dateline from the start of the story's first paragraph.

    The place must be in capitals and followed by a dash (`SALVADOR, Feb 26 -`), so ordinary openings
    such as `US-China talks ...` are left alone.
    """
    agency = _AGENCY_DATELINE.match(paragraph)
    if agency:
        return paragraph[agency.end() :]
    m = _DATELINE.match(paragraph)
    if not m:
        return paragraph
    place = m.group(0).split(",")[0].split("(")[0].strip(" -\u2013\u2014")
    if len(place.replace(".", "").replace(" ", "")) < 3 and "," not in m.group(0) and "(" not in m.group(0):
        return paragraph  # "UK - ..." is too ambiguous to strip
    return paragraph[m.end() :]


def clean_text(text: str) -> str:
    """Strip HTML remnants, control characters, datelines, bylines and agency boilerplate; keep paragraph breaks."""
    text = unicodedata.normalize("NFC", text)
    if "<" in text and ">" in text:
        text = _TAG.sub(_tag_break, text)
        text = _ANGLE_NAME.sub(r"\1", text)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INDENTED.sub("\n\n", text)
    text = mark_lone_periods(strip_inline_furniture(_SPACES.sub(" ", text)))
    paragraphs = _paragraphs(text, drop_furniture=True) or _paragraphs(text, drop_furniture=False)
    while paragraphs:
        tail = _TAIL_BOILERPLATE.sub("", paragraphs[-1]).strip()
        if tail == paragraphs[-1]:
            break
        if tail:
            paragraphs[-1] = tail
            break
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def _drop_trailing_caption(paragraph: str) -> str:
    """'... illnesses. Final embrace: These sessions are for elderly pets' -> '... illnesses.' (a caption run in)."""
    if has_terminal_punctuation(paragraph):
        return paragraph
    last = None
    for m in _SENT_END.finditer(paragraph):
        if _is_boundary(paragraph[: m.start(1)], m.group(1), paragraph[m.end() : m.end() + 40]):
            last = m
    if last is not None and (is_caption(paragraph[last.end() :]) or is_title_case_line(paragraph[last.end() :])):
        return paragraph[: last.end(1)]
    return paragraph


def _paragraphs(text: str, *, drop_furniture: bool) -> list[str]:
    """Paragraphs with boilerplate lines (and, unless that leaves nothing, furniture lines) removed."""
    paragraphs: list[str] = []
    for para in _BLANKS.split(text):
        lines = [_SPACES.sub(" ", ln).strip() for ln in para.split("\n")]
        lines = [ln for ln in lines if ln and not _BOILERPLATE_LINE.match(ln)]
        if drop_furniture:
            lines = [ln for ln in map(_drop_trailing_caption, lines) if not is_furniture_line(ln)]
        if not lines:
            continue
        joined = " ".join(lines)
        joined = _SPACES.sub(" ", drop_picture_pointers(joined)).strip()
        if not paragraphs:
            joined = strip_dateline(joined)
        if joined:
            paragraphs.append(joined)
    return paragraphs


# Words that end in a period without ending the sentence. Titles never end one ("Mr. Smith");
# acronyms (U.S., U.K.) do when the next word plainly starts a sentence ("... in the U.S. The ...").
_TITLES = {
    "mr",
    "mrs",
    "ms",
    "messrs",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "gen",
    "gov",
    "sen",
    "rep",
    "col",
    "lt",
    "sgt",
    "capt",
    "cmdr",
    "adm",
    "maj",
    "rev",
    "hon",
    "pres",
    "supt",
    "insp",
    "det",
    "cpl",
    "pvt",
    "mt",
    "ft",
    "nos",
    "vs",
    "v",
    "approx",
    "dept",
    "est",
    "fig",
    "vol",
    "ch",
    "art",
    "para",
    "op",
    "cf",
    "ed",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "e.g",
    "i.e",
    "viz",
    "al",
    # Abbreviated given names, common in company names ("Chas. P. Young Co", "Wm. Wrigley Jr. Co").
    "chas",
    "wm",
    "geo",
    "thos",
    "jas",
    "jos",
    "robt",
    "benj",
    "saml",
    "edw",
}
_ENDING_ABBREV = {"inc", "corp", "co", "ltd", "plc", "bros", "etc", "llc", "a.m", "p.m", "jr", "sr"}
_STARTERS = {
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "but",
    "and",
    "in",
    "on",
    "at",
    "for",
    "if",
    "when",
    "while",
    "after",
    "before",
    "its",
    "his",
    "her",
    "their",
    "our",
    "as",
    "so",
    "yet",
    "however",
    "meanwhile",
    "also",
    "some",
    "many",
    "most",
    "officials",
}
_SENT_END = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)\]]*)(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z0-9\u00c0-\u024f])")


def _is_boundary(before: str, punct: str, after: str) -> bool:
    """Decide whether the punctuation after `before` ends a sentence, given the text that follows."""
    if not punct.startswith(".") or punct.startswith("..."):
        return True
    words = before.split()
    if not words:
        return False
    token = words[-1].lower().strip("(\"'\u201c\u2018[")
    next_word = after.split(None, 1)[0].strip("\"'\u201c\u2018([").lower() if after.strip() else ""
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "J. Smith"
    if token in _TITLES:
        return False
    if token == "no":
        return not next_word[:1].isdigit()  # "No. 10" is a number; "... said no." ends a sentence
    if "." in token and all(len(part) <= 2 for part in token.split(".")):
        # An acronym such as U.S. or U.K.: a boundary only before a word that plainly starts a sentence.
        return next_word in _STARTERS
    if token in _ENDING_ABBREV:
        return next_word in _STARTERS
    return True


def split_sentences(text: str) -> list[str]:
    """Split text into sentences after cleaning it, respecting abbreviations (U.S., Mr., Feb.) and quotes.

    Example: `split_sentences('Mr. Smith went to the U.S. on Feb. 3. "It was fine," he said.')`
    gives `['Mr. Smith went to the U.S. on Feb. 3.', '"It was fine," he said.']`.
    """
    return [sentence for sentence, _ in split_sentences_with_paragraphs(text)]


def split_sentences_with_paragraphs(text: str) -> list[tuple[str, bool]]:
    """Like `split_sentences`, each sentence paired with whether it opens a paragraph."""
    sentences: list[tuple[str, bool]] = []
    for para in clean_text(text)[:MAX_TEXT_CHARS].split("\n\n"):
        start = 0
        first = True
        for m in _SENT_END.finditer(para):
            if not _is_boundary(para[start : m.start(1)], m.group(1), para[m.end() : m.end() + 40]):
                continue
            sentence = para[start : m.end(1)].strip()
            if sentence:
                sentences.append((sentence, first))
                first = False
            start = m.end()
        tail = para[start:].strip()
        if tail:
            sentences.append((tail, first))
    return sentences


def word_count(text: str) -> int:
    return len(text.split())


def truncate_words(text: str, max_words: int) -> str:
    """Cut to at most `max_words` words, marking the cut with an ellipsis."""
    words = text.split()
    if len(words) <= max_words:
        return text
    return " ".join(words[:max_words]).rstrip(",;:") + "\u2026"
