"""What reaches Slack reads cleanly: the reader checks themselves, and the summarizer's choices under them."""

from __future__ import annotations

import numpy as np
import pytest

from headlines.summarize.coherence import (
    is_cut,
    is_dependent_opening,
    is_speakerless_quote,
    near_duplicates,
    reader_problems,
)
from headlines.summarize.embedding import Document, EmbeddingSummarizer
from tests.fakes.encoders import HashingEncoder


@pytest.mark.parametrize(
    ("sentence", "dependent"),
    [
        ("He said the plan would fail.", True),
        ("But the council refused.", True),
        ("However, prices rose.", True),
        ("'They will pay,' she said.", True),
        ("This means fares will rise.", True),
        ("That is why the vote matters.", True),
        ("The council refused.", False),
        ("That night the storm arrived.", False),
        ("There are three candidates.", False),
        ("While prices rose, wages fell.", False),
        ("Heathrow said flights would resume.", False),
    ],
)
def test_dependent_openings(sentence: str, dependent: bool) -> None:
    assert is_dependent_opening(sentence) is dependent


@pytest.mark.parametrize(
    ("sentence", "speakerless"),
    [
        ("'We will not back down from this fight,' the mayor said.", False),
        ("He added: 'Mr Smith will now spend six years behind bars.'", False),
        ("'We will not back down from this fight.'", True),
        ("\u201cThe dangers of drink driving are obvious to everyone.\u201d", True),
        ("The so-called 'trash fish' feed the prawns.", False),
        ("According to police, 'the driver had been drinking heavily' that night.", False),
    ],
)
def test_quotes_need_a_speaker(sentence: str, speakerless: bool) -> None:
    assert is_speakerless_quote(sentence) is speakerless


def test_cut_and_duplicates() -> None:
    assert is_cut("The pair were recorded taking the tablet") and is_cut("The council voted to cut\u2026")
    assert not is_cut("The council voted.") and not is_cut("'It is over,' he said.'") and not is_cut("Is it over?")
    assert near_duplicates(
        "The bishop exposed hundreds of church members to hepatitis A.",
        "Hundreds of church members were exposed to hepatitis A by the bishop.",
    )
    assert not near_duplicates("The bishop exposed church members to hepatitis A.", "Symptoms include fever and nausea.")


ARTICLE = [
    "The council approved a new budget for public transport on Monday.",  # 0
    "It includes money for forty new electric buses.",  # 1: leans on 0
    "Bus fares will fall by ten percent next year.",  # 2
    "'This is the best day for commuters in a decade.'",  # 3: speakerless quote
    "Councillors leave the town hall (pictured) after the vote",  # 4: caption, no final punctuation
    "Bus fares will fall by ten percent from next year, the council said.",  # 5: near-duplicate of 2
    "Scroll down for video",  # 6: furniture
]


def choose(scores: list[float], sentences: int = 2, max_words: int = 60) -> list[str]:
    encoder = HashingEncoder()
    summarizer = EmbeddingSummarizer(encoder)
    doc = Document(sentences=ARTICLE, paragraph_starts=[True] * len(ARTICLE), title=None)
    emb = encoder.encode(ARTICLE)
    return summarizer.select(doc, np.asarray(scores, dtype=float), emb, sentences=sentences, max_words=max_words)


def test_unreadable_sentences_are_never_chosen_even_when_they_score_best() -> None:
    summary = choose([0, 0, 5, 9, 9, 4, 9], sentences=2)
    assert summary[0] == ARTICLE[0] and len(summary) == 2
    assert (ARTICLE[2] in summary) != (ARTICLE[5] in summary)  # one of the near-duplicates, never both
    assert not {ARTICLE[3], ARTICLE[4], ARTICLE[6]} & set(summary)  # not the quote, caption or furniture
    assert reader_problems(summary, ARTICLE).as_dict() == dict.fromkeys(reader_problems([], []).as_dict(), 0)


def test_an_opening_pronoun_brings_its_antecedent_or_gives_way() -> None:
    assert choose([5, 9, 1, 0, 0, 0, 0], sentences=2) == [ARTICLE[0], ARTICLE[1]]
    # the antecedent does not fit the word budget: the dependent sentence gives way to the next best
    assert choose([0, 9, 5, 0, 0, 0, 0], sentences=1, max_words=60) == [ARTICLE[2]]
    assert choose([0, 9, 5, 0, 0, 0, 0], sentences=2, max_words=18) == [ARTICLE[2]]


def test_reader_problems_counts_each_kind() -> None:
    counts = reader_problems([ARTICLE[1], ARTICLE[3], ARTICLE[4]], ARTICLE).as_dict()
    assert counts == {"furniture": 1, "cut": 1, "unresolved_opening": 1, "quote_without_speaker": 1, "near_duplicate": 0}
    assert reader_problems([ARTICLE[2], ARTICLE[5]], ARTICLE).near_duplicate == 1
    assert reader_problems([ARTICLE[0], ARTICLE[1]], ARTICLE).unresolved_opening == 0
