"""Story vectors in SQLite and the in-memory index built from them (no model: a hashing encoder)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from headlines.ask.embeddings import EmbeddingStoreError, SQLiteEmbeddingStore, StoryVectors, embed_story
from headlines.ask.engine import AnswerEngine, AskError
from headlines.ask.index import ArchiveIndex
from headlines.countries.exact import ExactNameTagger
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.samples import load_samples
from headlines.store.sqlite import SQLiteStore
from headlines.summarize.lead import LeadSummarizer
from tests.fakes.encoders import HashingEncoder


@pytest.fixture
def archive(tmp_path):
    db = tmp_path / "h.db"
    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings)
    pipeline.process_many(load_samples())
    yield store, embeddings
    store.close()
    embeddings.close()


def test_pipeline_stores_story_and_sentence_vectors_once(archive):
    store, embeddings = archive
    assert embeddings.ids() == {s.id for s in store.latest(limit=100)}
    entry = next(e for e in embeddings.scan() if e.story_id == "seed-france-russia")
    assert entry.units[0] == "France Eyes Potential Talks with Russia: Macron's Diplomatic Move"
    assert entry.countries == ("FR", "RU")
    assert entry.story_vector.dtype == np.float32 and entry.story_vector.shape == (256,)
    units = embeddings.unit_vectors(["seed-france-russia"])["seed-france-russia"]
    assert units.shape == (len(entry.units), 256)
    assert np.allclose(np.linalg.norm(units, axis=1), 1.0, atol=1e-5)


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


def test_vectors_must_match_their_units(tmp_path):
    embeddings = SQLiteEmbeddingStore(tmp_path / "v.db")
    bad = StoryVectors("x", datetime.now(UTC), (), ["head", "one"], np.ones(4, np.float32), np.ones((1, 4), np.float32), "m")
    with pytest.raises(EmbeddingStoreError, match="2 units"):
        embeddings.put(bad)


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


def test_engine_says_nothing_found_and_lists_the_closest(archive):
    store, embeddings = archive
    engine = AnswerEngine(store, embeddings, HashingEncoder(), threshold=0.99)
    answer = engine.ask("diplomatic talks Russia", top_k=3)
    assert not answer.found and answer.answer.startswith("Nothing relevant found")
    assert len(answer.sources) == 3 and answer.sources[0].id == "seed-france-russia"
    empty = engine.ask("diplomatic talks", country="JP")
    assert not empty.found and empty.sources == [] and "JP" in empty.answer


def test_engine_rejects_empty_and_oversized_questions(archive):
    engine = AnswerEngine(*archive, HashingEncoder())
    with pytest.raises(AskError, match="empty"):
        engine.ask("   ")
    with pytest.raises(AskError, match="under 1000"):
        engine.ask("why " * 400)


def test_backfill_embeds_stories_stored_without_vectors(tmp_path):
    db = tmp_path / "h.db"
    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    Pipeline(LeadSummarizer(), ExactNameTagger(), store=store).process_many(load_samples())
    assert embeddings.ids() == set()
    engine = AnswerEngine(store, embeddings, HashingEncoder())
    assert engine.backfill() == store.count()
    assert engine.backfill() == 0
    assert embeddings.ids() == {s.id for s in store.latest(limit=100)}


def test_embed_story_is_what_the_pipeline_stores():
    article = Article(id="a1", title="Cocoa talks", body="Cocoa producers met in London. They agreed on buffer stock rules.")
    story = Pipeline(LeadSummarizer(), ExactNameTagger()).analyze(article)
    vectors = embed_story(HashingEncoder(), story)
    assert vectors.units == ["Cocoa talks", "Cocoa producers met in London.", "They agreed on buffer stock rules."]
    assert vectors.unit_vectors.shape == (3, 256)
