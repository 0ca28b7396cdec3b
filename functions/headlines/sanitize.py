"""Unicode hygiene for untrusted text: what enters (article fields) and what leaves (Slack, the terminal).

Article text comes from anyone. Invisible characters can spoof what a reader sees or break what the
model reads: bidi overrides and isolates (U+202A-E, U+2066-9) reorder a headline on screen ("evil.com"
shown as "moc.live"), a zero-width space inside a word ("Rus\\u200bsia") hides it from the country tagger
and would later become a visible space, and C0/C1 controls (ESC, CSI) drive a terminal (set its title,
clear the screen). `clean_unicode` removes them all and keeps every visible character, line breaks and
tabs; zero-width joiners are kept where a script needs them (Arabic, Indic, emoji sequences) and removed
between letters of scripts that never use them. `for_terminal` also escapes rich markup.
"""

from __future__ import annotations

import re

_BIDI = "\u202a-\u202e\u2066-\u2069"
"""Embeddings, overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI)."""
_INVISIBLE = "\u200b\u2060\ufeff\u180e\u00ad"
"""Zero-width space, word joiner, zero-width no-break space (BOM), Mongolian vowel separator, soft hyphen."""
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f"
"""C0 controls except tab, LF and CR; DEL; C1 controls (CSI is U+009B)."""
_REMOVE = re.compile(f"[{_BIDI}{_INVISIBLE}{_CONTROLS}]")
_SIMPLE_LETTER = "A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff"
"""Latin, Greek, Cyrillic, kana and CJK ideographs: scripts where ZWJ/ZWNJ inside a word only hide it."""
_JOINER_IN_WORD = re.compile(f"(?<=[{_SIMPLE_LETTER}])[\u200c\u200d]+(?=[{_SIMPLE_LETTER}])")
_LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029\x85]+")

# Scripts written without spaces between words: a one-"word" title in them is still a title.
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]"
)


def clean_unicode(text: str) -> str:
    """`text` without bidi controls, zero-width characters or C0/C1 controls (tab, LF and CR kept)."""
    if text.isascii() and text.isprintable():
        return text
    text = _JOINER_IN_WORD.sub("", text)
    return _REMOVE.sub("", text)


def clean_line(text: str) -> str:
    """`clean_unicode`, and line breaks and tabs as single spaces: for one-line fields (titles, sources)."""
    return _LINE_BREAKS.sub(" ", clean_unicode(text)).strip()


def for_terminal(text: str) -> str:
    """Safe to print with rich: controls removed (no escape sequences reach the terminal), markup escaped
    (`[/bold]` or `[link=...]` in a story shows as written, never styles, links or crashes)."""
    from rich.markup import escape

    return escape(clean_unicode(text))


def written_without_spaces(text: str) -> bool:
    """True when most of `text`'s letters are in a script written without spaces (Chinese, Japanese, Thai, ...)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _UNSPACED.match(c)) * 2 >= len(letters)
