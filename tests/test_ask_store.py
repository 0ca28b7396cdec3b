"""The embedding-store contract on both backends (SQLite file, DynamoDB on the moto server) and the
in-memory index and engine built on it (no model: a hashing encoder)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from headlines.ask.embeddings import EmbeddingStore, EmbeddingStoreError, StoryVectors, embed_story
from headlines.ask.engine import AnswerEngine, AskError
from headlines.ask.index import ArchiveIndex
from headlines.countries.exact import ExactNameTagger
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.samples import load_samples
from headlines.store.base import Store
from headlines.summarize.lead import LeadSummarizer
from tests.fakes.encoders import HashingEncoder

TOLERANCE = 1e-3
"""DynamoDB keeps vectors as float16 (docs/ask.md: Recall unchanged); SQLite as float32."""


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, EmbeddingStore]]:
    """A story store and its embedding store, built by the container as the CLI and the worker build them."""
    from headlines.container import build_embedding_store, build_store

    if request.param == "sqlite":
        from headlines.store.sqlite import SQLiteStore

        store: Store = SQLiteStore(tmp_path / "h.db")
    else:
        stack = request.getfixturevalue("aws")  # HEADLINES_STORE=dynamodb, table names from template.yaml
        store = build_store()
    embeddings = build_embedding_store(store=store)
    assert embeddings is not None
    if request.param == "dynamodb":
        assert type(embeddings).__name__ == "DynamoDBEmbeddingStore"
        assert stack.tables["StoryVectorsTable"] in repr(embeddings)
        embeddings.page_size = 2  # type: ignore[attr-defined]  # every read below spans several pages
    yield store, embeddings
    store.close()
    embeddings.close()


def _vectors(story_id: str, units: list[str], *, seed: int = 0, countries: tuple[str, ...] = ()) -> StoryVectors:
    rng = np.random.default_rng(seed)
    unit_vectors = rng.normal(size=(len(units), 8)).astype(np.float32)
    unit_vectors /= np.linalg.norm(unit_vectors, axis=1, keepdims=True)
    return StoryVectors(
        story_id, datetime(2025, 12, 21, tzinfo=UTC), countries, units, unit_vectors.mean(0), unit_vectors, "test:random"
    )


@pytest.fixture
def archive(backend: tuple[Store, EmbeddingStore]) -> tuple[Store, EmbeddingStore]:
    store, embeddings = backend
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings)
    pipeline.process_many(load_samples())
    return store, embeddings


# -- the contract --------------------------------------------------------------------------------------


def test_scan_after_a_cursor_yields_later_writes_oldest_first(backend: tuple[Store, EmbeddingStore]) -> None:
    _, embeddings = backend
    embeddings.put(_vectors("a", ["A head", "A one."], countries=("FR",)))
    embeddings.put(_vectors("b", ["B head", "B one.", "B two."], seed=1))
    first = list(embeddings.scan())
    assert [e.story_id for e in first] == ["a", "b"]
    assert first[0].countries == ("FR",) and first[0].units == ["A head", "A one."] and first[0].model == "test:random"
    assert first[0].sort_time == datetime(2025, 12, 21, tzinfo=UTC)
    assert first[0].seq < first[1].seq and first[0].unit_vectors.size == 0
    assert np.allclose(first[1].story_vector, _vectors("b", ["B head", "B one.", "B two."], seed=1).story_vector, atol=TOLERANCE)
    cursor, held = first[1].seq, {e.story_id: e.seq for e in first}  # what an index holds after loading them
    assert list(embeddings.scan(cursor, loaded=held)) == []
    embeddings.put(_vectors("c", ["C head"], seed=2))
    embeddings.put(_vectors("a", ["A head", "A one.", "A, updated."], seed=3))
    later = list(embeddings.scan(cursor, loaded=held))
    assert [e.story_id for e in later] == ["c", "a"] and later[1].units[-1] == "A, updated."
    assert [e.story_id for e in embeddings.scan()] == ["b", "c", "a"]  # one entry per story, the newest
    assert embeddings.ids() == {"a", "b", "c"}


def test_unit_vectors_round_trip_and_missing_ids_are_left_out(backend: tuple[Store, EmbeddingStore]) -> None:
    _, embeddings = backend
    sent = _vectors("s", ["Head", "One.", "Two."], seed=4)
    embeddings.put(sent)
    got = embeddings.unit_vectors(["s", "nope", "s"])
    assert set(got) == {"s"} and got["s"].dtype == np.float32 and got["s"].shape == (3, 8)
    assert np.allclose(got["s"], sent.unit_vectors, atol=TOLERANCE)
    many = [_vectors(f"m{i}", ["Head", "One."], seed=i) for i in range(7)]
    embeddings.put_many(many)
    assert set(embeddings.unit_vectors([v.story_id for v in many])) == {v.story_id for v in many}


def test_a_batch_holding_a_story_twice_keeps_the_last(backend: tuple[Store, EmbeddingStore]) -> None:
    """Two articles of one corpus can become one story (same URL or text): a batch then holds it twice."""
    _, embeddings = backend
    embeddings.put_many([_vectors("twice", ["Head", "First."], seed=1), _vectors("other", ["Head", "One."])])
    embeddings.put_many([_vectors("twice", ["Head", "Old."], seed=2), _vectors("twice", ["Head", "New.", "More."], seed=3)])
    assert embeddings.ids() == {"twice", "other"}
    (entry,) = [e for e in embeddings.scan() if e.story_id == "twice"]
    assert entry.units == ["Head", "New.", "More."] and embeddings.unit_vectors(["twice"])["twice"].shape == (3, 8)


def test_delete_forgets_a_story(backend: tuple[Store, EmbeddingStore]) -> None:
    _, embeddings = backend
    embeddings.put(_vectors("gone", ["Head", "One."]))
    embeddings.put(_vectors("kept", ["Head", "One."]))
    embeddings.delete("gone")
    embeddings.delete("never-stored")
    assert embeddings.ids() == {"kept"} and embeddings.unit_vectors(["gone"]) == {}
    assert [e.story_id for e in embeddings.scan()] == ["kept"]


def test_vectors_must_match_their_units(backend: tuple[Store, EmbeddingStore]) -> None:
    _, embeddings = backend
    bad = StoryVectors("x", datetime.now(UTC), (), ["head", "one"], np.ones(4, np.float32), np.ones((1, 4), np.float32), "m")
    with pytest.raises(EmbeddingStoreError, match="2 units"):
        embeddings.put(bad)
    assert embeddings.ids() == set()


# -- the pipeline, the index and the engine on either backend ---------------------------------------------


def test_pipeline_stores_story_and_sentence_vectors_once(archive):
    store, embeddings = archive
    assert embeddings.ids() == {s.id for s in store.latest(limit=100)}
    entry = next(e for e in embeddings.scan() if e.story_id == "seed-france-russia")
    assert entry.units[0] == "France Eyes Potential Talks with Russia: Macron's Diplomatic Move"
    assert entry.countries == ("FR", "RU")
    assert entry.story_vector.dtype == np.float32 and entry.story_vector.shape == (256,)
    units = embeddings.unit_vectors(["seed-france-russia"])["seed-france-russia"]
    assert units.shape == (len(entry.units), 256)
    assert np.allclose(np.linalg.norm(units, axis=1), 1.0, atol=TOLERANCE)


def test_reprocessing_replaces_vectors_and_the_index_follows(archive):
    store, embeddings = archive
    index = ArchiveIndex(embeddings)
    assert index.refresh() == len(load_samples())
    seed = load_samples()[0]
    changed = seed.model_copy(update={"body": seed.body + "\n\nLater, the Elysee confirmed a phone call with Moscow."})
    Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings).process(changed)
    assert index.refresh() == 1
    assert len(index) == len(load_samples())  # the old row is masked out, not counted twice
    row = index.row("seed-france-russia")
    assert any("phone call" in u for u in index.units[row])


def test_index_refuses_vectors_of_another_model(archive):
    _, embeddings = archive
    with pytest.raises(EmbeddingStoreError, match="embedded with test:hashing"):
        ArchiveIndex(embeddings, model="transformers:model").refresh()


def test_engine_filters_by_country_and_time(archive):
    store, embeddings = archive
    engine = AnswerEngine(store, embeddings, HashingEncoder(), tagger=ExactNameTagger(), threshold=0.1)
    # The seed article was published 2025-12-21; the BBC samples carry no date (ingestion time: now).
    recent = engine.ask("diplomatic talks Russia Putin Macron", since=datetime.now(UTC) - timedelta(days=7))
    assert "seed-france-russia" not in [s.id for s in recent.sources]
    old = engine.ask("What's happening in France this week?", now=datetime(2025, 12, 24, tzinfo=UTC))
    assert old.countries == ["FR"] and old.since == datetime(2025, 12, 17, tzinfo=UTC)
    assert [s.id for s in old.sources] == ["seed-france-russia"]
    assert "seed-france-russia" not in [s.id for s in engine.ask("Russia Putin talks", country="GB").sources]


def test_a_country_named_only_in_the_question_gives_way_when_no_story_tagged_with_it_is_relevant(archive):
    store, embeddings = archive
    volcano = Article(
        id="grindavik",
        title="Volcano erupts near fishing town",
        body="A volcano erupted near the fishing town of Grindavik. Lava reached the harbour by evening.",
    )
    Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings).process(volcano)
    engine = AnswerEngine(store, embeddings, HashingEncoder(), tagger=ExactNameTagger(), threshold=0.3)
    # The story never names Iceland, so it carries no IS tag: the hint is dropped, the story still answers.
    answer = engine.ask("Volcano erupts near Iceland fishing town")
    assert answer.found and answer.countries == [] and answer.sources[0].id == "grindavik"
    assert answer.answer.startswith("No story tagged IS is relevant; this is from all stories. On ")
    assert "A volcano erupted near the fishing town of Grindavik. [1]" in answer.answer
    # Asked for explicitly, the country filters strictly.
    strict = engine.ask("Volcano erupts near Iceland fishing town", country="IS")
    assert not strict.found and strict.sources == [] and "IS" in strict.answer
    # A hint that matches relevant stories keeps filtering.
    france = engine.ask("What did Macron say about Russia in France?")
    assert france.countries == ["FR", "RU"] and france.sources[0].id == "seed-france-russia"
    # Nothing relevant either way: the answer still says which filter found nothing.
    nothing = engine.ask("Iceland quarterly chess tournament results")
    assert not nothing.found and nothing.countries == ["IS"] and "IS" in nothing.answer


def test_a_sentence_two_stories_share_is_quoted_once_and_cited_to_both(archive):
    store, embeddings = archive
    lead = "Unemployment in the valley is expected to climb to 3.5 pct next year, economists said."
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings)
    pipeline.process(
        Article(id="jobs-a", title="Valley jobless rate seen rising", body=f"{lead} Factories in the valley cut shifts in March.")
    )
    pipeline.process(
        Article(
            id="jobs-b",
            title="Valley unemployment to climb",
            body=f"{lead} The statistics office publishes its figures on Friday.",
        )
    )
    engine = AnswerEngine(store, embeddings, HashingEncoder(), threshold=0.1)
    answer = engine.ask("Is unemployment in the valley expected to climb next year?")
    assert {s.id for s in answer.sources[:2]} == {"jobs-a", "jobs-b"}
    assert answer.answer.count(lead) == 1
    assert f"{lead} [1][2]" in answer.answer


def test_engine_says_nothing_found_and_lists_the_closest(archive):
    store, embeddings = archive
    engine = AnswerEngine(store, embeddings, HashingEncoder(), threshold=0.99)
    answer = engine.ask("diplomatic talks Russia", top_k=3)
    assert not answer.found and answer.answer.startswith("I found nothing in stored news about")
    assert len(answer.sources) == 3 and answer.sources[0].id == "seed-france-russia"
    empty = engine.ask("diplomatic talks", country="JP")
    assert not empty.found and empty.sources == [] and "JP" in empty.answer


def test_engine_rejects_empty_and_oversized_questions(archive):
    engine = AnswerEngine(*archive, HashingEncoder())
    with pytest.raises(AskError, match="empty"):
        engine.ask("   ")
    with pytest.raises(AskError, match="under 1000"):
        engine.ask("why " * 400)


def test_backfill_embeds_stories_stored_without_vectors(backend: tuple[Store, EmbeddingStore]) -> None:
    store, embeddings = backend
    Pipeline(LeadSummarizer(), ExactNameTagger(), store=store).process_many(load_samples())
    assert embeddings.ids() == set()
    engine = AnswerEngine(store, embeddings, HashingEncoder())
    assert engine.backfill() == store.count()
    assert engine.backfill() == 0
    assert embeddings.ids() == {s.id for s in store.latest(limit=100)}
    assert engine.ask("diplomatic talks Russia Putin Macron").sources[0].id == "seed-france-russia"


def test_embed_story_is_what_the_pipeline_stores():
    article = Article(id="a1", title="Cocoa talks", body="Cocoa producers met in London. They agreed on buffer stock rules.")
    story = Pipeline(LeadSummarizer(), ExactNameTagger()).analyze(article)
    vectors = embed_story(HashingEncoder(), story)
    assert vectors.units == ["Cocoa talks", "Cocoa producers met in London.", "They agreed on buffer stock rules."]
    assert vectors.unit_vectors.shape == (3, 256)
