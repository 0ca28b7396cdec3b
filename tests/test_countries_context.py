"""Country evidence in document context, one table row per error class seen on local and world news.

Each case is a sentence of the shape found in real stories (local US and UK papers, world news), with the
countries that must and must not be tagged (all tags, not only primary). The classes: a place name given to its
foreign namesake (with and without context that says which one), organisation/building/street names, person names,
acronyms and common words, a demonym used as a cultural adjective or a language, and small places.
"""

from __future__ import annotations

import pytest

from headlines.countries.context import host_country
from headlines.countries.gazetteer import GazetteerTagger
from headlines.models import Article

CASES = [
    # -- namesakes resolved by the divisions and towns around them
    (
        "namesake+context",
        "Paris man held after chase",
        "PARIS — Lamar County deputies arrested a Paris man on Sunday after a chase that ended near Sulphur Springs, "
        "Texas officials said.",
        {"US"},
        {"FR"},
    ),
    (
        "namesake+context",
        "Two charged after fight",
        "Alexandria police arrested two people on Memphis Street. Both were booked into the Rapides Parish jail in Pineville.",
        {"US"},
        {"EG"},
    ),
    (
        "namesake+context",
        "Crash closes 401",
        "Police in London, Ontario, said the crash happened east of the city near Woodstock and Ingersoll.",
        {"CA"},
        {"GB"},
    ),
    (
        "namesake+context",
        "Campus expands",
        "The university in Athens, Ga., will add 3,000 beds, officials in Atlanta said.",
        {"US"},
        {"GR"},
    ),
    (
        "namesake+context",
        "Street names change",
        "Dublin City Council heard the first reading on Monday. The Columbus suburb in Franklin County, Ohio, wants "
        "clearer signs.",
        {"US"},
        {"IE"},
    ),
    (
        "namesake+context",
        "Lawmakers pass budget",
        "Georgia lawmakers in Atlanta passed the state budget on Friday.",
        {"US"},
        {"GE"},
    ),
    # -- the same names without such context keep their prominent reading
    ("namesake alone", "Pension protest", "Thousands marched in Paris on Saturday against the pension reform.", {"FR"}, {"US"}),
    ("namesake alone", "Rates on hold", "The Bank of England in London kept rates on hold.", {"GB"}, {"CA", "US"}),
    ("namesake alone", "Protests spread", "Protesters gathered in Alexandria and Cairo for a third day.", {"EG"}, {"US"}),
    ("namesake alone", "Talks in Tbilisi", "Georgia's president met European envoys in Tbilisi on Tuesday.", {"GE"}, {"US"}),
    (
        "namesake alone",
        "Amsterdam office",
        "The New York bank opened an Amsterdam office to serve its Dutch clients.",
        {"NL", "US"},
        set(),
    ),
    # -- organisations, buildings, streets
    (
        "organisation",
        "State poll",
        "The Congress party won the state election in Karnataka, India's technology hub, the election commission said.",
        {"IN"},
        {"US"},
    ),
    (
        "organisation",
        "Spending bill",
        "Congress passed the spending bill on Thursday, sending it to the White House.",
        {"US"},
        set(),
    ),
    (
        "street",
        "Fire downtown",
        "Firefighters closed Toronto Street and London Road after the blaze in Alexandria, Va., on Monday.",
        {"US"},
        {"CA", "GB", "EG"},
    ),
    # -- person names
    ("person", "Clinic reopens", "Kati Mather, a nurse at the clinic, said the waiting list had halved.", set(), {"ML"}),
    ("person", "Derby win", "Rodney Smith scored twice as the home side won the derby.", set(), {"NZ"}),
    (
        "person",
        "Fair results",
        "Jordan Dyer, a 17-year-old Huntsville High School student, won the livestock show.",
        set(),
        {"JO"},
    ),
    ("person", "Suspects flee", "Police said Brown and Jordan fled in a stolen car on Tuesday night.", set(), {"JO"}),
    (
        "person (the surname alone, later)",
        "Drumming up interest",
        "Jeff Hamilton plies the drumsticks on the new record. Hamilton will appear on national television this week.",
        set(),
        {"CA", "NZ"},
    ),
    (
        "person, not a qualifier",
        "Apartments fill up",
        "The Spina Bifida Association of Western Pennsylvania said the waiting list had grown.",
        {"US"},
        set(),
    ),
    (
        "person vs country",
        "Aid package",
        "The EC agreed aid for Egypt, Jordan and Syria, officials in Brussels said.",
        {"EG", "JO", "SY"},
        set(),
    ),
    # -- acronyms and common words
    ("acronym", "Hospital strike", "Doctors at the CHU said the strike would last a week.", set(), {"VN"}),
    ("common word", "Commute", "She rode the Metro to work and walked the last mile.", set(), {"ID"}),
    # -- a demonym as a cultural adjective, or a language
    ("cultural adjective", "Pub reopens", "An Irish pub in Boston reopened after the fire, owners said.", {"US"}, {"IE"}),
    (
        "language",
        "Break-in on video",
        "Police in Mississauga said one suspect speaks in Spanish after spotting the camera.",
        {"CA"},
        {"ES"},
    ),
    # -- small places: towns and counties the lexicon does not list as cities
    ("small place", "Crash closes highway", "Shakopee police said the crash closed the highway for two hours.", {"US"}, set()),
    ("small place", "Outlet expands", "Shoppers queued at the Bicester outlet village before dawn.", {"GB"}, set()),
    ("small place", "Deputies arrest teen", "Rapides Parish deputies arrested a teen on a weapon count.", {"US"}, set()),
    ("small place", "Storm season", "Hurricane season starts in June, forecasters said.", set(), {"US"}),
]


# (class, title, body, countries that must be primary, countries that must not be primary: they may stay tags)
PRIMARY_CASES = [
    # -- a lone famous name in a story that reads like local news: a guess, never a channel
    (
        "namesake, local story",
        "Police ready to enforce skate ban",
        "Athens police said skaters found downtown on Ingleside Ave. will be fined from next week.",
        set(),
        {"GR"},
    ),
    (
        "namesake, local story",
        "Man faces charges",
        "A Paris man was arrested Sunday at Paris City Hall. He is to appear in Henry County General Sessions Court.",
        {"US"},
        {"FR"},
    ),
    (
        "country name, local story",
        "Arlene M. Rittle",
        "She was born in Jackson Township and lived on Cumberland St. in Lebanon for 50 years.",
        set(),
        {"LB"},
    ),
    (
        "building or estate named after a foreign place",
        "Residents escape fire at Northland apartments",
        "Fire crews from North Kansas City and Kansas City fought the blaze in the 1600 block of Northeast Club House Drive.",
        {"US"},
        {"NZ"},
    ),
    (
        "language, not a country",
        "Economy affecting students",
        "Students who take a year or two off after high school should check what happens to their health insurance. "
        "That can be a big consideration for some young people. Counselors encourage them to plan how they will "
        "budget their money so they do not get used to having all of that income. If they return to school with "
        "fewer hours, expenses that have grown to a whole paycheck can be difficult, said a counselor who also heads "
        "the English department.",
        set(),
        {"GB"},
    ),
    (
        "team named after a local town",
        "Club night",
        "The Lebanon Valley College team beat Messiah University 3-1 at the Lebanon Valley Expo Center on Ingleside Ave.",
        set(),
        {"LB"},
    ),
    # -- the same names read at world scale keep their country
    ("namesake, world story", "Budget plan", "Officials in Athens said the plan would go ahead.", {"GR"}, set()),
    (
        "namesake, world story with a local word",
        "Embassy moves",
        "The embassy moved to a new building on Vasilissis Sofias Avenue in Athens, the Greek foreign ministry said.",
        {"GR"},
        set(),
    ),
    (
        "country name, wire story",
        "IMF APPROVES AID FOR JAMAICA",
        "WASHINGTON, March 3 - The IMF approved a loan for Jamaica. Jamaica will draw the first tranche in May.",
        {"JM"},
        set(),
    ),
]


@pytest.mark.parametrize(
    ("kind", "title", "body", "primary", "not_primary"), PRIMARY_CASES, ids=[f"{c[0]}: {c[1]}" for c in PRIMARY_CASES]
)
def test_error_classes_primary(
    tagger: GazetteerTagger, kind: str, title: str, body: str, primary: set[str], not_primary: set[str]
) -> None:
    article = Article(title=title, body=body)
    codes = {t.code for t in tagger.tag(article) if t.primary}
    assert primary <= codes, (kind, codes, tagger.explain(article))
    assert not (not_primary & codes), (kind, codes, tagger.explain(article))


@pytest.fixture(scope="module")
def tagger() -> GazetteerTagger:
    return GazetteerTagger()


@pytest.mark.parametrize(("kind", "title", "body", "present", "absent"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_error_classes(tagger: GazetteerTagger, kind: str, title: str, body: str, present: set[str], absent: set[str]) -> None:
    article = Article(title=title, body=body)
    codes = {t.code for t in tagger.tag(article)}
    assert present <= codes, (kind, codes, tagger.explain(article))
    assert not (absent & codes), (kind, codes, tagger.explain(article))


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://www.bbc.co.uk/news/uk-1", "GB"),
        ("https://www.theglobeandmail.ca/world/x", "CA"),
        ("https://www.smh.com.au/national/x", "AU"),
        ("https://timesofindia.indiatimes.in/x", "IN"),
        ("https://www.news24.co.za/x", "ZA"),
        ("https://www.nytimes.com/2024/x", None),
        ("https://www.example.tv/x", None),  # .tv is sold to anyone
        ("https://europa.eu/x", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_host_country_from_country_code_tld(url: str | None, code: str | None) -> None:
    assert host_country(url) == code


def test_home_country_tips_a_namesake_but_not_a_capital(tagger: GazetteerTagger) -> None:
    body = "Richmond council approved the new bylaw on Monday after a long debate."
    assert "CA" in {t.code for t in tagger.tag(Article(body=body, url="https://www.vancouversun.ca/news/local"))}
    assert "CA" not in {t.code for t in tagger.tag(Article(body=body, url="https://www.example.com/news/local"))}
    # A home country does not turn the capital of another into a namesake town.
    london = Article(body="Ministers met in London on Monday.", url="https://www.cbc.ca/news/world")
    assert {t.code for t in tagger.tag(london)} == {"GB"}


def test_explain_lists_the_strings_behind_each_tag(tagger: GazetteerTagger) -> None:
    article = Article(
        title="France eyes talks with Russia",
        body="PARIS, Feb 26 - French officials said the Kremlin had not replied. Paris, Texas, held a fair.",
    )
    evidence = tagger.explain(article)
    assert evidence["FR"][:2] == ["PARIS", "France"] and "French" in evidence["FR"]
    assert "Kremlin" in evidence["RU"] and "Russia" in evidence["RU"]
    assert evidence["US"] == ["Paris", "Texas"]
    assert set(evidence) == {t.code for t in tagger.tag(article)}
