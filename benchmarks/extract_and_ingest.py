"""Main-text extraction quality and speed, and S3 -> SQS ingest throughput on a local AWS.

Extraction: each BBC dev article (../shared/data/bbc-summary-dev.jsonl) is wrapped in a news-site page
with a menu, a "trending" list (titles of other articles), an opinion block and a footer, like
../shared/data/seed-page.txt. We report how much of the article body survives (word recall) and how
much of the surrounding boilerplate leaks into the text (boilerplate words kept), against the naive
baseline of taking all of the page's text.

Ingest: N JSON articles uploaded under incoming/ on a moto server and pushed through the ingest
handler onto SQS (the path an S3 notification takes), timed per object.

    PYTHONPATH=functions .venv/bin/python benchmarks/extract_and_ingest.py [--limit 200] [--objects 100]
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "bbc-summary-dev.jsonl"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "functions"))

WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def links(titles: list[str], prefix: str) -> str:
    return "".join(f'<li><a href="/{prefix}/{i}">{html.escape(t)}</a></li>' for i, t in enumerate(titles))


def page(article: dict, others: list[dict], rng: random.Random) -> tuple[str, str]:
    """(html, boilerplate text) for one article inside a site's chrome."""
    trending = [o["title"] for o in rng.sample(others, 4)]
    opinion = [o["title"] for o in rng.sample(others, 3)]
    menu = ["Home", "World", "Business", "Technology", "Entertainment", "Sport", "Opinion"]
    footer = [
        "Connect us on LinkedIn Quora Youtube RSS",
        "Give Feedback",
        "Subscribe to our Newsletter",
        "About us",
        "Privacy policy",
        "Email: desk@example-news.com",
    ]
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in article["body"].split("\n") if p.strip())
    doc = f"""<!DOCTYPE html><html><head><title>{html.escape(article["title"])} | Example News</title></head><body>
<div class="menu"><ul>{"".join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in menu)}</ul></div>
<div class="main"><article><h1>{html.escape(article["title"])}</h1>
<p class="byline">Example News Desk | London | Updated: 21-12-2005 16:39</p>
<div class="story-body">{paras}</div></article>
<aside class="trending"><h3>TRENDING</h3><ol>{links(trending, "t")}</ol>
<h3>OPINION / BLOG / INTERVIEW</h3><ul>{links(opinion, "o")}</ul></aside></div>
<footer>{"".join(f"<p>{html.escape(f)}</p>" for f in footer)}</footer></body></html>"""
    boiler = " ".join(menu + trending + opinion + footer)
    return doc, boiler


def scores(extracted: str, body: str, boiler: str) -> tuple[float, float]:
    got = set(words(extracted))
    body_words = set(words(body))
    boiler_only = set(words(boiler)) - body_words
    recall = len(got & body_words) / max(1, len(body_words))
    leaked = len(got & boiler_only) / max(1, len(boiler_only))
    return recall, leaked


def bench_extraction(limit: int) -> None:
    import lxml.html

    from headlines.fetch import FetchError, extract_article

    if not DATA.exists():
        print(f"skipping extraction: {DATA} not found")
        return
    rows = [json.loads(line) for line in DATA.open()][: max(limit, 10)]
    rng = random.Random(7)
    ours_r, ours_l, naive_r, naive_l, times, failures = [], [], [], [], [], 0
    for article in rows[:limit]:
        doc, boiler = page(article, [r for r in rows if r is not article], rng)
        start = time.perf_counter()
        try:
            text = extract_article(doc).body
        except FetchError:
            text, failures = "", failures + 1
        times.append(time.perf_counter() - start)
        r, leak = scores(text, article["body"], boiler)
        ours_r.append(r)
        ours_l.append(leak)
        r, leak = scores(" ".join(lxml.html.fromstring(doc).itertext()), article["body"], boiler)
        naive_r.append(r)
        naive_l.append(leak)
    n = len(times)
    print(f"\nMain-text extraction, {n} BBC dev articles in generated site chrome ({DATA.name})")
    print("| method | body words kept | boilerplate words kept | ms/page (median, p95) | no text |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| all page text (baseline) | {statistics.mean(naive_r):.3f} | {statistics.mean(naive_l):.3f} | - | 0 |")
    p95 = sorted(times)[int(0.95 * (n - 1))] * 1000
    print(
        f"| trafilatura (headlines.fetch.extract_article) | {statistics.mean(ours_r):.3f} | {statistics.mean(ours_l):.3f} "
        f"| {statistics.median(times) * 1000:.1f}, {p95:.1f} | {failures} |"
    )


def bench_ingest(objects: int) -> None:
    import os
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    try:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        from tests.aws_local import create_stack

        from headlines.aws.clients import client
        from headlines.aws.s3_articles import S3ArticleIngest
        from headlines.aws.sqs import SqsQueue

        stack = create_stack()
        ingest = S3ArticleIngest(SqsQueue(stack.queue_url))
        s3 = client("s3")
        samples = [json.loads(line) for line in (REPO / "functions/headlines/samples/articles.jsonl").open()]
        times = []
        for i in range(objects):
            art = dict(samples[i % len(samples)], id=f"bench-{i}")
            s3.put_object(Bucket=stack.bucket, Key=f"incoming/{i}.json", Body=json.dumps(art).encode())
            start = time.perf_counter()
            assert ingest.ingest(stack.bucket, f"incoming/{i}.json").status == "queued"
            times.append(time.perf_counter() - start)
        attrs = client("sqs").get_queue_attributes(QueueUrl=stack.queue_url, AttributeNames=["ApproximateNumberOfMessages"])
        print(f"\nS3 -> SQS ingest on moto server (127.0.0.1), {objects} JSON objects")
        print("| ms/object (median, p95) | queued |")
        print("| --- | --- |")
        p95 = sorted(times)[int(0.95 * (len(times) - 1))] * 1000
        print(f"| {statistics.median(times) * 1000:.1f}, {p95:.1f} | {attrs['Attributes']['ApproximateNumberOfMessages']} |")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="articles for the extraction benchmark")
    parser.add_argument("--objects", type=int, default=100, help="objects for the ingest benchmark")
    args = parser.parse_args()
    bench_extraction(args.limit)
    bench_ingest(args.objects)


if __name__ == "__main__":
    main()
