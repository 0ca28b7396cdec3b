"""The optional seq2seq path, exercised with a tiny random model built here: loading, generation, errors.

The tiny model's output is noise; these tests cover the code path, not summary quality.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from headlines.encoder import ModelError
from headlines.models import Article
from headlines.text import word_count

CORPUS = [
    "France is weighing talks with Russia after the Kremlin signalled openness.",
    "The central bank raised interest rates by half a point on Tuesday.",
    "Shares in lenders fell sharply as investors worried about growth.",
    "The council voted on new measures for regional transport spending.",
] * 5


@pytest.fixture(scope="module")
def tiny_seq2seq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = pytest.importorskip("torch")
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    specials = ["<pad>", "<s>", "</s>", "<unk>"]
    raw = Tokenizer(models.WordLevel(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    raw.train_from_iterator(CORPUS, trainers.WordLevelTrainer(special_tokens=specials))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>", model_max_length=64
    )
    config = BartConfig(
        vocab_size=raw.get_vocab_size(),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=None,
        forced_eos_token_id=None,
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config)
    path = tmp_path_factory.mktemp("tiny-bart")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_tiny_seq2seq_loads_and_generates_within_budget(tiny_seq2seq: Path) -> None:
    from headlines.summarize.abstractive import AbstractiveSummarizer

    summarizer = AbstractiveSummarizer(tiny_seq2seq, num_beams=2, max_new_tokens=20)
    article = Article(body=" ".join(CORPUS[:4]) + "\n\n(With inputs from agencies.)")
    summary = summarizer.summarize(article, sentences=2, max_words=12)
    assert summary, "the tiny model generated nothing"
    assert len(summary) <= 2 and sum(word_count(s) for s in summary) <= 12
    assert summarizer.summarize(article, sentences=2, max_words=12) == summary  # beam search is deterministic


def test_container_uses_the_seq2seq_model_when_configured(tiny_seq2seq: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headlines.container import build_summarizer, reset_caches

    monkeypatch.setenv("HEADLINES_SUMMARIZER_MODEL", str(tiny_seq2seq))
    reset_caches()
    assert build_summarizer().name == "abstractive"


def test_missing_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    from headlines.summarize.abstractive import AbstractiveSummarizer

    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError, match=str(missing)):
        AbstractiveSummarizer(missing)


def test_broken_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    from headlines.summarize.abstractive import AbstractiveSummarizer

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "bart"}')
    with pytest.raises(ModelError, match=str(broken)):
        AbstractiveSummarizer(broken)


def test_misconfigured_encoder_directory_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headlines.container import build_summarizer, reset_caches

    monkeypatch.setenv("HEADLINES_MODEL_DIR", str(tmp_path / "nowhere"))
    reset_caches()
    with pytest.raises(ModelError, match="nowhere"):
        build_summarizer(name="model")
    reset_caches()
