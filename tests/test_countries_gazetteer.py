"""The gazetteer tagger on every signal the issue lists, and on the seed article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headlines.countries.gazetteer import GazetteerTagger
from headlines.countries.signals import body_dateline, dateline_parts
from headlines.models import Article

SAMPLES = Path(__file__).resolve().parents[1] / "functions" / "headlines" / "samples" / "articles.jsonl"


@pytest.fixture(scope="module")
def tagger() -> GazetteerTagger:
    return GazetteerTagger()


def _primary(tagger: GazetteerTagger, body: str, **kw: str) -> set[str]:
    return {t.code for t in tagger.tag(Article(body=body, **kw)) if t.primary}


def _all(tagger: GazetteerTagger, body: str, **kw: str) -> set[str]:
    return {t.code for t in tagger.tag(Article(body=body, **kw))}


# (signal, article body, expected primary codes)
SIGNALS = [
    ("name US", "The US raised tariffs on steel imports this week.", {"US"}),
    ("name U.S.", "The U.S. economy grew faster than expected.", {"US"}),
    ("name America", "Exports to America rose sharply last year.", {"US"}),
    ("name United States", "The United States announced new sanctions.", {"US"}),
    ("name UK", "The UK economy shrank in the third quarter.", {"GB"}),
    ("name Britain", "Britain said it would cut interest rates.", {"GB"}),
    ("name South Korea", "South Korea reported record chip exports.", {"KR"}),
    ("name Ivory Coast", "Ivory Coast cocoa arrivals rose this season.", {"CI"}),
    ("name Côte d'Ivoire", "Côte d'Ivoire cocoa arrivals rose this season.", {"CI"}),
    ("historic USSR", "The USSR bought more grain this season.", {"RU"}),
    ("historic West Germany", "West Germany's trade surplus widened.", {"DE"}),
    ("demonym French", "French officials said the talks went well.", {"FR"}),
    ("demonym Russian", "Russian officials said the talks went well.", {"RU"}),
    ("compound Franco-Russian", "The Franco-Russian talks resumed on Monday.", {"FR", "RU"}),
    ("compound Sino-Japanese", "The Sino-Japanese trade pact was signed.", {"CN", "JP"}),
    ("capital Paris", "Officials in Paris said the plan would go ahead.", {"FR"}),
    ("capital Moscow", "Officials in Moscow said the plan would go ahead.", {"RU"}),
    ("city Kyiv", "Officials in Kyiv said the plan would go ahead.", {"UA"}),
    ("city Kiev (old spelling)", "Officials in Kiev said the plan would go ahead.", {"UA"}),
    ("city New York", "Shares fell sharply in New York on Tuesday.", {"US"}),
    ("region Texas", "Oil output in Texas fell for a third month.", {"US"}),
    ("region Bavaria", "Car makers in Bavaria cut shifts this week.", {"DE"}),
    ("region Ontario", "The government of Ontario raised its minimum wage.", {"CA"}),
    ("dateline wire", "PARIS, Feb 26 - The government said the budget would balance.", {"FR"}),
    ("dateline desk", "Devdiscourse News Desk | Paris\nThe government said the budget would balance.", {"FR"}),
    ("metonym Kremlin", "The Kremlin said it was ready for talks.", {"RU"}),
    ("metonym Élysée", "The Élysée said it was ready for talks.", {"FR"}),
    ("metonym White House", "The White House said it was ready for talks.", {"US"}),
    ("metonym Downing Street", "Downing Street said it was ready for talks.", {"GB"}),
    ("metonym Beijing", "Beijing said it was ready for talks.", {"CN"}),
    ("Georgia the country", "Georgia's president spoke in Tbilisi on Monday.", {"GE"}),
    ("Georgia the US state", "Voters in Atlanta, Georgia, went to the polls in Texas and Georgia.", {"US"}),
    ("New Mexico is not Mexico", "Voters in New Mexico backed the measure.", {"US"}),
    ("Papua New Guinea is not Guinea", "Papua New Guinea signed a mining deal.", {"PG"}),
    ("Guinea alone", "Guinea signed a mining deal.", {"GN"}),
    ("all-caps wire title with a possessive", "BRAZIL'S DEBT TALKS WITH BANKS RESUME", {"BR"}),
    ("possessive in plain text", "Japan’s exports rose in March.", {"JP"}),
]


@pytest.mark.parametrize(("signal", "body", "expected"), SIGNALS, ids=[s[0] for s in SIGNALS])
def test_signal_is_tagged(tagger: GazetteerTagger, signal: str, body: str, expected: set[str]) -> None:
    assert _primary(tagger, body) == expected


# (ambiguity, article body, codes that must NOT be tagged at all)
NOT_A_COUNTRY = [
    ("Jordan as a person", "Michael Jordan scored 30 points in the final.", {"JO"}),
    ("turkey the bird", "Families ate turkey and pie at the dinner.", {"TR"}),
    ("New Mexico is not Mexico", "Voters in New Mexico backed the measure.", {"MX"}),
    ("Papua New Guinea is not Guinea", "Papua New Guinea signed a mining deal.", {"GN"}),
    ("us the pronoun", "He told us the plan had failed.", {"US"}),
    ("common-word city names", "Nice work. Reading the report, Mobile users and a Bath towel were counted.", {"FR", "GB", "US"}),
    ("Jackson as a person", "Jackson said the company would expand.", {"US"}),
    # towns named with everyday words only (Cross Country MD, Country Club FL, On Top of the World FL)
    ("a race, not a town", "Who won the women's race at the Great Edinburgh Cross Country?", {"US"}),
    ("a club, not a town", "Members of the Country Club voted to admit women.", {"US"}),
    ("a phrase, not a town", "Feeling On Top of the World, the singer thanked her fans.", {"US"}),
]


def test_a_town_named_with_everyday_words_counts_where_its_state_is_named(tagger: GazetteerTagger) -> None:
    assert _all(tagger, "Penn State beat Ohio State at State College, Pa., on Saturday.") == {"US"}
    assert _all(tagger, "Cadets at West Point, N.Y., graduated on Saturday.") == {"US"}


def test_a_place_leading_a_company_name_is_weak_evidence_in_capitals_too(tagger: GazetteerTagger) -> None:
    plain = tagger.evidence(Article(body="TEXAS POSTS RECORD HARVEST"))["US"]
    firm = tagger.evidence(Article(body="TEXAS CORP POSTS RECORD LOSS"))["US"]
    assert firm == pytest.approx(0.3 * plain)
    assert tagger.evidence(Article(body="Texas Corp posts record loss"))["US"] == pytest.approx(firm)


def test_a_body_in_capitals_is_read_as_capitals(tagger: GazetteerTagger) -> None:
    # Mixed case, 'Pare' and 'Santa Fe' would be places; in capitals only major places count.
    assert _all(tagger, "PHILLIPS TO EMPHASIZE CASH FLOW TO PARE DEBT") == set()
    assert _all(tagger, "SANTA FE ENERGY PARTNERS LP QTLY PAYOUT") == set()
    assert _primary(tagger, "BRAZIL SUSPENDS INTEREST PAYMENTS") == {"BR"}


@pytest.mark.parametrize(("case", "body", "absent"), NOT_A_COUNTRY, ids=[c[0] for c in NOT_A_COUNTRY])
def test_ambiguous_word_is_not_a_country(tagger: GazetteerTagger, case: str, body: str, absent: set[str]) -> None:
    assert not (_all(tagger, body) & absent)


def test_chad_as_first_name_is_not_primary(tagger: GazetteerTagger) -> None:
    tags = tagger.tag(Article(body="Chad Smith, the drummer, said the tour would go on.", source_country="US"))
    assert {t.code for t in tags if t.primary} == {"US"}
    assert "TD" not in {t.code for t in tags if t.primary}


def test_jordan_the_country_still_counts(tagger: GazetteerTagger) -> None:
    assert _primary(tagger, "King Abdullah of Jordan met officials in Amman.") == {"JO"}


def test_dateline_field_counts(tagger: GazetteerTagger) -> None:
    assert _primary(tagger, "The company said profits rose.", dateline="HOUSTON, March 3 -") == {"US"}
    assert _primary(tagger, "The company said profits rose.", dateline="JACKSON, Miss., March 3 -") == {"US"}
    assert _primary(tagger, "The company said profits rose.", dateline="ESCHBORN, West Germany, March 2 -") == {"DE"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SALVADOR, Feb 26 -", ("SALVADOR", None)),
        ("JACKSON, Miss., March 3 -", ("JACKSON", "Miss.")),
        ("Devdiscourse News Desk | Paris", ("Paris", None)),
        ("Paris", ("Paris", None)),
        ("", (None, None)),
    ],
)
def test_dateline_parts(text: str, expected: tuple[str | None, str | None]) -> None:
    assert dateline_parts(text) == expected


def test_body_dateline_resumes_after_it() -> None:
    place, region, resume = body_dateline("PARIS, Feb 26 - The government said")
    assert (place, region) == ("PARIS", None)
    assert "PARIS, Feb 26 - The government said"[resume:].strip() == "The government said"


def test_source_country_only_when_story_names_none(tagger: GazetteerTagger) -> None:
    assert _primary(tagger, "The company said quarterly profits rose.", source_country="US") == {"US"}
    assert _primary(tagger, "The company said quarterly profits rose.") == set()
    assert _primary(tagger, "Japanese exporters said the yen hurt profits in Tokyo.", source_country="US") == {"JP"}


def test_currency_mention_is_not_the_story_country(tagger: GazetteerTagger) -> None:
    body = "The bank said profits in Tokyo rose to 20 mln U.S. dlrs, helped by exports from Osaka."
    assert _primary(tagger, body) == {"JP"}


def test_tags_are_well_formed(tagger: GazetteerTagger) -> None:
    tags = tagger.tag(Article(body="French and Russian officials met in Paris and Moscow."))
    assert tags, "expected tags"
    for t in tags:
        assert 0.0 <= t.score <= 1.0
        assert len(t.flag) == 2 and t.name
    assert [t.score for t in tags] == sorted((t.score for t in tags), reverse=True)
    assert {t.code: t.name for t in tags}["RU"] == "Russia"


def test_seed_article_is_france_and_russia(tagger: GazetteerTagger) -> None:
    seed = json.loads(SAMPLES.read_text(encoding="utf-8").splitlines()[0])
    tags = tagger.tag(Article.model_validate(seed))
    assert {t.code for t in tags if t.primary} == {"FR", "RU"}
    assert [t.code for t in tags if not t.primary] == [t.code for t in tags if t.code not in ("FR", "RU")]


def test_importing_headlines_does_not_import_spacy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, headlines.countries, headlines.countries.gazetteer, headlines.container, headlines.cli.app;"
        "print('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
