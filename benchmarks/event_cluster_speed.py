"""Event clustering cost per story, warm, over a window of recent stories, beside steps the pipeline already runs.

    PYTHONPATH=functions python benchmarks/event_cluster_speed.py --window 5000 --stories 500

Setup: a SQLite store and its vector table holding `--window` stories of the last 3 days (384-d vectors drawn around
`--topics` topic centres, so every story has near neighbours to score, as real news has). Then `--stories` new stories
go through the pipeline's steps: `EventClusterer.assign` (timed: catch-up with the store, one matrix product,
scoring the nearest candidates, one story read for the event), then the story and its vectors are written (timed:
the baseline, work every story already costs). A naive baseline scores the rule against every window story in Python.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from headlines.ask.embeddings import SQLiteEmbeddingStore, StoryVectors
from headlines.countries.data import country_tag
from headlines.events.clusterer import EventClusterer
from headlines.events.features import features_of
from headlines.events.rule import EventRule
from headlines.models import Article, Story
from headlines.store.sqlite import SQLiteStore

DIM = 384
PLACES = ["Paris", "Berlin", "Tokyo", "Lagos", "Lima", "Kyiv", "Delhi", "Cairo", "Quito", "Oslo", "Seoul", "Accra"]
CODES = ["FR", "DE", "JP", "NG", "PE", "UA", "IN", "EG", "EC", "NO", "KR", "GH"]


def make(i: int, topic: int, centres: np.ndarray, rng: np.random.Generator, when: datetime) -> tuple[Story, StoryVectors]:
    v = centres[topic] + rng.normal(0, 0.9 / np.sqrt(DIM), DIM).astype(np.float32)
    v /= np.linalg.norm(v)
    place, code = PLACES[topic % len(PLACES)], CODES[topic % len(CODES)]
    title = f"{place} officials respond to topic {topic} report number {i}"
    body = f"Officials in {place} said on Monday that the Minister of Topic{topic} met Ambassador Name{i % 97}. More follows."
    art = Article(id=f"s{i}", title=title, body=body, url=f"https://news.example/{i}", published=when, source="Wire")
    story = Story(
        id=art.story_id(),
        article=art,
        headline=title,
        summary=body[:80],
        countries=[country_tag(code, 1.0, primary=True)],
        content_hash=art.content_hash,
    )
    units = [title, body]
    vec = StoryVectors(story.id, when, (code,), units, v, np.stack([v, v]), "bench")
    return story, vec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=int, default=5000, help="stories already in the window")
    parser.add_argument("--stories", type=int, default=500, help="new stories timed")
    parser.add_argument("--topics", type=int, default=800)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    centres = rng.normal(0, 1, (args.topics, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store, vectors = SQLiteStore(path), SQLiteEmbeddingStore(path)
        window = [
            make(i, int(rng.integers(args.topics)), centres, rng, now - timedelta(hours=float(rng.uniform(1, 72))))
            for i in range(args.window)
        ]
        for story, _ in window:
            store.put(story.model_copy(update={"event_id": story.id}))
        vectors.put_many(v for _, v in window)
        clusterer = EventClusterer(store, vectors, EventRule())
        new = [make(args.window + i, int(rng.integers(args.topics)), centres, rng, now) for i in range(args.stories + 1)]
        t0 = time.perf_counter()
        first, vec = new[0]
        clusterer.assign(first, vec.story_vector)  # cold: loads the window once
        cold = time.perf_counter() - t0
        assign_ms, assign_cpu_ms, write_ms, joined = [], [], [], 0
        for story, vec in new[1:]:
            t, c = time.perf_counter(), time.thread_time()
            event = clusterer.assign(story, vec.story_vector)
            assign_ms.append((time.perf_counter() - t) * 1000)
            assign_cpu_ms.append((time.thread_time() - c) * 1000)
            joined += event != story.id
            t = time.perf_counter()
            store.put(story.model_copy(update={"event_id": event}))
            vectors.put(vec)
            write_ms.append((time.perf_counter() - t) * 1000)
        # Naive baseline: the same rule against every window story, in Python, for a few stories.
        rule = EventRule()
        feats = [features_of(s, v.story_vector) for s, v in window]
        naive_ms = []
        for story, vec in new[1:21]:
            f = features_of(story, vec.story_vector)
            t = time.perf_counter()
            _ = max((rule.score(f, g) for g in feats), default=0.0)
            naive_ms.append((time.perf_counter() - t) * 1000)
        store.close()
        vectors.close()

    def stats(xs: list[float]) -> str:
        return f"median {statistics.median(xs):.2f} ms, p95 {np.percentile(xs, 95):.2f} ms, mean {statistics.mean(xs):.2f} ms"

    print(f"window {len(clusterer.index)} stories (dim {DIM}), {args.stories} new stories, {joined} joined an event")
    print(f"cold first assignment (loads the window): {cold * 1000:.0f} ms")
    print(f"event clustering, warm:              {stats(assign_ms)}")
    # CPU time of the assigning thread: what the step costs, without the waits a busy machine adds to wall time.
    print(f"  the same, thread CPU time:         {stats(assign_cpu_ms)}")
    print(f"baseline: store + vector writes:     {stats(write_ms)}")
    print(f"baseline: naive rule over the window: {stats(naive_ms)}")
    print(
        f"ratio clustering / writes: {statistics.median(assign_ms) / statistics.median(write_ms):.2f}; "
        f"naive / clustering: {statistics.median(naive_ms) / statistics.median(assign_ms):.0f}x; "
        f"target < 10 ms (p95): {'met' if np.percentile(assign_ms, 95) < 10 else 'NOT met'} on wall time, "
        f"{'met' if np.percentile(assign_cpu_ms, 95) < 10 else 'NOT met'} on thread CPU time"
    )


if __name__ == "__main__":
    main()
