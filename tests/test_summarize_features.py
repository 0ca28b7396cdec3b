"""Sentence features: lexical TextRank centrality, and the training script's soft labels for written highlights."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from headlines.summarize.features import FEATURE_NAMES, sentence_features, textrank
from headlines.summarize.words import content_words
from tests.scripts import load_script

HUB = "The council approved the harbour budget, the ferry timetable and the school repairs on Monday."
SPOKES = [
    "Residents had asked the council for the harbour works.",
    "The ferry timetable changes in spring.",
    "Parents welcomed the school repairs.",
]
LONER = "Weather stayed mild across the region."


def test_textrank_puts_the_sentence_linked_to_all_others_first_and_an_unlinked_one_last() -> None:
    sentences = [SPOKES[0], LONER, HUB, SPOKES[1], SPOKES[2]]
    scores = textrank([content_words(s) for s in sentences])
    assert int(np.argmax(scores)) == 2  # the hub, though it is third in reading order
    assert int(np.argmin(scores)) == 1  # shares no content word: only the random jump reaches it
    assert scores[2] > max(scores[0], scores[3], scores[4]) > scores[1]
    assert np.isclose(scores.mean(), 1.0)


def test_textrank_handles_tiny_and_unlinked_documents() -> None:
    assert textrank([]).shape == (0,)
    assert np.allclose(textrank([["harbour", "budget"]]), [1.0])
    assert np.allclose(textrank([["harbour", "budget"], ["weather", "mild"], ["x"]]), 1.0)  # nothing shared: all equal


def test_sentence_features_carry_textrank_and_its_rank() -> None:
    sentences = [SPOKES[0], LONER, HUB, SPOKES[1], SPOKES[2]]
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(len(sentences), 16))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    feats = sentence_features(sentences, emb)
    rank = feats[:, FEATURE_NAMES.index("textrank_rank")]
    assert rank[2] == 1.0 and rank[1] == 0.0
    assert np.allclose(feats[:, FEATURE_NAMES.index("textrank")], textrank([content_words(s) for s in sentences]))


@pytest.fixture(scope="module")
def trainer() -> ModuleType:
    return load_script("benchmarks/train_summary_scorer.py")


def test_highlights_get_soft_labels_by_how_much_of_them_a_sentence_carries(trainer: ModuleType) -> None:
    from headlines.evaluation.summaries import SummaryExample, _Rouge
    from headlines.summarize.embedding import Document

    sentences = [
        "The mayor of Springfield resigned on Tuesday after a budget scandal.",
        "Officials said the budget scandal involved missing funds.",
        "Weather stayed mild across the region.",
    ]
    example = SummaryExample(
        id="x", title="", body=" ".join(sentences), reference="Springfield mayor resigned on Tuesday after a budget scandal ."
    )
    doc = Document(sentences=sentences, paragraph_starts=[True, False, False], title=None)
    rouge = _Rouge()
    soft = trainer.labels_for(example, doc, rouge, "soft")
    assert soft[0] == 1.0 and 0.0 < soft[1] < 1.0 and soft[2] == 0.0
    oracle = trainer.labels_for(example, doc, rouge, "oracle")
    assert set(np.unique(oracle)) <= {0.0, 1.0}
    # An extractive reference (two sentences verbatim) keeps one-or-zero labels whatever the kind.
    extract = example.model_copy(update={"reference": sentences[0] + sentences[2]})
    assert list(trainer.labels_for(extract, doc, rouge, "soft")) == [1.0, 0.0, 1.0]
