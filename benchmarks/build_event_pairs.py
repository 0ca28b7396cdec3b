"""Build the same-event / different-event pairs that `headlines eval events` reads, from RealTime QA 2022.

    PYTHONPATH=functions python benchmarks/build_event_pairs.py \
        --data ../shared/data/realtimeqa-2022 --out build/event-pairs.jsonl

How the pairs are derived (docs/events.md says the same):

- Multi-story pages ("5 things to know", "News from around our 50 states", "Photos this week", daily newsletters
  ("OnPolitics", USA Today's "...-its-wednesdays-news") and podcasts,
  quizzes, titles listing three or more topics) are left out: they report several events at once. They are
  recognised by their title or URL.
- **same** (positives): the gold articles of one question (`gold_ids`, the articles that answer it) that were
  published in the question's week (from 7 days before the question date to 1 day after) report the same story.
- **older** (hard negatives: same subject, different event): articles of the corpus published 21 days or more
  before the question's week whose title or lede contains a rare name from the question or its answer (a
  capitalised word that is not a stop word), paired with one gold article of the question (at most 8 each).
- **same_week** (hardest negatives): gold articles, published at most 7 days apart, of two *different* questions
  dated at most 7 days apart that share a country other than the US (nearly every story here is American) or a
  rare name (at most 2% of the corpus has it) in their title and lede. Questions that share a gold article, the
  same answer, or a rare name in the question and answer text may be one event and never form such pairs.

Each pair goes to the `tune` or `check` half by a hash of the question id (the lower one for a same_week pair),
so no question's labels are in both halves (a same_week pair's second article may be a gold article of a question
of the other half). The file holds `{"article": {...}}` lines, then `{"pair": {...}}` lines.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

MULTI_STORY_TITLE = re.compile(
    r"\b(?:\d+|five|three|ten) (?:things|stories)\b|news from around our|\bquiz\b|\bbriefing\b|newsletter|"
    r"what you missed|\bthe week in\b|: \d+ \.\.\.$|\bpodcast\b|^onpolitics\b|\bphotos this week\b|\bbiggest news\b",
    re.I,
)
MULTI_STORY_LEDE = re.compile(r"\bAlso in the news:")
"""USA Today's daily roundup ("Colorado Springs shooting, Indonesia earthquake, Oath Keepers ...") says so in its lede."""
MULTI_STORY_URL = re.compile(
    r"five-things|\d-things-(?:you-)?(?:need-)?know|things-podcast|around-our|quiz|briefing|"
    r"newsletter|photos-this-week|-(?:mon|tues|wednes|thurs|fri|satur|sun)days?-new",
    re.I,
)
STOP = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "from",
    "as",
    "is",
    "was",
    "who",
    "what",
    "which",
    "where",
    "when",
    "why",
    "how",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "his",
    "her",
    "their",
    "after",
    "before",
    "new",
    "said",
    "says",
    "us",
    "u",
    "s",
    "mr",
    "ms",
    "dr",
    "i",
    "we",
    "you",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "week",
    "year",
    "day",
    "news",
    "report",
    "reports",
    "according",
    "but",
    "if",
    "not",
    "all",
    "more",
    "about",
    "up",
    "over",
    "into",
    "will",
    "has",
    "have",
    "had",
    "be",
    "are",
    "were",
    "been",
    "than",
    "then",
    "there",
    "here",
    "also",
    "just",
    "one",
    "two",
}
RARE = 0.02
"""A name counts as shared only if at most this share of the corpus has it in its title and lede ("Florida" is too common)."""
OLDER_MIN_DAYS = 21
SAME_WEEK_DAYS = 7
"""A same_week pair: two questions at most this many days apart, and their two articles too."""
MAX_OLDER_PER_QUESTION = 8
_CAP = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z]")


def multi_story(article: dict[str, Any]) -> bool:
    title = article["title"]
    return bool(
        MULTI_STORY_TITLE.search(title)
        or MULTI_STORY_URL.search(article.get("url") or "")
        or MULTI_STORY_LEDE.search(article["body"][:600])
        or title.count(",") >= 3
    )


def names(text: str) -> set[str]:
    """Capitalised words that are not stop words (lower-cased), e.g. {"yellowstone", "montana"}."""
    out = set()
    for word in _CAP.findall(text):
        # The possessive only: `rstrip("'’s")` also ate every trailing s ("Texas" -> "texa", "Ross" -> "ro").
        w = word.lower().removesuffix("'s").removesuffix("’s").rstrip("'’")
        if w not in STOP and len(w) > 2:
            out.add(w)
    return out


def lede(article: dict[str, Any], chars: int = 400) -> str:
    return f"{article['title']}\n{article['body'][:chars]}"


def split_of(qid: str) -> str:
    return "tune" if int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 2 == 0 else "check"


def when(value: str) -> datetime:
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def build(data_dir: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    from headlines.container import build_tagger
    from headlines.models import Article

    corpus: dict[str, dict[str, Any]] = {}
    with gzip.open(data_dir / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            art = json.loads(line)
            if not multi_story(art):
                corpus[art["id"]] = art
    questions = [json.loads(line) for line in (data_dir / "questions.jsonl").open(encoding="utf-8")]

    # Questions that share a gold article or their answer are one event.
    parent = {q["qid"]: q["qid"] for q in questions}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_gold: dict[str, str] = {}
    by_answer: dict[str, str] = {}
    for q in questions:
        for key, table in [(g, by_gold) for g in q["gold_ids"]] + [(q["answer"].strip(" \"“”'").lower(), by_answer)]:
            if key in table:
                parent[find(q["qid"])] = find(table[key])
            else:
                table[key] = q["qid"]

    df: dict[str, int] = defaultdict(int)
    for art in corpus.values():
        for name in names(lede(art)):
            df[name] += 1
    rare_cut = RARE * len(corpus)

    def rare(text: str) -> set[str]:
        return {n for n in names(text) if df[n] <= rare_cut}

    # Two questions of one week that name the same rare thing ("Mar-a-Lago") may ask about one event: no pair.
    subject_names = {q["qid"]: rare(q["question"].split(" ", 1)[-1] + " " + q["answer"]) for q in questions}

    tagger = build_tagger(name="gazetteer")
    countries: dict[str, set[str]] = {}

    def country_set(aid: str) -> set[str]:
        if aid not in countries:
            art = corpus[aid]
            tags = tagger.tag(Article(id=aid, title=art["title"], body=art["body"][:2000] or art["title"]))
            countries[aid] = {t.code for t in tags if t.primary} - {"US"}  # nearly every story here is American
        return countries[aid]

    pairs: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    used: set[str] = set()

    def add(a: str, b: str, kind: str, qid: str) -> None:
        key = (min(a, b), max(a, b))
        if a == b or key in seen:
            return
        seen.add(key)
        used.update(key)
        pairs.append({"a": key[0], "b": key[1], "same": kind == "same", "kind": kind, "qid": qid, "split": split_of(qid)})

    week_gold: dict[str, list[str]] = {}
    qdate: dict[str, datetime] = {}
    for q in questions:
        day = datetime.strptime(q["question_date"], "%Y/%m/%d").replace(tzinfo=UTC)
        qdate[q["qid"]] = day
        first, last = day - timedelta(days=7), day + timedelta(days=1)
        gold = [g for g in q["gold_ids"] if g in corpus and first <= when(corpus[g]["published"]) <= last]
        week_gold[q["qid"]] = gold
        for a, b in itertools.combinations(sorted(gold), 2):
            add(a, b, "same", q["qid"])

    for q in questions:
        gold = week_gold[q["qid"]]
        if not gold:
            continue
        subject = names(q["question"].split(" ", 1)[-1]) | names(q["answer"])
        start = min(when(corpus[g]["published"]) for g in gold)
        older = [
            aid
            for aid, art in sorted(corpus.items(), key=lambda kv: kv[1]["published"], reverse=True)
            if when(art["published"]) <= start - timedelta(days=OLDER_MIN_DAYS) and rare(lede(art)) & subject
        ][:MAX_OLDER_PER_QUESTION]
        for i, aid in enumerate(older):
            add(gold[i % len(gold)], aid, "older", q["qid"])

    qids = [q["qid"] for q in questions if week_gold[q["qid"]]]
    for q1, q2 in itertools.combinations(sorted(qids), 2):
        if find(q1) == find(q2) or abs((qdate[q1] - qdate[q2]).days) > SAME_WEEK_DAYS or subject_names[q1] & subject_names[q2]:
            continue
        best: tuple[int, str, str] | None = None
        for a in week_gold[q1]:
            for b in week_gold[q2]:
                # Same week means the articles, not only the questions: a pair 8+ days apart is one a window
                # alone separates, which the issue asks this kind not to be.
                if a == b or abs(when(corpus[a]["published"]) - when(corpus[b]["published"])) > timedelta(days=SAME_WEEK_DAYS):
                    continue
                shared = len(rare(lede(corpus[a])) & rare(lede(corpus[b]))) + 2 * len(country_set(a) & country_set(b))
                if shared and (best is None or shared > best[0]):
                    best = (shared, a, b)
        if best is not None:
            add(best[1], best[2], "same_week", q1)

    articles = {aid: corpus[aid] for aid in sorted(used)}
    return articles, pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/realtimeqa-2022"))
    parser.add_argument("--out", type=Path, default=Path("build/event-pairs.jsonl"))
    parser.add_argument("--body-chars", type=int, default=4000, help="article bodies are cut here (the model reads the lede)")
    args = parser.parse_args()
    articles, pairs = build(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for art in articles.values():
            record = {k: art[k] for k in ("id", "title", "url", "published")} | {"body": art["body"][: args.body_chars]}
            out.write(json.dumps({"article": record}, ensure_ascii=False) + "\n")
        for pair in pairs:
            out.write(json.dumps({"pair": pair}, ensure_ascii=False) + "\n")
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for p in pairs:
        counts[(p["split"], p["kind"])] += 1
    print(f"{len(articles)} articles, {len(pairs)} pairs -> {args.out}")
    for key in sorted(counts):
        print(f"  {key[0]:5} {key[1]:9} {counts[key]}")


if __name__ == "__main__":
    main()
