"""Index snapshots: a cold engine loads the saved index, catches up from the store, and answers exactly as
one that built its index from scratch; snapshots it cannot use are ignored, never trusted."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytest

from headlines.ask import snapshot
from headlines.ask.embeddings import SQLiteEmbeddingStore
from headlines.ask.engine import AnswerEngine
from headlines.ask.index import ArchiveIndex
from headlines.ask.lexical import BM25Index, tokenize
from headlines.countries.exact import ExactNameTagger
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.samples import load_samples
from headlines.store.sqlite import SQLiteStore
from headlines.summarize.lead import LeadSummarizer
from tests.fakes.encoders import HashingEncoder

QUESTIONS = [
    "What did Macron say about Russia?",
    "doping in athletics",
    "cheap laptops for children",
    "Volcano erupts near a fishing town",
    "sexism at work",
]
VOLCANO = Article(
    id="grindavik",
    title="Volcano erupts near fishing town",
    body="A volcano erupted near the fishing town of Grindavik. Lava reached the harbour by evening.",
)


@pytest.fixture
def archive(tmp_path: Path):
    db = tmp_path / "h.db"
    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings)
    pipeline.process_many(load_samples())
    yield store, embeddings, pipeline
    store.close()
    embeddings.close()


def engine(archive, where: snapshot.SnapshotLocation | None, every: int = 1) -> AnswerEngine:
    store, embeddings, _ = archive
    return AnswerEngine(
        store, embeddings, HashingEncoder(), tagger=ExactNameTagger(), threshold=0.1, snapshot=where, snapshot_every=every
    )


def rankings(e: AnswerEngine) -> list[list[tuple[str, float]]]:
    return [[(e.index.ids[row], score) for row, score, _ in e.rank(q, limit=10)] for q in QUESTIONS]


def assert_same_rankings(got: list[list[tuple[str, float]]], want: list[list[tuple[str, float]]]) -> None:
    """Same stories in the same order, scores equal to float32 noise (rounding to N places can still flip at a
    boundary, e.g. 0.527415 -> 0.52742 vs 0.52741)."""
    assert [[i for i, _ in r] for r in got] == [[i for i, _ in r] for r in want]
    assert [[s for _, s in r] for r in got] == [pytest.approx([s for _, s in r], abs=1e-4) for r in want]


def test_bm25_export_and_restore_score_alike_and_keep_growing() -> None:
    docs = ["oil prices rose in Kuwait", "wheat harvest hit by drought", "oil tanker attacked in the Gulf", ""]
    built = BM25Index(k1=1.5, b=0.9)
    for doc in docs:
        built.add(tokenize(doc), tokenize(doc)[:2], lead_weight=1.0)
    restored = BM25Index.restore(built.export(), k1=1.5, b=0.9)
    for index in (built, restored):
        index.add(tokenize("oil spill in the Gulf"))
    for question in ("oil gulf", "drought", "spill", "nothing here"):
        np.testing.assert_allclose(restored.scores(tokenize(question)), built.scores(tokenize(question)))


def test_a_cold_engine_starts_from_the_snapshot_catches_up_and_ranks_as_a_fresh_build(archive, tmp_path: Path):
    where = snapshot.FileSnapshot(tmp_path / "snap" / "ask.npz")
    first = engine(archive, where)
    first.ask("What did Macron say about Russia?")
    assert first.save_snapshot_if_due() and where.path.is_file()
    saved_rows = len(first.index.ids)

    archive[2].process(VOLCANO)  # stored after the snapshot: the cold engine must catch up with it
    cold = engine(archive, where)
    assert cold.ask("Volcano erupts near a fishing town").sources[0].id == "grindavik"
    assert cold._snapshot_rows == saved_rows  # it started from the snapshot, not from an empty index
    assert len(cold.index) == saved_rows + 1
    assert_same_rankings(rankings(cold), rankings(engine(archive, None)))


def test_load_fills_an_index_equal_to_the_saved_one(archive, tmp_path: Path):
    _, embeddings, _ = archive
    built = ArchiveIndex(embeddings, model=HashingEncoder().name)
    built.refresh()
    where = snapshot.FileSnapshot(tmp_path / "ask.npz")
    assert snapshot.save(built, where) > 0
    loaded = ArchiveIndex(embeddings, model=HashingEncoder().name)
    assert snapshot.load(loaded, where)
    assert loaded.ids == built.ids and loaded.units == built.units
    assert loaded.refresh() == 0  # nothing newer in the store
    np.testing.assert_array_equal(loaded.mask(countries=["FR"]), built.mask(countries=["FR"]))
    question = HashingEncoder().encode(["Russia talks"])[0]
    np.testing.assert_allclose(loaded.dense(question), built.dense(question))


def test_small_indexes_and_few_new_stories_are_not_saved(archive, tmp_path: Path):
    where = snapshot.FileSnapshot(tmp_path / "ask.npz")
    e = engine(archive, where, every=1000)
    e.ask("doping in athletics")
    assert not e.save_snapshot_if_due() and not where.path.exists()
    assert not engine(archive, None).save_snapshot_if_due()


@pytest.mark.parametrize("damage", ["garbage", "other tokenizer", "other model", "truncated"])
def test_a_snapshot_it_cannot_use_is_ignored_and_the_index_built(archive, tmp_path: Path, monkeypatch, damage, caplog):
    caplog.set_level(logging.INFO, logger="headlines.ask.snapshot")  # a stale snapshot is expected after upgrades: INFO
    where = snapshot.FileSnapshot(tmp_path / "ask.npz")
    e = engine(archive, where)
    e.ask("doping in athletics")
    if damage == "other tokenizer":
        monkeypatch.setattr(snapshot, "fingerprint", lambda: "from-another-version")
    if damage == "other model":
        e.index.model = "transformers:another-model"
    assert e.save_snapshot_if_due()
    monkeypatch.undo()
    if damage == "garbage":
        where.path.write_bytes(b"not a snapshot")
    if damage == "truncated":
        where.path.write_bytes(where.path.read_bytes()[:5000])
    cold = engine(archive, where)
    assert cold.ask("doping in athletics").sources[0].id == "bbc-sport-004"
    assert cold._snapshot_rows == 0  # built from the store, not from the snapshot
    assert "building the index from the store" in caplog.text
    assert_same_rankings(rankings(cold), rankings(engine(archive, None)))


def test_a_day_old_snapshot_is_rebuilt_so_deleted_stories_drop_out(archive, tmp_path: Path, monkeypatch) -> None:
    from types import SimpleNamespace

    where = snapshot.FileSnapshot(tmp_path / "ask.npz")
    warm = engine(archive, where)
    warm.ask("laptops")
    assert warm.save_snapshot_if_due()
    archive[1].delete("bbc-tech-004")  # the store forgets a story (TTL expiry, a takedown)
    fresh = engine(archive, where)
    assert "bbc-tech-004" in [s.id for s in fresh.ask("cheap laptops for children").sources]  # the snapshot still has it
    later = time.time() + snapshot.MAX_AGE + 60
    monkeypatch.setattr(snapshot, "time", SimpleNamespace(time=lambda: later))
    old = engine(archive, where)
    assert "bbc-tech-004" not in [s.id for s in old.ask("cheap laptops for children").sources]
    assert old._snapshot_rows == 0 and old.save_snapshot_if_due()  # rebuilt, then saved afresh


def test_a_snapshot_of_a_replaced_store_is_not_loaded(archive, tmp_path: Path) -> None:
    where = snapshot.FileSnapshot(tmp_path / "ask.npz")
    old = engine(archive, where)
    old.ask("doping in athletics")
    assert old.save_snapshot_if_due()
    db = tmp_path / "new.db"  # a new archive where the old one was: same snapshot setting
    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings).process(VOLCANO)
    new = engine((store, embeddings, None), where)
    assert [s.id for s in new.ask("doping in athletics").sources] == ["grindavik"]  # nothing of the old archive
    assert new._snapshot_rows == 0
    assert embeddings.identity() == SQLiteEmbeddingStore(db).identity() != archive[1].identity()
    store.close()
    embeddings.close()


def test_snapshot_locations_parse_and_s3_round_trips(moto_server: str) -> None:
    from headlines.aws.clients import client

    assert isinstance(snapshot.location("/tmp/ask.npz"), snapshot.FileSnapshot)
    with pytest.raises(ValueError, match="s3://BUCKET/KEY"):
        snapshot.location("s3://bucket-only")
    client("s3").create_bucket(Bucket="index-snapshots")
    where = snapshot.location("s3://index-snapshots/ask/index.npz")
    assert where.read() is None  # none yet: not an error
    where.write(b"v1")
    where.write(b"v2")
    assert where.read() == b"v2"
    with pytest.raises(snapshot.SnapshotError, match="s3://no-such-bucket/k"):
        snapshot.location("s3://no-such-bucket/k").write(b"x")


def test_on_aws_a_cold_worker_engine_loads_the_snapshot_from_the_index_bucket(aws) -> None:
    """DynamoDB vectors and the snapshot location template.yaml gives the worker (an S3 bucket of its own)."""
    from headlines.container import build_embedding_store, build_store
    from headlines.settings import get_settings

    where = snapshot.location(get_settings().index_snapshot or "")
    assert isinstance(where, snapshot.S3Snapshot) and where.bucket == aws.index_bucket
    store = build_store()
    embeddings = build_embedding_store(store=store)
    Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings).process_many(
        load_samples()
    )
    warm = engine((store, embeddings, None), where)
    warm.ask("doping in athletics")
    assert warm.save_snapshot_if_due()
    cold = engine((store, embeddings, None), where)
    assert cold.ask("What did Macron say about Russia?").sources[0].id == "seed-france-russia"
    assert cold._snapshot_rows == len(warm.index.ids)
    assert_same_rankings(rankings(cold), rankings(warm))
