"""`headlines eval countries`: metrics, gold mapping, the deterministic split and the command itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headlines.cli.app import app
from headlines.evaluation.countries import CountryEvalError, load_dataset, load_places_map, score, split_half

FIXTURES = Path(__file__).parent / "fixtures"
DATA = FIXTURES / "countries_eval.jsonl"
PLACES = FIXTURES / "places_map.json"


def test_score_micro_macro_and_without_us() -> None:
    gold = [frozenset({"FR"})] * 5 + [frozenset({"US"})] * 5
    pred = [{"FR"}] * 4 + [{"DE"}] + [{"US"}] * 5
    s = score(pred, gold)
    assert s.precision == pytest.approx(9 / 10)
    assert s.recall == pytest.approx(9 / 10)
    assert s.micro_f1 == pytest.approx(0.9)
    # FR: P=1, R=0.8 -> F1=0.888..; US: 1.0; DE has no gold support, so it is not in the macro average.
    assert s.macro_countries == 2
    assert s.macro_f1 == pytest.approx((2 * 0.8 / 1.8 + 1.0) / 2)
    # Without the US: tp 4, fp 1 (DE), fn 1 (FR).
    assert s.micro_f1_no_us == pytest.approx(0.8)


def test_load_dataset_maps_and_drops_places() -> None:
    ds = load_dataset(DATA, load_places_map(PLACES))
    assert [ex.gold for ex in ds.examples] == [frozenset({"FR"}), frozenset({"US"}), frozenset({"US"}), frozenset({"JP", "US"})]
    assert ds.dropped_codes == {"atlantis": 1}
    with_us = load_dataset(DATA, load_places_map(PLACES), source_country="US", limit=2)
    assert [ex.article.source_country for ex in with_us.examples] == ["US", "US"]


def test_split_is_deterministic_and_covers_both_halves() -> None:
    halves = [split_half(str(i)) for i in range(200)]
    assert halves == [split_half(str(i)) for i in range(200)]
    assert 60 < halves.count("tune") < 140


def test_bad_places_map_says_what_to_do(tmp_path: Path) -> None:
    bad = tmp_path / "map.json"
    bad.write_text("[1, 2]")
    with pytest.raises(CountryEvalError, match="JSON object"):
        load_places_map(bad)


def test_eval_command_prints_all_systems_as_json() -> None:
    result = CliRunner().invoke(
        app, ["eval", "countries", "--data", str(DATA), "--places-map", str(PLACES), "--source-country", "US", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["meta"]["stories"] == 4
    assert set(out["systems"]) == {
        "gazetteer (primary)",
        "gazetteer (all tags)",
        "exact-name (primary)",
        "spacy-gpe-norp (primary)",
    }
    g = out["systems"]["gazetteer (primary)"]
    # FR via dateline and names, US via a dateline state and via source_country, JP+US named: all five gold tags.
    assert g["recall"] == 1.0
    assert g["precision"] == 1.0
    # With the US default the exact-name baseline gets the US of stories 2 and 3, but never story 4's pair.
    assert out["systems"]["exact-name (primary)"]["recall"] < 1.0


def test_eval_command_table_and_missing_file(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["eval", "countries", "--data", str(DATA), "--places-map", str(PLACES)])
    assert ok.exit_code == 0, ok.output
    assert "gazetteer" in ok.output and "micro_f1" in ok.output
    missing = runner.invoke(app, ["eval", "countries", "--data", str(tmp_path / "nope.jsonl"), "--places-map", str(PLACES)])
    assert missing.exit_code == 2


def test_baselines_get_the_same_home_country_default() -> None:
    from headlines.evaluation.countries import with_home_country
    from headlines.models import Article

    assert with_home_country([], Article(body="x", source_country="US")) == {"US"}
    assert with_home_country([], Article(body="x")) == set()


MENTIONS = FIXTURES / "countries_mentions.jsonl"


def test_mentions_shape_needs_no_places_map_and_keeps_the_corpus() -> None:
    ds = load_dataset(MENTIONS, None)
    assert ds.shape == "mentions"
    assert [ex.gold for ex in ds.examples] == [
        frozenset({"US"}),
        frozenset({"US"}),
        frozenset({"GE", "RU", "FR"}),
        frozenset({"BR"}),
    ]
    assert [ex.corpus for ex in ds.examples] == ["local", "local", "world", "world"]
    assert ds.dropped_codes == {"ZZZ": 1}  # not an ISO alpha-2 code: dropped and counted, the story stays


def test_shapes_cannot_mix_and_places_need_a_map(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(MENTIONS.read_text().splitlines()[0] + "\n" + DATA.read_text().splitlines()[0] + "\n")
    with pytest.raises(CountryEvalError, match="mixes"):
        load_dataset(mixed, load_places_map(PLACES))
    with pytest.raises(CountryEvalError, match="--places-map"):
        load_dataset(DATA, None)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "body": "text", "gold": "FR"}\n')
    with pytest.raises(CountryEvalError, match="list"):
        load_dataset(bad, None)


def test_evaluate_mentions_scores_all_tags_and_primary_precision_per_corpus() -> None:
    from headlines.countries.data import country_tag
    from headlines.evaluation.countries import evaluate_mentions

    ds = load_dataset(MENTIONS, None)
    answers = {  # story id -> (primary codes, other codes) a fixed tagger returns
        "m1": (["US"], ["FR"]),
        "m2": (["IE"], []),
        "m3": (["GE"], ["RU"]),
        "m4": ([], []),
    }

    def fixed(articles):  # a real TagMany: tags from a table, by story id
        return [
            [country_tag(c, 1.0, primary=True) for c in answers[a.id][0]]
            + [country_tag(c, 0.5, primary=False) for c in answers[a.id][1]]
            for a in articles
        ]

    rows = evaluate_mentions(ds, {"fixed": fixed})
    assert set(rows) == {"all", "local", "world"}
    allr = rows["all"]["fixed"]
    # tp: m1 US, m3 GE+RU = 3; fp: m1 FR, m2 IE = 2; fn: m2 US, m3 FR, m4 BR = 3.
    assert allr["precision"] == pytest.approx(3 / 5, abs=1e-4) and allr["recall"] == pytest.approx(3 / 6, abs=1e-4)
    assert allr["primary_precision"] == pytest.approx(2 / 3, abs=1e-4) and allr["primary_tags"] == 3
    assert allr["untagged"] == 1 and allr["stories"] == 4
    assert rows["local"]["fixed"]["primary_precision"] == pytest.approx(1 / 2, abs=1e-4)
    assert rows["world"]["fixed"]["recall"] == pytest.approx(2 / 4, abs=1e-4)


def test_eval_command_reads_the_mentions_shape_per_corpus() -> None:
    result = CliRunner().invoke(app, ["eval", "countries", "--data", str(MENTIONS), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["meta"]["shape"] == "mentions" and out["meta"]["stories"] == 4
    assert set(out["corpora"]) == {"all", "local", "world"}
    assert set(out["corpora"]["all"]) == {"gazetteer", "exact-name", "spacy-gpe-norp", "spacy-gpe-norp+lexicon"}
    # The lexicon lookup finds the countries of cities spaCy marks as places (Boston, Tbilisi): recall only grows.
    assert out["corpora"]["all"]["spacy-gpe-norp+lexicon"]["recall"] >= out["corpora"]["all"]["spacy-gpe-norp"]["recall"]
    g = out["corpora"]["local"]["gazetteer"]
    # Paris (Texas) and Boston are US; the Irish pub is not Ireland: both local stories exactly right.
    assert g["precision"] == 1.0 and g["recall"] == 1.0 and g["primary_precision"] == 1.0
    table = CliRunner().invoke(app, ["eval", "countries", "--data", str(MENTIONS)])
    assert table.exit_code == 0 and "primary P" in table.output and "world" in table.output
