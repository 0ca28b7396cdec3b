"""Optional abstractive summaries from a local seq2seq checkpoint (e.g. distilbart-cnn-12-6).

Used when `HEADLINES_SUMMARIZER_MODEL` names a local directory. Loading and generation are tested
with a tiny randomly initialised model; the quality of real checkpoints is not measured here.
"""

from __future__ import annotations

import os
from pathlib import Path

from headlines.encoder import ModelError, check_model_dir
from headlines.models import Article
from headlines.summarize.base import fit_to_budget
from headlines.summarize.embedding import SummarizeError
from headlines.text import clean_text, split_sentences

MAX_INPUT_TOKENS = 1024
"""Longer articles are cut to their first 1,024 tokens before generation (the usual BART input limit)."""


class AbstractiveSummarizer:
    """Generates a summary with beam search, then keeps whole sentences within the length budget."""

    name = "abstractive"

    def __init__(self, model_dir: Path, *, num_beams: int = 4, max_new_tokens: int = 120) -> None:
        self.model_dir = check_model_dir(
            Path(model_dir), kind="seq2seq model directory", fix="set HEADLINES_SUMMARIZER_MODEL to a local seq2seq directory"
        )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            self._torch = torch
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(str(self.model_dir), local_files_only=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(
                f"cannot load a seq2seq model from {self.model_dir} (HEADLINES_SUMMARIZER_MODEL): {exc}; "
                "point it at a directory saved with save_pretrained(), or unset it for extractive summaries"
            ) from exc
        self.model.eval()
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        limit = getattr(self.tokenizer, "model_max_length", MAX_INPUT_TOKENS) or MAX_INPUT_TOKENS
        self.max_input_tokens = min(MAX_INPUT_TOKENS, limit)

    def summarize(self, article: Article, *, sentences: int, max_words: int) -> list[str]:
        body = clean_text(article.body)
        if not body:
            raise SummarizeError("article has no text to summarize after removing markup and boilerplate")
        inputs = self.tokenizer(body, truncation=True, max_length=self.max_input_tokens, return_tensors="pt")
        inputs.pop("token_type_ids", None)
        with self._torch.inference_mode():
            output = self.model.generate(
                **inputs,
                num_beams=self.num_beams,
                max_new_tokens=self.max_new_tokens,
                min_new_tokens=min(8, self.max_new_tokens),
                no_repeat_ngram_size=3,
                early_stopping=True,
            )
        text = self.tokenizer.batch_decode(output[:1], skip_special_tokens=True)[0].strip()
        return fit_to_budget(split_sentences(text) or [text], sentences=sentences, max_words=max_words) if text else []
