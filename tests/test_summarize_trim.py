"""Trimming inside a sentence: what goes, and what must stay for the sentence to stay grammatical and faithful."""

from __future__ import annotations

import pytest

from headlines.models import Article
from headlines.summarize.coherence import is_speakerless_quote, reader_problems
from headlines.summarize.embedding import EmbeddingSummarizer
from headlines.summarize.trim import trim_sentence
from headlines.text import word_count
from tests.fakes.encoders import HashingEncoder


@pytest.mark.parametrize(
    ("sentence", "trimmed"),
    [
        # parentheticals: currency conversions, acronyms, asides
        (
            "Frankfurt-based Deutsche Boerse has offered £1.3bn ($2.48bn; 1.88bn euros) for the London Stock Exchange.",
            "Frankfurt-based Deutsche Boerse has offered £1.3bn for the London Stock Exchange.",
        ),
        (
            "Gross domestic product (GDP) rose by 0.8% in the fourth quarter, the statistical office INSEE said.",
            "Gross domestic product rose by 0.8% in the fourth quarter, the statistical office INSEE said.",
        ),
        # ages
        (
            "Brazilian student Roberto Curti, 21, died in the early hours of March 18 after a chase with police.",
            "Brazilian student Roberto Curti died in the early hours of March 18 after a chase with police.",
        ),
        (
            "Police said the victim, 26, was driving home at 5.25 on Friday morning when one pulled a gun.",
            "Police said the victim was driving home at 5.25 on Friday morning when one pulled a gun.",
        ),
        # non-restrictive appositions and relative clauses after a name
        (
            "ABN Amro, the Netherlands' largest bank, is to cut 2,850 jobs as a result of falling profits.",
            "ABN Amro is to cut 2,850 jobs as a result of falling profits.",
        ),
        (
            "The deal will enable Hitachi and Matsushita, which makes Panasonic brand products, to develop new technology.",
            "The deal will enable Hitachi and Matsushita to develop new technology.",
        ),
        # a quote keeps its speaker, the speaker only loses the apposition
        (
            'Marc Gonsalves, an executive at Xstrata, said: "We will review the information over the next week or so."',
            'Marc Gonsalves said: "We will review the information over the next week or so."',
        ),
        # pronoun attribution tails of reported speech (the pronoun would point at nobody)
        (
            "Any rate rise ahead of an expected May election would not affect Labour's chances of winning, he added.",
            "Any rate rise ahead of an expected May election would not affect Labour's chances of winning.",
        ),
        (
            "Small and mid-sized US firms were worst-hit by the rise in costs, it said on Tuesday.",
            "Small and mid-sized US firms were worst-hit by the rise in costs.",
        ),
    ],
)
def test_trims_what_a_summary_does_not_need(sentence: str, trimmed: str) -> None:
    assert trim_sentence(sentence) == trimmed


@pytest.mark.parametrize(
    "sentence",
    [
        # a quotation keeps its speaker: the attribution tail stays
        "'We will not back down from this fight,' he said.",
        '"Prices will keep rising through the summer," she told reporters.',
        # a named speaker is attribution the reader needs
        "UK house prices rose by 1.1% in December, the Halifax has said.",
        # brackets inside a quotation are the editor's and carry the meaning
        "'Ultimately, the (organization) decided not to move forward with the plot,' prosecutors said.",
        "Van Gaal explained: 'He (McNair) hadn't any confidence at all after the first goal.'",
        # quoted words stay verbatim: no age or apposition cut inside a quotation
        "He said: 'Smith, the manager, would need Jones, 45, on the pitch every week.'",
        # an apposition followed by another clause, not by the main verb
        "UK house prices increased by 1.1% in December, the first monthly rise since September, the Halifax has said.",
        "The bidder was Baikal Finance Group, which was bought days later by Rosneft, a Russian oil firm.",
        "The star began treatment with Dr David Ho, a top HIV researcher, who reassured him about new drugs.",
        # a list, not an apposition
        "Apples, the fruit of the season, and pears were on sale at every market stall in town.",
        # 'said' inside the clause is not a tail
        "It is not clear what they said.",
        # a hyphenated compound is not a parenthetical
        "Having returned from the liquor- (and other liquid-) soaked climes of Austin, we rested.",
        # too short once trimmed: kept whole
        "Prices rose (sharply), he said.",
        # a sentence that opens with a bracket
        "(Reporting by Jane Doe) The talks will resume on Monday in Geneva.",
    ],
)
def test_keeps_what_the_sentence_needs(sentence: str) -> None:
    assert trim_sentence(sentence) == sentence


def test_trimming_never_leaves_a_quote_without_its_speaker() -> None:
    sentence = '"We are ready to talk at any time with anyone who wants peace" (Putin said on Sunday).'
    assert not is_speakerless_quote(sentence)
    assert trim_sentence(sentence) == sentence


def test_summarizer_trims_only_to_fit_the_budget() -> None:
    body = (
        "Acme Corp, the country's largest maker of garden tools, said on Monday it would cut 2,000 jobs "
        "($5m a year) at its plants.\n\n"
        "The cuts, which follow a fall in sales, will hit factories in Ohio (1,200 jobs) and Texas, the company said."
    )
    article = Article(title="Acme Corp to cut 2,000 jobs", body=body)
    whole_words = sum(word_count(s) for s in body.split("\n\n"))
    summarizer = EmbeddingSummarizer(HashingEncoder())
    # the budget holds both whole sentences: they are shown as written
    assert summarizer.summarize(article, sentences=2, max_words=whole_words) == body.split("\n\n")
    # a budget that only the trimmed pair fits: both sentences, trimmed, instead of one
    trimmed = summarizer.summarize(article, sentences=2, max_words=whole_words - 8)
    assert len(trimmed) == 2 and sum(word_count(s) for s in trimmed) <= whole_words - 8
    assert trimmed[0] == "Acme Corp said on Monday it would cut 2,000 jobs at its plants."
    untrimmed = EmbeddingSummarizer(HashingEncoder(), trim=False).summarize(article, sentences=2, max_words=whole_words - 8)
    assert len(untrimmed) == 1
    problems = reader_problems(trimmed, body.split("\n\n"))
    assert problems.cut == 0 and problems.quote_without_speaker == 0 and problems.furniture == 0


def test_a_trimmed_lead_is_still_the_lead_for_the_reader_checks() -> None:
    lead = "But Acme Corp, the country's largest maker of garden tools, said on Monday it would cut jobs."
    article = [lead, "The cuts follow a fall in sales at its plants in Ohio and Texas."]
    assert reader_problems([trim_sentence(lead)], article).unresolved_opening == 0
    assert reader_problems([trim_sentence(lead)], article[::-1]).unresolved_opening == 1  # not the lead there
