"""The extractive summarizer: length limits, determinism, bad input, and the seed-article acceptance."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import numpy as np
import pytest

from headlines.models import Article
from headlines.pipeline import derive_headline
from headlines.summarize.embedding import MAX_CANDIDATE_SENTENCES, EmbeddingSummarizer, SummarizeError
from headlines.summarize.scorer import SentenceScorer, fit_logistic
from headlines.text import word_count
from tests.fakes.encoders import HashingEncoder

SEED_BODY = (
    "France is contemplating initiating diplomatic discussions with Russia, following an expression of openness by "
    "Russian President Vladimir Putin for talks with French President Emmanuel Macron. This development was confirmed "
    "by the presidential office in Paris on Sunday.\n\nDmitry Peskov, spokesperson for the Kremlin, stated that Putin is "
    "ready to engage in talks if both countries demonstrate a mutual political will. These remarks were reported by the "
    "RIA news agency earlier that day.\n\nThis potential dialogue marks a significant point in Franco-Russian relations, "
    "highlighting the importance of diplomatic discourse amidst evolving political dynamics.\n\n(With inputs from agencies.)"
)
SEED = Article(id="seed", title="France Eyes Potential Talks with Russia: Macron's Diplomatic Move", body=SEED_BODY)


@pytest.fixture(scope="module")
def fast() -> EmbeddingSummarizer:
    return EmbeddingSummarizer(HashingEncoder())


TOPICS = ["buses", "schools", "parks", "housing", "libraries", "roads", "water", "policing", "museums", "clinics"]
ACTIONS = ["approved spending on", "delayed a vote on", "cut the budget for", "asked residents about", "hired staff for"]


def long_article(n: int = 40) -> Article:
    # Distinct sentences (near-duplicates are never both chosen, so a repetitive body would give fewer).
    body = "\n\n".join(
        f"In session {i} the council {ACTIONS[i % len(ACTIONS)]} {TOPICS[i % len(TOPICS)]} in district {i // 3}."
        for i in range(n)
    )
    return Article(title="Council votes on measures", body=body)


@pytest.mark.parametrize(("sentences", "max_words"), [(1, 60), (2, 60), (3, 1000), (2, 12), (5, 5)])
def test_summary_respects_sentence_and_word_limits(fast: EmbeddingSummarizer, sentences: int, max_words: int) -> None:
    summary = fast.summarize(long_article(), sentences=sentences, max_words=max_words)
    assert 1 <= len(summary) <= sentences
    assert sum(word_count(s) for s in summary) <= max_words + 0  # the ellipsis is not a word
    if max_words >= 1000:
        assert len(summary) == sentences


def test_summary_is_whole_sentences_in_reading_order(fast: EmbeddingSummarizer) -> None:
    article = long_article()
    summary = fast.summarize(article, sentences=3, max_words=1000)
    positions = [article.body.index(s) for s in summary]
    assert positions == sorted(positions)


def test_summaries_are_deterministic_and_batch_equals_single(fast: EmbeddingSummarizer) -> None:
    articles = [SEED, long_article(), long_article(7)]
    first = fast.summarize_many(articles, sentences=2, max_words=60)
    again = fast.summarize_many(articles, sentences=2, max_words=60)
    singles = [fast.summarize(a, sentences=2, max_words=60) for a in articles]
    assert first == again == singles


def test_bad_inputs_give_a_result_or_a_clear_error(fast: EmbeddingSummarizer) -> None:
    one = fast.summarize(Article(body="Only one sentence here."), sentences=2, max_words=60)
    assert one == ["Only one sentence here."]
    with pytest.raises(SummarizeError, match="no text to summarize"):
        fast.summarize(Article(body="<div><script>x()</script></div>"), sentences=2, max_words=60)
    html = fast.summarize(Article(body="<p>Markets &amp; banks rallied.</p><p>Gold fell.</p>"), sentences=2, max_words=60)
    assert html == ["Markets & banks rallied.", "Gold fell."]
    foreign = fast.summarize(
        Article(body="La France envisage des pourparlers avec la Russie. Le Kremlin a répondu."), sentences=1, max_words=60
    )
    assert len(foreign) == 1
    unbroken = fast.summarize(Article(body="word " * 500), sentences=2, max_words=60)
    assert len(unbroken) == 1 and word_count(unbroken[0]) <= 60


def test_one_megabyte_body_is_truncated_to_the_documented_candidate_limit(fast: EmbeddingSummarizer) -> None:
    sentence = "The committee published another long report on regional transport spending today. "
    body = (sentence * (1_000_000 // len(sentence)))[:1_000_000]
    seen: list[int] = []

    class Counting(HashingEncoder):
        def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
            seen.append(len(texts))
            return super().encode(texts)

    summary = EmbeddingSummarizer(Counting()).summarize(Article(body=body), sentences=2, max_words=60)
    assert summary and seen == [MAX_CANDIDATE_SENTENCES]


def test_redundant_sentences_are_not_both_chosen(fast: EmbeddingSummarizer) -> None:
    body = "The central bank raised rates by half a point on Tuesday. " * 2 + "Shares in lenders fell sharply afterwards."
    summary = fast.summarize(Article(title="Bank raises rates", body=body), sentences=2, max_words=60)
    assert len(set(summary)) == len(summary)
    assert summary.count("The central bank raised rates by half a point on Tuesday.") == 1


def test_scorer_round_trips_and_learns_a_separable_signal(tmp_path) -> None:
    from headlines.summarize.features import FEATURE_NAMES

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURE_NAMES)))
    x[:, 0] = 1.0
    y = (x[:, 1] > 0).astype(float)
    scorer = fit_logistic(x, y, l2=0.1)
    assert scorer.weights[1] > 1.0
    path = tmp_path / "scorer.json"
    path.write_text(json.dumps(scorer.to_json()))
    loaded = SentenceScorer.load(path)
    assert np.allclose(loaded.score(x), scorer.score(x), atol=1e-4)


def test_shipped_scorer_loads_and_records_how_it_was_trained() -> None:
    scorer = SentenceScorer.load()
    assert "heldout" in scorer.meta and "reproduce" in scorer.meta


def test_headline_is_derived_when_title_is_missing() -> None:
    article = Article(body=SEED_BODY)
    headline = derive_headline(
        article, ["France is contemplating initiating diplomatic discussions with Russia, following an expression of openness."]
    )
    assert headline.startswith("France is contemplating")
    assert len(headline.split()) <= 14 and "following" not in headline
    assert derive_headline(Article(title="Real title here", body="x y."), ["x y."]) == "Real title here"


@pytest.mark.model
def test_seed_article_summary_says_france_weighs_talks_with_russia() -> None:
    from headlines.container import build_summarizer, reset_caches

    reset_caches()
    summarizer = build_summarizer(name="model")
    summary = summarizer.summarize(SEED, sentences=2, max_words=60)
    text = " ".join(summary)
    assert len(summary) <= 2 and word_count(text) <= 60
    assert re.search(r"France is (contemplating|weighing|considering)", text) and "talks" in text and "Russia" in text
    assert summarizer.summarize(SEED, sentences=2, max_words=60) == summary
