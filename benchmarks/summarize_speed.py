"""Warm time to summarize a 600-word article on one CPU core, and batch throughput.

    PYTHONPATH=functions python benchmarks/summarize_speed.py [--runs 20] [--threads 1]

The article is built from the bundled samples (whole sentences, about 600 words), so the script needs no
dev data. Prints median and p90 milliseconds for the full summarizer and for the encoder alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))

from headlines.models import Article
from headlines.samples import load_samples
from headlines.text import split_sentences


def article_of(words: int) -> Article:
    """Whole sentences from the sample articles until `words` words (paragraph per source article)."""
    paragraphs, total = [], 0
    for sample in load_samples() * 10:
        kept = []
        for sentence in split_sentences(sample.body):
            if total >= words:
                break
            kept.append(sentence)
            total += len(sentence.split())
        if kept:
            paragraphs.append(" ".join(kept))
        if total >= words:
            break
    return Article(title="Benchmark article", body="\n\n".join(paragraphs))


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument(
        "--int8", action="store_true", help="dynamically quantize the encoder's Linear layers (what-if; not the shipped path)"
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from headlines.encoder import TransformersEncoder
    from headlines.summarize.embedding import ENCODE_BATCH, Document, EmbeddingSummarizer

    t0 = time.perf_counter()
    encoder = TransformersEncoder()
    load_ms = (time.perf_counter() - t0) * 1000
    if args.int8:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            encoder.model = torch.ao.quantization.quantize_dynamic(encoder.model, {torch.nn.Linear}, dtype=torch.qint8)
    summarizer = EmbeddingSummarizer(encoder)
    article = article_of(args.words)
    doc = Document.from_article(article)
    n_tokens = sum(len(ids) for ids in encoder.tokenizer(doc.sentences)["input_ids"])
    for _ in range(3):  # warm-up
        summarizer.summarize(article, sentences=2, max_words=60)

    full = timed(lambda: summarizer.summarize(article, sentences=2, max_words=60), args.runs)
    enc = timed(lambda: encoder.encode([*doc.sentences, article.title or ""], batch_size=ENCODE_BATCH), args.runs)
    batch = [article] * 16
    t0 = time.perf_counter()
    summarizer.summarize_many(batch, sentences=2, max_words=60)
    batch_s = time.perf_counter() - t0

    def p90(xs: list[float]) -> float:
        return sorted(xs)[int(0.9 * (len(xs) - 1))]

    words = len(article.body.split())
    kind = "int8 dynamic quantization" if args.int8 else "fp32"
    print(f"torch threads: {torch.get_num_threads()}  encoder: {kind}  model load: {load_ms:.0f} ms")
    print(f"article: {words} words, {len(doc.sentences)} sentences, {n_tokens} tokens")
    print("| step | median ms | p90 ms |\n|---|---|---|")
    print(f"| summarize (split + encode + score + select) | {statistics.median(full):.1f} | {p90(full):.1f} |")
    print(f"| encoder alone | {statistics.median(enc):.1f} | {p90(enc):.1f} |")
    print(f"batch of 16 such articles: {batch_s:.2f} s ({16 / batch_s:.1f} articles/s)")


if __name__ == "__main__":
    main()
