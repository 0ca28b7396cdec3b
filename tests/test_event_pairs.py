"""The event-pair builder (benchmarks/build_event_pairs.py): what counts as a name, which pages are left out."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    return load_script("benchmarks/build_event_pairs.py")


def test_names_drop_the_possessive_only(builder: ModuleType) -> None:
    # rstrip("'s") used to eat every trailing s: "Texas" -> "texa", "Ross" -> "ro" (and "Ross" == "Ro's").
    assert builder.names("Texas floods: Ross's team and Uvalde’s mayor in Paris") == {"texas", "ross", "uvalde", "paris"}
    assert builder.names("The Emmys") == {"emmys"}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Weekend's biggest news: World Cup semifinalists, storms in the ...", "Editors USA TODAY World Cup: ..."),
        ("Colorado Springs shooting, Indonesia earthquake, Oath Keepers ...", "A soldier helped. Also in the news: the quake."),
        ("5 things to know Monday", "Good morning."),
    ],
)
def test_roundup_pages_are_left_out(builder: ModuleType, title: str, body: str) -> None:
    assert builder.multi_story({"title": title, "body": body, "url": "https://example.com/story"})


def test_a_single_story_with_commas_stays(builder: ModuleType) -> None:
    article = {
        "title": "Biden, Xi meet in Bali, agree to talks",
        "body": "The leaders met on Monday.",
        "url": "https://x.example/a",
    }
    assert not builder.multi_story(article)
