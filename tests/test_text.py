"""Sentence splitting and cleaning on the hard cases news copy throws at it."""

from __future__ import annotations

import pytest

from headlines.text import clean_text, split_sentences, split_sentences_with_paragraphs, truncate_words

CASES = [
    (
        'Mr. Smith went to the U.S. on Feb. 3. "It was fine," he said.',
        ["Mr. Smith went to the U.S. on Feb. 3.", '"It was fine," he said.'],
    ),
    (
        "Prices rose 2.5 pct in the U.S. The dollar fell.",
        ["Prices rose 2.5 pct in the U.S.", "The dollar fell."],
    ),
    ("J. P. Morgan Chase & Co. said profit rose.", ["J. P. Morgan Chase & Co. said profit rose."]),
    (
        '"Is it over?" he asked. "No." Oil hit $50.5 a barrel.',
        ['"Is it over?" he asked.', '"No."', "Oil hit $50.5 a barrel."],
    ),
    (
        "He lives at No. 10 Downing St. in London. Dr. Jones agreed.",
        ["He lives at No. 10 Downing St. in London.", "Dr. Jones agreed."],
    ),
    (
        "\u201cWe will act,\u201d Gov. Brown said. \u201cNow.\u201d",
        ["\u201cWe will act,\u201d Gov. Brown said.", "\u201cNow.\u201d"],
    ),
    (
        "Talks resume in Jan. 2026, officials said. Wait... What?",
        ["Talks resume in Jan. 2026, officials said.", "Wait...", "What?"],
    ),
    (
        "Chas. P. Young Co, a unit of Service Resources, said it will buy a printer. Terms were not disclosed.",
        ["Chas. P. Young Co, a unit of Service Resources, said it will buy a printer.", "Terms were not disclosed."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_split_hard_cases(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("PARIS, Feb 26 (Reuters) - France said it would talk.", "France said it would talk."),
        ("SALVADOR, Feb 26 - Showers continued in the Bahia zone.", "Showers continued in the Bahia zone."),
        ("NEW YORK (AP) \u2014 Stocks rose on Monday.", "Stocks rose on Monday."),
        ("WASHINGTON - The Senate voted.", "The Senate voted."),
        ("US-China talks resumed on Monday.", "US-China talks resumed on Monday."),
        ("UK - a story that starts oddly.", "UK - a story that starts oddly."),
    ],
)
def test_datelines_are_dropped_but_ordinary_openings_kept(text: str, first: str) -> None:
    assert split_sentences(text)[0] == first


def test_bylines_and_agency_boilerplate_are_dropped() -> None:
    text = (
        "Devdiscourse News Desk | Paris\n\nBy Jane Doe\n\nFrance is weighing talks.\n\n"
        "The Kremlin agreed.\n\n(With inputs from agencies.)"
    )
    assert split_sentences(text) == ["France is weighing talks.", "The Kremlin agreed."]
    assert split_sentences("Profits rose 5 pct.\n    Analysts were pleased.\n Reuter\n\x03") == [
        "Profits rose 5 pct.",
        "Analysts were pleased.",
    ]
    assert split_sentences("Prices fell. (With inputs from agencies.)") == ["Prices fell."]
    # A sentence that merely starts with "By" is news, not a byline.
    assert split_sentences("By Monday, prices had fallen sharply.") == ["By Monday, prices had fallen sharply."]


def test_reuters_hard_wrapped_paragraphs() -> None:
    text = "Showers continued throughout the week in\nthe Bahia cocoa zone.\n    The dry period means the harvest\nwill be late."
    pairs = split_sentences_with_paragraphs(text)
    assert pairs == [
        ("Showers continued throughout the week in the Bahia cocoa zone.", True),
        ("The dry period means the harvest will be late.", True),
    ]


def test_html_remnants_and_entities() -> None:
    text = "<p>Stocks &amp; bonds rose.</p><script>var x = 1;</script><p>Oil fell.</p>"
    assert split_sentences(text) == ["Stocks & bonds rose.", "Oil fell."]


def test_clean_text_is_idempotent_and_handles_empty() -> None:
    text = "PARIS, Feb 26 (Reuters) - A. B.\n\nBy Jane Doe\n\nMore text here. Reuter"
    once = clean_text(text)
    assert clean_text(once) == once
    assert clean_text("   \n\n ") == ""
    assert split_sentences("") == []


def test_non_english_text_is_split_without_error() -> None:
    assert split_sentences("La France envisage des pourparlers. Le Kremlin a répondu.") == [
        "La France envisage des pourparlers.",
        "Le Kremlin a répondu.",
    ]
    assert split_sentences("法国正在考虑与俄罗斯举行会谈。") == ["法国正在考虑与俄罗斯举行会谈。"]


def test_truncate_words_marks_the_cut() -> None:
    assert truncate_words("one two three four", 2) == "one two\u2026"
    assert truncate_words("one two", 5) == "one two"
