"""Lexical side of `ask`: tokenisation of wire copy and the BM25 posting-list index."""

from __future__ import annotations

import numpy as np
import pytest

from headlines.ask.lexical import BM25Index, tokenize


def test_tokenize_normalises_numbers_abbreviations_and_acronyms():
    assert tokenize("Qtly div 15 cts, net 1,234,000 dlrs in the U.S.") == [
        "quarter",
        "dividend",
        "15",
        "cent",
        "net",
        "1234000",
        "dollar",
        "us",
    ]
    assert tokenize("QUARTERLY DIVIDEND") == tokenize("qtly div")
    assert tokenize("4TH QTR JAN 31") == ["fourth", "quarter", "januari", "31"]
    assert "8.70" in tokenize("its 8.70 pct debentures")


def test_tokenize_drops_stopwords_and_possessives():
    assert tokenize("What did Macron's office say about the talks?") == ["macron", "offic", "talk"]


def test_initials_joined_by_and_are_one_name():
    assert tokenize("A AND P SETS HIGHER CAPITAL SPENDING")[0] == "a&p"
    assert tokenize("AT and T said") == tokenize("AT&T said") == ["at&t"]
    assert tokenize("S and L rescue") == ["s&l", "rescu"]
    assert tokenize("He and I went, and so did my brother") == ["went", "brother"]  # prose: nothing joined
    assert tokenize("UK and US talks") == ["uk", "us", "talk"]  # two countries, not one name


def test_a_word_whose_lower_case_is_longer_stays_one_token():
    assert tokenize("İstanbul talks") == tokenize("İSTANBUL TALKS") == ["i\u0307stanbul", "talk"]


def test_the_term_cache_is_bounded():
    from headlines.ask.lexical import _Terms

    terms = _Terms()
    terms.limit = 3
    assert [terms[w] for w in ("Profits", "rose", "sharply", "today")] == ["profit", "rose", "sharpli", ""]
    assert len(terms) <= 3


def test_bm25_ranks_the_document_that_holds_the_rare_terms():
    docs = [
        "France considers talks with Russia after Putin signals openness",
        "Time Warner quarterly profits rise on advert sales",
        "Football club wins the cup final in extra time",
    ]
    index = BM25Index()
    for doc in docs:
        index.add(tokenize(doc))
    scores = index.scores(tokenize("Russia talks"))
    assert int(np.argmax(scores)) == 0
    assert scores[1] == 0 and scores[2] == 0


def test_bm25_score_is_okapi_with_plus_one_idf():
    index = BM25Index(k1=1.2, b=0.75)
    index.add(["oil", "price"])
    index.add(["wheat", "export", "export", "price"])
    # doc 1: tf=2, len=4, avg len=3, N=2, df=1
    idf = np.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
    expected = idf * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 4 / 3))
    assert index.scores(["export"])[1] == pytest.approx(expected, rel=1e-5)


def test_bm25_lead_field_boosts_and_index_grows_incrementally():
    index = BM25Index()
    index.add(tokenize("the market fell as cocoa prices slid"), tokenize("market fell"), lead_weight=1.0)
    index.add(tokenize("cocoa crop estimates raised by exporters"), tokenize("cocoa crop estimates"), lead_weight=1.0)
    assert int(np.argmax(index.scores(tokenize("cocoa")))) == 1
    index.add(tokenize("cocoa cocoa cocoa buffer stock talks"), tokenize("cocoa buffer stock"), lead_weight=1.0)
    assert len(index) == 3 and len(index.scores(["cocoa"])) == 3
    assert int(np.argmax(index.scores(tokenize("buffer stock")))) == 2
