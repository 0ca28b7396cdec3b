"""The learned primary-country model: its data file, list detection, and both decision rules on known stories."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

from headlines.countries.gazetteer import GazetteerTagger, GazetteerWeights
from headlines.countries.primary_model import (
    FEATURES,
    CandidateStats,
    PrimaryModelError,
    load_primary_model,
    mark_lists,
    parse_primary_model,
)
from headlines.models import Article


@pytest.fixture(scope="module")
def tagger() -> GazetteerTagger:
    return GazetteerTagger()


def test_shipped_model_matches_features() -> None:
    model = load_primary_model()
    assert len(model.weights) == len(FEATURES)
    assert 0.0 < model.threshold < 1.0


@pytest.mark.parametrize(
    "change",
    [{"features": ["share"]}, {"weights": [1.0]}, {"threshold": "high"}, {"bias": None}],
)
def test_malformed_model_file_is_a_clear_error(change: dict) -> None:
    raw = json.loads(resources.files("headlines.data").joinpath("country_primary.json").read_text(encoding="utf-8"))
    with pytest.raises(PrimaryModelError, match="retrain"):
        parse_primary_model({**raw, **change})


@pytest.mark.parametrize(
    ("text", "found", "listed"),
    [
        ("Denmark, Belgium and Luxembourg voted.", [(0, "DK"), (9, "BE"), (22, "LU")], {"DK": 1, "BE": 1, "LU": 1}),
        ("Denmark voted. Belgium abstained.", [(0, "DK"), (15, "BE")], {"DK": 0, "BE": 0}),
        ("France and France again.", [(0, "FR"), (11, "FR")], {"FR": 0}),
    ],
)
def test_mark_lists(text: str, found: list[tuple[int, str]], listed: dict[str, int]) -> None:
    stats = {code: CandidateStats() for _, code in found}
    mark_lists(text, found, stats)
    assert {code: st.in_list for code, st in stats.items()} == listed


def test_features_are_finite_and_complete(tagger: GazetteerTagger) -> None:
    feats = tagger.candidate_features(Article(title="Spain, Italy sign deal", body="MADRID, March 3 - Spain and Italy signed."))
    assert set(feats) == {"ES", "IT"}
    assert all(len(v) == len(FEATURES) for v in feats.values())


@pytest.mark.parametrize("classifier", [True, False])
def test_passing_mention_is_not_primary_under_either_rule(classifier: bool) -> None:
    tagger = GazetteerTagger(replace(GazetteerWeights(), classifier=classifier))
    body = (
        "PARIS, March 3 - France's farm minister said grain exports rose sharply this season, and French growers "
        "expect prices to hold. The ministry said French wheat stocks were ample. A delegate from Chile attended."
    )
    tags = tagger.tag(Article(title="French grain exports rise", body=body))
    assert {t.code for t in tags if t.primary} == {"FR"}
    assert "CL" in {t.code for t in tags if not t.primary}
