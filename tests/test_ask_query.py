"""Filters a question carries: a time window and a country."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from headlines.ask.query import QueryError, completed_after, countries_in_question, parse_since, since_in_question
from headlines.countries.exact import ExactNameTagger

NOW = datetime(2025, 12, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24h", NOW - timedelta(hours=24)),
        ("7d", NOW - timedelta(days=7)),
        ("2w", NOW - timedelta(weeks=2)),
        ("2025-12-01", datetime(2025, 12, 1, tzinfo=UTC)),
    ],
)
def test_parse_since(value, expected):
    assert parse_since(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["soon", "7 parsecs", "", "-3d"])
def test_parse_since_rejects_what_it_cannot_read(value):
    with pytest.raises(QueryError, match="24h, 7d, 2w"):
        parse_since(value, now=NOW)


@pytest.mark.parametrize(
    ("question", "days"),
    [
        ("What's happening in France this week?", 7),
        ("any news today", 1),
        ("what happened in the past 3 days", 3),
        ("Brexit talks last month", 31),
        ("What did Macron say about Russia?", None),
    ],
)
def test_since_in_question(question, days):
    since = since_in_question(question, now=NOW)
    assert since == (None if days is None else NOW - timedelta(days=days))


def test_countries_in_question_uses_the_story_tagger():
    tagger = ExactNameTagger()
    assert countries_in_question("What's happening in France this week?", tagger) == ["FR"]
    assert countries_in_question("What did Macron say about Russia?", tagger) == ["RU"]
    assert countries_in_question("Who won the cup final?", tagger) == []
    assert countries_in_question("anything in France", None) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What's happening in France this week?", ["FR"]),
        ("JAPAN'S UNEMPLOYMENT RATE SEEN RISING", ["JP"]),  # a wire title: capitals and a possessive
        ("HAMBURGISCHE LB BOND RAISED TO 75 MLN CANADIAN DLRS", []),  # a currency, not the country asked about
        ("ESSEX CORP YEAR END LOSS", []),  # a company named after an English county
        ("What did Somerset Savings Bank report?", []),
        ("COMMONWEALTH MORTGAGE SETS PAYOUT", []),  # capitals: only major places count
    ],
)
def test_the_gazetteer_filters_by_countries_the_question_names_outright(question: str, expected: list[str]) -> None:
    from headlines.countries.gazetteer import GazetteerTagger

    assert countries_in_question(question, GazetteerTagger()) == expected


@pytest.mark.parametrize(
    ("question", "year"),
    [
        ("Who won the 2024 US presidential election?", "2024"),
        ("Who was elected pope in May 2025?", "2025"),
        ("Which bank collapsed in March 2023, prompting regulators to act?", "2023"),
        ("The vote is over. Who became Prime Minister after the July 2024 general election?", "2024"),
        # Plans and expectations for a later year can be in the news already.
        ("Which high-profile Republican announced a 2024 White House bid this week?", None),
        ("Which two major supermarkets plan to merge in 2024?", None),
        ("How high are gas prices in the US expected to climb in 2023?", None),
        ("Which city was chosen to host the 2028 Summer Olympics?", None),
        ("Who will win the 2024 US presidential election?", None),
        ("Which Republican said he will run in the 2024 US presidential election?", None),
        ("Which chatbot did Google launch in March 2023?", "2023"),
        # A year not after now's year is for the coverage test to judge.
        ("Who won the 2022 World Cup?", None),
        ("Who won the 2020 US presidential election?", None),
    ],
)
def test_completed_after(question, year):
    assert completed_after(question, datetime(2022, 11, 4, tzinfo=UTC)) == year
