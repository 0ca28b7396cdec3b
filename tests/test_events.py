"""Event clustering at processing time: reports of one event share an event id; related events stay apart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from headlines.ask.embeddings import SQLiteEmbeddingStore
from headlines.countries.exact import ExactNameTagger
from headlines.events.clusterer import EventClusterer
from headlines.events.features import EventFeatures, make_features, names_in
from headlines.events.index import EventIndex
from headlines.events.rule import EventRule
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.store.sqlite import SQLiteStore
from headlines.summarize.lead import LeadSummarizer
from tests.fakes.encoders import HashingEncoder

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
# The hashing encoder is a bag of words, much weaker than MiniLM: these tests check the mechanics, not the tuning.
RULE = EventRule(window_days=3, threshold=0.55, floor=0.2)

STRIKE = [
    (
        "Reuters",
        "French rail workers strike over pension reform",
        "Paris rail workers walked out on Monday over the pension reform, halting trains across France. Unions said.",
    ),
    (
        "BBC",
        "Rail strike halts trains across France over pensions",
        "Trains across France were halted on Monday as rail workers went on strike over the pension reform in Paris.",
    ),
    (
        "AFP",
        "France rail strike: pension reform walkout stops trains",
        "A walkout by rail workers over pension reform stopped trains across France on Monday, unions in Paris said.",
    ),
    (
        "Le Monde",
        "Pension reform: rail workers strike, trains halted in France",
        "Rail workers in France went on strike on Monday against the pension reform; most trains were halted, Paris said.",
    ),
    (
        "AP",
        "Trains halted as French rail workers strike over pensions",
        "French rail workers went on strike Monday over the pension reform, and trains across France were halted.",
    ),
]
FLOOD = (
    "Reuters",
    "Floods in southern France force evacuations in Nimes",
    "Heavy rain flooded Nimes in southern France on Monday, forcing hundreds of evacuations, officials said.",
)


def _article(n: int, source: str, title: str, body: str, hours: float = 0) -> Article:
    return Article(
        id=f"{source.lower().replace(' ', '-')}-{n}",
        source=source,
        title=title,
        body=body,
        url=f"https://{source.lower().replace(' ', '')}.example/{n}",
        published=T0 + timedelta(hours=hours),
    )


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[SQLiteStore, SQLiteEmbeddingStore, Pipeline]]:
    store = SQLiteStore(tmp_path / "s.db")
    vectors = SQLiteEmbeddingStore(tmp_path / "s.db")
    encoder = HashingEncoder()
    pipeline = Pipeline(
        LeadSummarizer(),
        ExactNameTagger(),
        store=store,
        encoder=encoder,
        embeddings=vectors,
        events=EventClusterer(store, vectors, RULE),
    )
    yield store, vectors, pipeline
    store.close()
    vectors.close()


def test_five_sources_one_event_and_a_related_event_apart(parts: tuple[SQLiteStore, SQLiteEmbeddingStore, Pipeline]) -> None:
    store, _, pipeline = parts
    stories = [pipeline.process(_article(i, *s, hours=i)) for i, s in enumerate(STRIKE)]
    first = stories[0]
    assert first.event_id == first.id  # the first report starts the event
    assert {s.event_id for s in stories} == {first.id}
    flood = pipeline.process(_article(9, *FLOOD, hours=2))  # same country, same day, another event
    assert flood.event_id == flood.id != first.id
    stored = store.get(stories[3].id)
    assert stored is not None and stored.event_id == first.id


def test_redelivery_keeps_the_event_and_the_window_is_respected(
    parts: tuple[SQLiteStore, SQLiteEmbeddingStore, Pipeline],
) -> None:
    store, _, pipeline = parts
    a = pipeline.process(_article(0, *STRIKE[0]))
    b = pipeline.process(_article(1, *STRIKE[1], hours=1))
    again = pipeline.process(_article(1, *STRIKE[1], hours=1))
    assert again.id == b.id and again.event_id == b.event_id == a.id and store.count() == 2
    late = pipeline.process(_article(2, *STRIKE[2], hours=24 * 5))  # five days later: outside a 3-day window
    assert late.event_id == late.id


def test_another_process_sees_events_stored_by_this_one(
    tmp_path: Path, parts: tuple[SQLiteStore, SQLiteEmbeddingStore, Pipeline]
) -> None:
    _, _, pipeline = parts
    first = pipeline.process(_article(0, *STRIKE[0]))
    second = pipeline.process(_article(1, *STRIKE[1], hours=1))
    # A fresh process (its own store handles, empty index) loads the window from the stores, then catches up.
    other_store, other_vectors = SQLiteStore(tmp_path / "s.db"), SQLiteEmbeddingStore(tmp_path / "s.db")
    other = Pipeline(
        LeadSummarizer(),
        ExactNameTagger(),
        store=other_store,
        encoder=HashingEncoder(),
        embeddings=other_vectors,
        events=EventClusterer(other_store, other_vectors, RULE),
    )
    now = datetime.now(UTC)
    later = [_article(n, *STRIKE[n], hours=0) for n in (2, 3)]
    later = [a.model_copy(update={"published": now}) for a in later]
    early = [a.model_copy(update={"published": T0 + timedelta(hours=2)}) for a in later]
    assert other.process(early[0]).event_id == first.id  # a backfill: the index loads the older days it needs
    # this process catches up with what the other one wrote, and knows its event
    assert pipeline.process(early[1]).event_id == first.id == second.event_id
    other_store.close()
    other_vectors.close()


def test_index_matches_only_within_the_window_and_prunes() -> None:
    rule = EventRule(window_days=1, threshold=0.9, names=0, words=0, country=0, per_day=0, floor=0.5)
    index = EventIndex(rule)
    v = np.ones(4, dtype=np.float32)
    f = [make_features(f"s{i}", T0 + timedelta(hours=h), v, "h", "l", set()) for i, h in enumerate((0, 12, 40))]
    assert index.assign(f[0])[0] == "s0"
    event, match = index.assign(f[1])
    assert event == "s0" and match is not None and match.story_id == "s0" and match.score == pytest.approx(1.0)
    assert index.assign(f[2])[0] == "s2"  # 28 hours after s1: outside the window
    assert index.prune((T0 + timedelta(hours=20)).timestamp()) == 2 and len(index) == 1
    assert index.assign(make_features("s3", T0 + timedelta(hours=41), v, "h", "l", set()))[0] == "s2"
    with pytest.raises(ValueError, match="dimensions"):
        index.add(make_features("bad", T0, np.ones(3, dtype=np.float32), "h", "l", set()))


def test_the_default_rule_raises_the_bar_with_time() -> None:
    """The fitted rule's time decay: a fair match (cosine 0.75, nothing else shared) joins on the day, not 3 days
    later; even an identical report 7 days later is outside the 6-day window."""
    rule = EventRule()
    a, b = np.array([1.0, 0.0], dtype=np.float32), np.array([0.75, np.sqrt(1 - 0.75**2)], dtype=np.float32)

    def story(sid: str, vector: np.ndarray, days: float, headline: str) -> EventFeatures:
        return make_features(sid, T0 + timedelta(days=days), vector, headline, "", set())

    first = story("a", a, 0, "Alpha beta")
    assert rule.same(first, story("b", b, 0.2, "Gamma delta"))
    assert not rule.same(first, story("c", b, 3, "Gamma delta"))
    assert rule.same(first, story("d", a, 5.9, "Alpha beta"))
    assert not rule.same(first, story("e", a, 7, "Alpha beta"))


def test_names_are_capitalised_words_not_stop_words() -> None:
    assert names_in("The Yellowstone floods: Montana officials said on Monday") == {"yellowstone", "montana"}


def test_events_on_dynamodb_across_two_processes(aws: object) -> None:
    from headlines.container import build_embedding_store, build_store

    def process_() -> Pipeline:
        store = build_store()
        vectors = build_embedding_store(store=store)
        assert vectors is not None and type(vectors).__name__ == "DynamoDBEmbeddingStore"
        return Pipeline(
            LeadSummarizer(),
            ExactNameTagger(),
            store=store,
            encoder=HashingEncoder(),
            embeddings=vectors,
            events=EventClusterer(store, vectors, RULE),
        )

    now = datetime.now(UTC)
    one, two = process_(), process_()
    arts = [_article(i, *s).model_copy(update={"published": now - timedelta(hours=5 - i)}) for i, s in enumerate(STRIKE[:3])]
    first = one.process(arts[0])
    assert two.process(arts[1]).event_id == first.id  # loaded from the tables, event read from the stored story
    assert one.process(arts[2]).event_id == first.id  # caught up with what the other process wrote
    flood = two.process(_article(9, *FLOOD).model_copy(update={"published": now}))
    assert flood.event_id == flood.id
    stored = build_store().get(arts[2].story_id())
    assert stored is not None and stored.event_id == first.id
