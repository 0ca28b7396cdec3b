"""Lexical scoring: a news-aware tokenizer and an Okapi BM25 index over numpy posting lists.

Why not `rank_bm25` here: it scores by looping over every document per query term (tens of ms per
term at 50,000 stories); posting lists touch only the documents that hold a term. `rank_bm25` stays
as the independent baseline in `headlines eval retrieval`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

# Words that carry no topic in questions or news copy. Short on purpose: "net", "up", "us" stay.
_STOPWORDS = """a an the and or but if of to in on at by for from with as into onto about over after before than then
    is are was were be been being am do does did doing have has had having will would shall should can could
    may might must it its this that these those there here what which who whom whose when where why how
    i me my we our you your he him his she her they them their not no so such too very just also any all
    some each other more most own same only both few again further once s t don said says say tell told
    happening happened happen latest news recent recently going on week today yesterday month"""
STOPWORDS = frozenset(_STOPWORDS.split())

# Wire-copy abbreviations and their spelled-out forms share one token, so a question in plain words
# ("quarterly dividend") meets a story in agency shorthand ("Qtly div") and the other way round.
NORMALISE = {
    **dict.fromkeys(("qtr", "qtrs", "qtly", "qtrly", "quarterly"), "quarter"),
    **dict.fromkeys(("shr", "shrs"), "share"),
    **dict.fromkeys(("div", "divs"), "dividend"),
    **dict.fromkeys(("dlr", "dlrs", "dollars"), "dollar"),
    **dict.fromkeys(("ct", "cts", "cents"), "cent"),
    **dict.fromkeys(("mln", "mlns", "millions"), "million"),
    **dict.fromkeys(("bln", "billions"), "billion"),
    **dict.fromkeys(("pct", "per-cent"), "percent"),
    **dict.fromkeys(("rev", "revs", "revenues"), "revenue"),
    **dict.fromkeys(("mth", "mths", "mos"), "month"),
    **dict.fromkeys(("yr", "yrs"), "year"),
    "oper": "operating",
    "avg": "average",
    "govt": "government",
    "intl": "international",
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
    "1st": "first",
    "2nd": "second",
    "3rd": "third",
    "4th": "fourth",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}

# Initials joined by "and" are one name in wire copy ("A and P", "AT and T", "S and L"), as "A&P" is:
# capitals only ("I and my" is prose) and one side a single letter, so "UK and US" stay two countries.
# Dotted acronyms ("U.S.", "U.K.") become one token; numbers keep decimals and drop thousands
# separators ("1,234,000" -> "1234000", "8.70" stays); ordinals stay whole ("4th"); words keep inner
# apostrophes and ampersands ("at&t"). Matched on the text as written; `_term` lower-cases.
_TOKEN = re.compile(
    r"\b[A-Z]{1,2}\s+(?:and|AND|&)\s+[A-Z]\b|\b[A-Z]\s+(?:and|AND|&)\s+[A-Z]{2}\b"
    r"|(?:[^\W\d_]\.){2,}|\d+(?:[sS][tT]|[nN][dD]|[rR][dD]|[tT][hH])\b|\d+(?:[.,/]\d+)*|[^\W\d_]+(?:[&'][^\W\d_]+)*",
    re.UNICODE,
)


@lru_cache(maxsize=1)
def _stemmer():  # PyStemmer has no type hints
    """The Snowball English stemmer (PyStemmer: C, imports in about a millisecond)."""
    import Stemmer

    return Stemmer.Stemmer("english")


def _term(raw: str) -> str:
    """One token as matched -> its index term ('' to drop it)."""
    if raw[0].isdigit() and raw[-1].isdigit():
        return raw.replace(",", "")
    parts = raw.split()
    if len(parts) > 1:  # only the initials pattern spans spaces: "A and P" -> "a&p"
        return f"{parts[0]}&{parts[-1]}".lower()
    tok = raw.lower()
    if "." in tok:
        tok = tok.replace(".", "")
    if tok.endswith("'s"):
        tok = tok[:-2]
    tok = tok.replace("'", "")
    tok = NORMALISE.get(tok, tok)
    if tok in STOPWORDS or (len(tok) < 2 and not tok.isdigit()):
        return ""
    if len(tok) <= 3 or not tok.isalpha():
        return tok
    return _stemmer().stemWord(tok)


class _Terms(dict[str, str]):
    """Token as matched -> index term, worked out on first sight: a warm process normalises and stems
    each distinct spelling once, and a lookup is a plain dict hit (the cold index load makes millions)."""

    limit = 1_000_000

    def __missing__(self, raw: str) -> str:
        if len(self) >= self.limit:  # bounded: hostile input cannot grow it without end
            self.clear()
        term = self[raw] = _term(raw)
        return term


_TERMS = _Terms()


def fingerprint() -> str:
    """Changes whenever `tokenize` could give other terms (patterns, word lists, stemmer version), so an
    index saved by another version of this code is not reused (`ask.snapshot`)."""
    import Stemmer

    parts = [_TOKEN.pattern, json.dumps(sorted(NORMALISE.items())), " ".join(sorted(STOPWORDS)), f"snowball {Stemmer.version()}"]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def tokenize(text: str) -> list[str]:
    """Lower-cased, normalised, stemmed content tokens.

    >>> tokenize("Texaco's qtly profits rose 1,234 mln dlrs, 8.70 pct in the U.S.")
    ['texaco', 'quarter', 'profit', 'rose', '1234', 'million', 'dollar', '8.70', 'percent', 'us']
    >>> tokenize("A AND P SETS HIGHER SPENDING") == tokenize("A&P sets higher spending")
    True
    """
    return list(filter(None, map(_TERMS.__getitem__, _TOKEN.findall(text))))


class BM25Index:
    """Okapi BM25 over documents given as token lists, optionally with a weighted lead field.

    `lead_weight` counts each lead token that many extra times (a BM25F-style field boost): the
    headline and first sentence say what a news story is about.
    """

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._frozen: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        """Each token's posting list as arrays: document rows (int32) and term frequencies (float32)."""
        self._pending: dict[str, tuple[list[int], list[float]]] = {}
        """Postings added since the last freeze, appended to `_frozen` on the next read."""
        self._lengths: list[float] = []
        self._dirty = False

    def __len__(self) -> int:
        return len(self._lengths)

    def add(self, body: Sequence[str], lead: Sequence[str] = (), *, lead_weight: float = 0.0) -> int:
        """Index one document; returns its row number."""
        row = len(self._lengths)
        tf: dict[str, float] = dict(Counter(body))
        if lead_weight:
            for tok in lead:
                tf[tok] = tf.get(tok, 0.0) + lead_weight
        pending = self._pending
        for tok, n in tf.items():
            posting = pending.get(tok)  # not setdefault: that builds two empty lists per call
            if posting is None:
                posting = pending[tok] = ([], [])
            posting[0].append(row)
            posting[1].append(n)
        self._lengths.append(float(sum(tf.values())))
        self._dirty = True
        return row

    def _freeze(self) -> None:
        if not self._dirty:
            return
        # Only the posting lists that grew are touched: adding one story stays cheap.
        for tok, (ids, counts) in self._pending.items():
            new = (np.asarray(ids, dtype=np.int32), np.asarray(counts, dtype=np.float32))
            old = self._frozen.get(tok)
            self._frozen[tok] = new if old is None else (np.concatenate([old[0], new[0]]), np.concatenate([old[1], new[1]]))
        self._pending.clear()
        self._length_arr = np.asarray(self._lengths, dtype=np.float32)
        avg = float(self._length_arr.mean()) if len(self._lengths) else 1.0
        self._norm = self.k1 * (1 - self.b + self.b * self._length_arr / max(avg, 1e-9))
        self._dirty = False

    def export(self) -> dict[str, np.ndarray]:
        """The index as a few flat arrays (for a snapshot): vocabulary, posting offsets, rows, frequencies, lengths."""
        self._freeze()
        vocabulary = list(self._frozen)
        sizes = np.fromiter((len(self._frozen[t][0]) for t in vocabulary), dtype=np.int64, count=len(vocabulary))
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        empty = np.zeros(0, dtype=np.int32)
        return {
            # A JSON blob, not a fixed-width string array: one very long token would widen every entry.
            "vocabulary": np.frombuffer(json.dumps(vocabulary, ensure_ascii=False).encode(), dtype=np.uint8),
            "offsets": offsets,
            "rows": np.concatenate([self._frozen[t][0] for t in vocabulary]) if vocabulary else empty,
            "frequencies": np.concatenate([self._frozen[t][1] for t in vocabulary]) if vocabulary else empty.astype(np.float32),
            "lengths": np.asarray(self._lengths, dtype=np.float32),
        }

    @classmethod
    def restore(cls, arrays: dict[str, np.ndarray], *, k1: float, b: float) -> BM25Index:
        """An index equal to the one `export` was called on; posting lists are views into the arrays."""
        index = cls(k1=k1, b=b)
        offsets, rows, freqs = arrays["offsets"], arrays["rows"], arrays["frequencies"]
        vocabulary = json.loads(arrays["vocabulary"].tobytes().decode())
        index._frozen = {
            tok: (rows[offsets[i] : offsets[i + 1]], freqs[offsets[i] : offsets[i + 1]]) for i, tok in enumerate(vocabulary)
        }
        index._lengths = arrays["lengths"].tolist()
        index._dirty = True  # recompute the length norms on first read
        return index

    def document_frequency(self, token: str) -> int:
        """How many indexed documents hold `token`."""
        self._freeze()
        posting = self._frozen.get(token)
        return 0 if posting is None else len(posting[0])

    def idf(self, token: str) -> float:
        df = self.document_frequency(token)
        if not df:
            return 0.0
        n = len(self._lengths)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: Iterable[str]) -> np.ndarray:
        """BM25 score of every document (float32, length = documents indexed)."""
        self._freeze()
        out = np.zeros(len(self._lengths), dtype=np.float32)
        for tok, qtf in Counter(query).items():
            posting = self._frozen.get(tok)
            if posting is None:
                continue
            ids, tf = posting
            idf = self.idf(tok)
            out[ids] += qtf * idf * tf * (self.k1 + 1) / (tf + self._norm[ids])
        return out
