"""What only the DynamoDB embedding store has to get right (moto server): idempotent and conditional
writes, entries that become visible late, paging and parallel segments, the item size limit, encoding."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from headlines.ask.dynamodb import DynamoDBEmbeddingStore
from headlines.ask.embeddings import EmbeddingStoreError, StoryVectors
from headlines.ask.index import ArchiveIndex
from headlines.aws.clients import client
from tests.aws_local import LocalStack


def _vectors(story_id: str, units: list[str], *, seed: int = 0, dim: int = 8) -> StoryVectors:
    rng = np.random.default_rng(seed)
    unit_vectors = rng.normal(size=(len(units), dim)).astype(np.float32)
    unit_vectors /= np.linalg.norm(unit_vectors, axis=1, keepdims=True)
    return StoryVectors(
        story_id, datetime(2025, 12, 21, tzinfo=UTC), ("FR",), units, unit_vectors.mean(0), unit_vectors, "test:random"
    )


@pytest.fixture
def table(aws: LocalStack) -> str:
    return aws.tables["StoryVectorsTable"]


def _item(table: str, story_id: str) -> dict[str, Any]:
    return client("dynamodb").get_item(TableName=table, Key={"story_id": {"S": story_id}}, ConsistentRead=True)["Item"]


def test_the_same_content_again_writes_nothing_and_a_change_gets_a_later_seq(table: str) -> None:
    store = DynamoDBEmbeddingStore(table)
    store.put(_vectors("s", ["Head", "One."]))
    first = int(_item(table, "s")["seq"]["N"])
    store.put(_vectors("s", ["Head", "One."]))  # a redelivered job: same text, same model
    assert int(_item(table, "s")["seq"]["N"]) == first
    index = ArchiveIndex(store)
    assert index.refresh() == 1
    store.put(_vectors("s", ["Head", "One.", "Two."]))
    assert int(_item(table, "s")["seq"]["N"]) > first
    assert index.refresh() == 1 and index.units[index.row("s")] == ["Head", "One.", "Two."]
    assert index.refresh() == 0


def test_a_write_after_one_from_a_faster_clock_still_gets_a_later_seq(table: str) -> None:
    store = DynamoDBEmbeddingStore(table)
    store.put(_vectors("s", ["Head", "One."]))
    ahead = int(_item(table, "s")["seq"]["N"]) + 3_600_000_000  # another host's clock, an hour ahead
    client("dynamodb").update_item(
        TableName=table,
        Key={"story_id": {"S": "s"}},
        UpdateExpression="SET seq = :s",
        ExpressionAttributeValues={":s": {"N": str(ahead)}},
    )
    store.put(_vectors("s", ["Head", "One.", "Two."]))
    assert int(_item(table, "s")["seq"]["N"]) == ahead + 1


class _Racing:
    """A DynamoDB client on which another worker stores the same story just before each of our first
    `times` puts (what two workers processing the same article at once look like)."""

    def __init__(self, table: str, times: int) -> None:
        self.real, self.times = client("dynamodb"), times
        self.rival = DynamoDBEmbeddingStore(table)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def put_item(self, **kwargs: Any) -> Any:
        if self.times:
            self.times -= 1
            self.rival.put(_vectors("s", ["Head", f"Rival {self.times}."], seed=self.times + 10))
        return self.real.put_item(**kwargs)


def test_a_concurrent_writer_of_the_same_story_is_never_overwritten_blindly(table: str) -> None:
    DynamoDBEmbeddingStore(table).put(_vectors("s", ["Head", "Old."]))
    DynamoDBEmbeddingStore(table, dynamodb=_Racing(table, times=2)).put(_vectors("s", ["Head", "Ours."]))
    # Our conditional put lost twice (the rival wrote in between), re-read, and then won: ours is the newest.
    assert [e.units for e in DynamoDBEmbeddingStore(table).scan()] == [["Head", "Ours."]]
    with pytest.raises(EmbeddingStoreError, match="concurrent writers"):
        DynamoDBEmbeddingStore(table, dynamodb=_Racing(table, times=5)).put(_vectors("s", ["Head", "Again."]))


def test_an_entry_that_becomes_visible_late_is_still_loaded_once(table: str) -> None:
    store = DynamoDBEmbeddingStore(table)
    store.put(_vectors("a", ["A head", "A one."]))
    store.put(_vectors("b", ["B head", "B one."], seed=1))
    index = ArchiveIndex(store)
    assert index.refresh() == 2
    # A writer whose seq is below what the index already read (its clock behind, or the index lagging).
    store.put(_vectors("late", ["Late head", "Late one."], seed=2))
    cursor = int(_item(table, "b")["seq"]["N"])
    client("dynamodb").update_item(
        TableName=table,
        Key={"story_id": {"S": "late"}},
        UpdateExpression="SET seq = :s",
        ExpressionAttributeValues={":s": {"N": str(cursor - 1_000_000)}},
    )
    assert index.refresh() == 1 and index.row("late") is not None
    assert index.refresh() == 0 and len(index) == 3


def test_cold_load_reads_every_page_of_every_segment(table: str) -> None:
    DynamoDBEmbeddingStore(table).put_many(_vectors(f"s{i:02d}", ["Head", f"Sentence {i}."], seed=i) for i in range(23))
    for segments in (1, 4):
        store = DynamoDBEmbeddingStore(table, segments=segments, page_size=3)
        entries = list(store.scan())
        assert [e.story_id for e in entries] == [f"s{i:02d}" for i in range(23)]  # write order, whatever the segment
        assert len(store.ids()) == 23
    later = DynamoDBEmbeddingStore(table, page_size=3)
    index = ArchiveIndex(later)
    assert index.refresh() == 23
    later.put_many(_vectors(f"t{i}", ["Head", "New."], seed=100 + i) for i in range(7))
    assert index.refresh() == 7


def test_float16_and_float32_items_are_read_alike(table: str) -> None:
    sent = _vectors("h", ["Head", "One.", "Two."], dim=384)
    DynamoDBEmbeddingStore(table, dtype="float16").put(sent)
    DynamoDBEmbeddingStore(table, dtype="float32").put(_vectors("f", ["Head", "One."], dim=384))
    assert _item(table, "h")["dtype"]["S"] == "float16"
    assert len(_item(table, "h")["unit_vectors"]["B"]) == 3 * 384 * 2
    assert len(_item(table, "f")["unit_vectors"]["B"]) == 2 * 384 * 4
    got = DynamoDBEmbeddingStore(table).unit_vectors(["h", "f"])
    assert got["h"].dtype == got["f"].dtype == np.float32
    assert np.abs(got["h"] - sent.unit_vectors).max() < 1e-3
    with pytest.raises(ValueError, match="dtype"):
        DynamoDBEmbeddingStore(table, dtype="int8")


def test_a_story_of_huge_unpunctuated_sentences_is_trimmed_to_fit_an_item(table: str) -> None:
    rng = np.random.default_rng(0)
    words = [f"w{n}" for n in rng.integers(0, 10**9, size=61 * 3_000)]
    units = [" ".join(words[i * 3_000 : (i + 1) * 3_000]) for i in range(61)]  # ~61 x 33 KB of text
    store = DynamoDBEmbeddingStore(table, dtype="float32")
    store.put(_vectors("big", units, dim=384))
    (entry,) = store.scan()
    assert len(entry.units) == 61
    assert all(len(u) <= 4000 and t.startswith(u) for u, t in zip(entry.units, units, strict=True))
    assert store.unit_vectors(["big"])["big"].shape == (61, 384)


def test_a_missing_table_says_which_setting_to_fix(aws: LocalStack) -> None:
    store = DynamoDBEmbeddingStore("no-such-table")
    with pytest.raises(EmbeddingStoreError, match="HEADLINES_VECTORS_TABLE"):
        store.put(_vectors("s", ["Head"]))
    with pytest.raises(EmbeddingStoreError, match="HEADLINES_VECTORS_TABLE"):
        list(store.scan())


@pytest.mark.model
def test_cli_ask_on_aws_embeds_stories_stored_before_vectors_existed(aws: LocalStack) -> None:
    """A stack deployed before the vectors table: `headlines ask` with the AWS settings embeds once, then answers."""
    import json

    from typer.testing import CliRunner

    from headlines.cli.app import app
    from headlines.container import build_store
    from headlines.countries.exact import ExactNameTagger
    from headlines.pipeline import Pipeline
    from headlines.samples import load_samples
    from headlines.summarize.lead import LeadSummarizer

    Pipeline(LeadSummarizer(), ExactNameTagger(), store=build_store()).process_many(load_samples())
    assert DynamoDBEmbeddingStore(aws.tables["StoryVectorsTable"]).ids() == set()
    result = CliRunner().invoke(app, ["ask", "What did Macron say about Russia?", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip())["sources"][0]["id"] == "seed-france-russia"
    assert DynamoDBEmbeddingStore(aws.tables["StoryVectorsTable"]).ids() == {a.story_id() for a in load_samples()}
