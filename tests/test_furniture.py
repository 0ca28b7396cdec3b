"""Page furniture and markup: what wire, tabloid and broadcaster pages put around a story, and prose that
only looks like markup. Bodies arrive with paragraph breaks, run together, or with the lone ` .` line ends
of tabloid archives; each case below is a shape seen in real copy."""

from __future__ import annotations

import pytest

from headlines.furniture import is_caption, is_furniture_line, is_furniture_sentence, mark_lone_periods
from headlines.text import clean_text, split_sentences

STORY = "The council approved a new budget on Monday. Bus fares will fall by ten percent next year."
SENTENCES = ["The council approved a new budget on Monday.", "Bus fares will fall by ten percent next year."]

FURNITURE_CASES = [
    # tabloid archive: byline, timestamps, lone-period line ends
    (
        "By . Jane Doe . PUBLISHED: . 14:11 EST, 25 October 2013 . | . UPDATED: . 15:36 EST, 25 October 2013 . " + STORY,
        SENTENCES,
    ),
    ("By . Daily Mail Reporter . Last updated at 1:25 AM on 3rd August 2011 . " + STORY, SENTENCES),
    ("By . Mark Duell . and Hugo Gye . UPDATED: . 18:30 EST, 3 March 2012 . " + STORY, SENTENCES),
    # the same furniture on a page with line breaks
    ("By Jane Doe\nPUBLISHED: 14:11 EST, 25 October 2013 | UPDATED: 15:36 EST, 25 October 2013\n\n" + STORY, SENTENCES),
    # video prompts, in running text and on their own line
    (
        "The council approved a new budget on Monday. Scroll down for video . Bus fares will fall by ten percent next year.",
        SENTENCES,
    ),
    (
        "The council approved a new budget on Monday.\n\nScroll down for video\n\nBus fares will fall by ten percent next year.",
        SENTENCES,
    ),
    ("The council approved a new budget on Monday. VIDEO Scroll down to watch the debate . " + SENTENCES[1], SENTENCES),
    # captions: label captions, picture pointers, a caption run into the next sentence
    (
        "The council approved a new budget on Monday. Budget day: Councillors vote in the town hall on Monday . "
        "Bus fares will fall by ten percent next year.",
        SENTENCES,
    ),
    (
        "The council approved a new budget on Monday.\n\nCouncillors leave the town hall (pictured) after the vote\n\n"
        "Bus fares will fall by ten percent next year.",
        SENTENCES,
    ),
    (
        "The council approved a new budget on Monday. The town hall was full (pictured) Bus fares will fall by ten percent next year.",  # noqa: E501
        ["The council approved a new budget on Monday.", "Bus fares will fall by ten percent next year."],
    ),
    ("The council (pictured) approved a new budget on Monday. " + SENTENCES[1], SENTENCES),
    (
        "A mother of two (picture posed by model) said the council approved a new budget.",
        ["A mother of two said the council approved a new budget."],
    ),
    # link and share prompts, credits, comment footers
    (STORY + "\n\nRead more: Council rows over parking charges\n\nShare this article", SENTENCES),
    (STORY + " READ MORE: Council rows over parking charges . Share or comment on this article", SENTENCES),
    ("Photo: Jane Doe/Getty Images\n\n" + STORY, SENTENCES),
    # a video player's ad-feedback widget scraped with the story, on its own lines and run into the text
    (
        STORY + "\n\n1. How relevant is this ad to you?\n\nVideo player was slow to load content Video content never loaded "
        "Ad froze or did not finish loading Video content did not start after ad Audio on ad was too loud Other issues",
        SENTENCES,
    ),
    (
        SENTENCES[0] + " How relevant is this ad to you? Video player was slow to load content Ad froze or did not finish "
        "loading Other issues " + SENTENCES[1],
        SENTENCES,
    ),
    (STORY + "\n\nSorry we are not currently accepting comments on this article.", SENTENCES),
    (STORY + "\n\n\u25baRelated: Council rows over parking charges\n\n\u00bb Read more: the budget in full", SENTENCES),
    # broadcaster and wire datelines
    ("Beirut (CNN) -- " + STORY, SENTENCES),
    ("(CNN) -- " + STORY, SENTENCES),
    # hard-wrap residue: a lone period inside a sentence joins the pieces
    (
        "Two lawyers representing a woman who . claims to have been wronged have sued.",
        ["Two lawyers representing a woman who claims to have been wronged have sued."],
    ),
    (
        "On Friday the Queen and the Duke of . Edinburgh met the President.",
        ["On Friday the Queen and the Duke of Edinburgh met the President."],
    ),
]


@pytest.mark.parametrize(("body", "expected"), FURNITURE_CASES)
def test_page_furniture_is_removed(body: str, expected: list[str]) -> None:
    assert split_sentences(body) == expected
    once = clean_text(body)
    assert clean_text(once) == once


@pytest.mark.parametrize(
    "text",
    [
        "He added: 'We will act on the report.'",
        "Prices: the index rose 2 pct in March.",
        "The photographer said the images were taken in May.",
        "Read the full report before the vote, the mayor said.",
        "Paris is left wondering about the talks.",
        "Related talks between the two sides resumed on Monday.",
        "Subscribers to the service rose by a third last year.",
        "Advertisements today routinely depict interracial couples.",
        "The vote was held in the town hall on Monday.",
    ],
)
def test_story_sentences_are_not_furniture(text: str) -> None:
    assert not is_furniture_line(text)
    assert split_sentences(text) == [text]


def test_agency_captions_are_furniture_sentences_but_do_not_take_a_one_line_body_with_them() -> None:
    caption = "WASHINGTON, DC - NOVEMBER 21: President Joe Biden pardons Chocolate, the National Thanksgiving Turkey."
    assert is_furniture_sentence(caption)
    assert not is_furniture_sentence("WASHINGTON (AP) - President Joe Biden pardoned two turkeys on Monday.")
    assert split_sentences(caption + " " + STORY) == [caption, *SENTENCES]  # the summarizer skips it, cleaning keeps the line


def test_caption_shapes() -> None:
    assert is_caption("Final embrace: These sessions are for elderly pets")
    assert is_caption("Questions: Prince Andrew is photographed with Virginia Roberts in 2001, left, and her father, right.")
    assert not is_caption("Questions remain: the council has not said how it will pay.")


def test_a_body_that_is_all_caption_like_still_has_text() -> None:
    assert split_sentences("Firefighters pictured at the scene in Paris") == ["Firefighters pictured at the scene in Paris"]


def test_lone_periods_become_line_ends_only_between_lines() -> None:
    assert mark_lone_periods("Headline here . The story starts.") == "Headline here\n\nThe story starts."
    assert mark_lone_periods("It cost 3.5 pct . more than planned.") == "It cost 3.5 pct more than planned."
    assert mark_lone_periods("No lone periods. Here.") == "No lone periods. Here."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inflation stayed < 2% while growth was > 3% this year.", "Inflation stayed < 2% while growth was > 3% this year."),
        ("Keep x<5 and y>2 in range.", "Keep x<5 and y>2 in range."),
        ("<Acme Corp> said profit rose.", "Acme Corp said profit rose."),
        ("Shares of <AMERICAN EXPRESS CO> fell.", "Shares of AMERICAN EXPRESS CO fell."),
        ('<p>Stocks &amp; bonds rose.</p><br/><p class="x">Oil fell.</p>', "Stocks & bonds rose.\n\nOil fell."),
        ('<a href="https://example.com/?a=1&b=2" title="x > y">Oil</a> fell.', "Oil fell."),
        ("<div><span>Oil fell.</span></div><!-- ad --><script>var x = '<p>';</script>", "Oil fell."),
        ("<IMG SRC='x.jpg'>Oil fell.", "Oil fell."),
    ],
)
def test_only_real_html_tags_are_stripped(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_bylines_and_headings_on_their_own_line() -> None:
    body = "Chris Chase, USA TODAY Sports\n\n" + STORY + "\n\nWhat Happens Next\n\nThe vote is final."
    assert split_sentences(body) == [*SENTENCES, "The vote is final."]


def test_broadcaster_pages_without_a_dash_and_promos() -> None:
    assert split_sentences("(CNN) " + STORY + "\n\n___\n\nGet '5 Things' in your inbox") == SENTENCES
    assert is_furniture_sentence("Sign up here for the '5 Things' newsletter.")
    assert not is_furniture_sentence("The council will sign up more bus drivers next year.")
