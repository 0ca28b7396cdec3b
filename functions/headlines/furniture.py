"""Page furniture: the text around a story that is not the story (captions, video prompts, bylines and
timestamps, "Read more" links, share prompts).

Scraped bodies arrive in three shapes: with paragraph breaks, run together on one line, or (tabloid and
CNN/DailyMail-style archives) with each unpunctuated line ended by a lone ` .`. `clean_text` calls
`mark_lone_periods` to turn those lone periods back into line ends, `strip_inline_furniture` to cut
furniture that sits inside running text, and `is_furniture_line` to drop whole furniture lines; the
summarizer uses `is_furniture_sentence` so a caption that survives cleaning is never chosen.
"""

from __future__ import annotations

import re

_TIME_DATE = r"[^|.\n]{0,60}?\d{4}"
# "PUBLISHED: 14:11 EST, 25 October 2013 | UPDATED: 15:36 EST, 25 October 2013", with or without " . " between.
_TIMESTAMPS = re.compile(
    r"(?:\bPUBLISHED:\s*\.?\s*" + _TIME_DATE + r"\s*\.?\s*(?:\|\s*\.?\s*)?)?"
    r"\bUPDATED:\s*\.?\s*" + _TIME_DATE + r"(?:\s+\.(?=\s|$))?"
    r"|\bPUBLISHED:\s*\.?\s*" + _TIME_DATE + r"(?:\s+\.(?=\s|$))?"
    r"|\bLast updated(?: at)?\s+\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?(?:\s+\w+)?\s+on\s+" + _TIME_DATE + r"(?:\s+\.(?=\s|$))?"
)
# "By . Jane Doe . " / "By . Jane Doe For Mailonline . " at the start of a body whose lines end in lone periods.
_NAME = r"(?:[A-Z][\w'\u2019-]*\.?|and|for|For|of|in|,)(?:\s+(?:[A-Z][\w'\u2019-]*\.?|and|for|For|of|in|,)){0,8}?"
_LEAD_BYLINE = re.compile(r"(?:^|(?<=\s\.\s)|(?<=\n))\s*By\s+\.\s+" + _NAME + r"\s+\.(?:\s+and\s+" + _NAME + r"\s+\.)?(?=\s|$)")
# Furniture phrases that sit inside running text (no line break around them).
_INLINE = re.compile(
    r"\(\s*pictures? posed by models?\s*\)"
    r"|\b(?:VIDEO\s*)?(?:Scroll|SCROLL) (?:down|DOWN) (?:for|to|FOR|TO) [^.\n]{0,80}?"
    r"(?:video|VIDEO|videos|VIDEOS|watch|WATCH|more|MORE|DEBUT|debut)\b[^.\n]{0,60}?(?:\s+\.(?=\s|$)|(?=\s+[A-Z'\"\u2018\u201c]))"
    r"|\bWrite caption here\b\.?"
    # a video player's ad-feedback widget (CNN pages), in running text or on its own lines
    r"|(?:\b\d{1,2}\.\s*)?\bHow relevant is this ad to you\?"
    r"|\bVideo player was slow to load content\b[^.?!]{0,300}?\bOther issues\b"
)
# A caption ends without punctuation before the next sentence: "... recognisable (pictured) Police said ...".
_CAPTION_END = re.compile(
    r"(\((?:pictured|picture|photo|above|below|left|right|centre|center|inset)[^()]{0,40}\))\s+(?=[A-Z\"'\u2018\u201c])"
)
# Picture pointers inside a real sentence: "Bishop John Folda (pictured) of Fargo ..." -> "Bishop John Folda of Fargo ...".
_PICTURE_PAREN = re.compile(
    r"\s*\((?:(?:pictured|picture|photo|photographed|above|below|left|right|centre|center|top|bottom|inset|top left|top right"
    r"|bottom left|bottom right|far left|far right|second left|second right|file photo|file picture|file image)"
    r"(?:[ ,]+(?:left|right|centre|center|above|below|top|bottom|here|today|in \w+|with [^()]{1,40}|on [^()]{1,30}))*)\s*\)"
)
LINK_BULLETS = "\u25ba\u25b6\u00bb\u2022\u25a0\u2192"
"""Bullets and arrows pages put before a link ("\u25baRelated: ...", "\u00bb Read more"), as a regex class body."""
# Whole lines that are furniture wherever they stand.
_LINE = re.compile(
    rf"^\s*(?:[{LINK_BULLETS}]\s*)?(?:"
    r"(?i:read more|see also|more on this story|more from|click here|tap here|share this|share on|share or comment"
    # "Related talks resumed", "Subscribers rose" and "Advertisements today depict" open story paragraphs
    r"|related(?=\s*:|\s+(?:stories|articles|coverage|content|links?|videos?|reading|topics?)\b|\s*$)"
    r"|follow (?:us|@)|sign up|subscribe\b|advertisement\b|getty images|image:|photo:|picture:|video:|watch:|listen:"
    r"|image copyright|image caption|media caption|all rights reserved|copyright \u00a9|\u00a9"
    r"|sorry,? we are not (?:currently )?accepting comments|comments are closed|join the conversation|have your say)"
    r"|(?:Photo|Picture|Image)s?\s*(?:credit)?\s*:"
    r"|\(?(?:Photo|Picture|Image)s?\s+(?:by|courtesy of|credit)\b"
    r"|@\w+\s*$"
    r"|[_*=~#\u2022\u2013\u2014-]{2,}\s*$"  # separator rules: "___", "* * *"
    r"|(?i:get [^.]{1,40} in your inbox)"
    r"|[A-Z][\w.'\u2019 -]{0,60}/(?:Getty Images|AFP|Reuters|AP|EPA|Shutterstock|PA|Alamy|Rex)\b"
    r")"
)
_PICTURE_WORDS = re.compile(
    r"\b(?:pictured|picture[ds]?|photo(?:graph)?(?:ed|s)?|image[sd]?|video|footage|shown|seen here|above|below|left|right"
    r"|inset|poses?|posing|smiles?|smiling)\b",
    re.I,
)
_STRONG_PICTURE = re.compile(
    r"\b(?:pictured|photographed|is shown|are shown|seen here|inset)\b|, (?:left|right|above|below|centre)\b"
)
# "Caption label: text" (one to four words, then a colon) at the start of a caption line.
_LABEL = re.compile(r"^[\"'\u2018\u201c]?[A-Z0-9][\w'\u2019!?-]*(?: [\w'\u2019!?-]+){0,3}[:!?]\s+\S")
_TERMINAL = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_FUNCTION_END = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sir|St|The|An|a|an|the|of|to|in|on|at|by|for|from|with|and|or|but|as|that|which|who|whose"
    r"|is|are|was|were|be|been|has|have|had"
    r"|his|her|their|its|our|my|your|this|these|those|into|onto|than|then|not|no|will|would|could|should|can|may|might|must"
    r"|said|says|told|after|before|about|over|under|between|while|when|where|if)|[,;:\u2013\u2014-])$"
)
_LONE_PERIOD = re.compile(r"(?<=[^\s.])[ \t]+\.(?=\s|$)")


def mark_lone_periods(text: str) -> str:
    """Turn the lone ` .` that ends an unpunctuated line in tabloid archives back into a line end.

    A lone period inside a sentence is hard-wrap residue (`a woman who . claims`, `the Duke of . Edinburgh`):
    the two pieces are joined. Otherwise it ends a line (caption, heading, byline) and becomes a paragraph break.
    """
    if " ." not in text:
        return text
    pieces = _LONE_PERIOD.split(text)
    if len(pieces) == 1:
        return text
    out = pieces[0].rstrip()
    for piece in pieces[1:]:
        nxt = piece.strip()
        if not nxt:
            continue
        joins = nxt[0].islower() or _FUNCTION_END.search(out)
        out = f"{out} {nxt}" if joins else f"{out}\n\n{nxt}"
    return out


def strip_inline_furniture(text: str) -> str:
    """Remove furniture that runs inside the text: timestamps, a leading byline, video prompts, picture pointers."""
    text = _LEAD_BYLINE.sub(" ", text)
    text = _TIMESTAMPS.sub(" ", text)
    text = _INLINE.sub(" ", text)
    text = _CAPTION_END.sub(r"\1\n\n", text)
    return text


def drop_picture_pointers(sentence: str) -> str:
    """'Bishop John Folda (pictured) of Fargo' -> 'Bishop John Folda of Fargo'."""
    return _PICTURE_PAREN.sub("", sentence)


def has_terminal_punctuation(text: str) -> bool:
    return bool(_TERMINAL.search(text.strip()))


def is_caption(line: str) -> bool:
    """A line that labels or points at a picture: 'Busted: Davis was given a sweater', '... (pictured)'.

    Unpunctuated lines need only a label or a picture word; a punctuated one needs both a label and a plain
    picture pointer ('Questions: Prince Andrew is photographed with ..., left, and ...').
    """
    line = line.strip()
    if not line:
        return False
    if has_terminal_punctuation(line):
        return bool(_LABEL.match(line) and _STRONG_PICTURE.search(line))
    return bool(_LABEL.match(line) or _PICTURE_WORDS.search(line) or _PICTURE_PAREN.search(line))


_TITLE_WORD = re.compile(r"^(?:[A-Z0-9\u00c0-\u024f][\w.'\u2019&-]*,?|and|of|for|in|at|the|de|van|von|\||-|\u2013|\u2014)$")


def is_title_case_line(line: str) -> bool:
    """A short unpunctuated line of capitalised words: a byline ('Chris Chase, USA TODAY Sports') or a heading."""
    words = line.split()
    return 1 <= len(words) <= 8 and not has_terminal_punctuation(line) and all(_TITLE_WORD.match(w) for w in words)


def is_furniture_line(line: str) -> bool:
    """A whole line that is page furniture (share prompts, credits, 'Read more: ...', captions, bylines), not story text."""
    line = line.strip()
    if not line:
        return False
    if is_title_case_line(line):
        return True
    if _LINE.match(line):
        return True
    if _TIMESTAMPS.fullmatch(line.strip(" .|")):
        return True
    return is_caption(line)


# A picture agency's caption, which opens with a place and date in capitals: "WASHINGTON, DC - NOVEMBER 21: ...".
_AGENCY_CAPTION = re.compile(
    r"^[A-Z][A-Z .,'\u2019-]{1,40} [-\u2013\u2014] (?:JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER"
    r"|NOVEMBER|DECEMBER) \d{1,2}:\s"
)


def is_agency_caption(sentence: str) -> bool:
    """A photo agency's caption ('WASHINGTON, DC - NOVEMBER 21: President ... pardons ...'), kept apart from
    `is_furniture_line` so a body scraped as one line that opens with a caption keeps its story."""
    return bool(_AGENCY_CAPTION.match(sentence.strip()))


_PROMO = re.compile(
    r"\b(?:sign up|subscribe|click here|tap here|download (?:the|our) app|follow us|listen to|watch the full|read the full)\b"
    r"[^.]{0,80}\b(?:newsletter|inbox|podcast|here|app|updates|coverage|story|interview)\b",
    re.I,
)


def is_furniture_sentence(sentence: str) -> bool:
    """A sentence a reader would see as furniture: a furniture line, a caption, a prompt, or a newsletter/app promo."""
    return is_furniture_line(sentence) or bool(
        _INLINE.search(sentence) or _TIMESTAMPS.search(sentence) or _PROMO.search(sentence) or is_agency_caption(sentence)
    )
