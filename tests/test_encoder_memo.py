"""MemoizedEncoder, and the pipeline encoding a story's sentences once for the summary and the ask index."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from headlines.ask.embeddings import SQLiteEmbeddingStore, story_units
from headlines.countries.exact import ExactNameTagger
from headlines.encoder import MemoizedEncoder
from headlines.pipeline import Pipeline
from headlines.samples import load_samples
from headlines.store.sqlite import SQLiteStore
from headlines.summarize.embedding import EmbeddingSummarizer
from tests.fakes.encoders import HashingEncoder


def test_vectors_equal_the_inner_encoders_in_input_order_with_repeats() -> None:
    inner = HashingEncoder()
    memo = MemoizedEncoder(inner)
    first = memo.encode(["alpha beta", "gamma"])
    mixed = memo.encode(["gamma", "delta epsilon", "alpha beta", "gamma"])
    assert np.array_equal(mixed, HashingEncoder().encode(["gamma", "delta epsilon", "alpha beta", "gamma"]))
    assert np.array_equal(mixed[[2, 0]], first) and mixed.dtype == np.float32
    assert inner.seen == ["alpha beta", "gamma", "delta epsilon"]  # each text once, repeats served from memory
    assert memo.encode([]).shape == (0, inner.dim)


def test_least_recently_used_texts_are_forgotten_beyond_capacity() -> None:
    inner = HashingEncoder()
    memo = MemoizedEncoder(inner, capacity=2)
    memo.encode(["a", "b"])
    memo.encode(["a"])  # "a" is now the most recent
    memo.encode(["c"])  # evicts "b"
    memo.encode(["a", "b"])
    assert inner.seen == ["a", "b", "c", "b"]


def test_processing_a_story_encodes_each_sentence_once(tmp_path: Path) -> None:
    inner = HashingEncoder()
    shared = MemoizedEncoder(inner)
    db = tmp_path / "h.db"
    store, vectors = SQLiteStore(db), SQLiteEmbeddingStore(db)
    pipeline = Pipeline(EmbeddingSummarizer(shared), ExactNameTagger(), store=store, encoder=shared, embeddings=vectors)
    seed = load_samples()[0]
    story = pipeline.process(seed)
    units = story_units(story)
    assert len(units) > 3 and all(inner.seen.count(u) == 1 for u in units)
    assert len(inner.seen) == len(set(inner.seen))
    stored = vectors.unit_vectors([story.id])[story.id]
    assert np.allclose(stored, HashingEncoder().encode(units), atol=1e-6)
    store.close()
    vectors.close()
