"""Country-tag evaluation: micro/macro F1 of country tags against gold, in two data shapes.

- Reuters shape (`places`): each story's `places` mapped through a places map (Reuters code -> ISO alpha-2);
  codes the map lacks are dropped and counted. Gold is what the story is *about*, so predictions are the tagger's
  primary tags (what the product delivers by), and, reported separately for the system, all tags.
- Mentions shape (`gold`): a list of the ISO codes of every country the story mentions (geo-news-dev). Scored on
  *all* tags (micro/macro F1) and on the precision of primary tags (a primary tag outside the mentioned countries
  is a story delivered to the wrong channel). Rows are given per `corpus` as well as overall.

Macro-F1 averages over countries with at least `min_support` gold stories.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from headlines.errors import BadInputError
from headlines.evaluation.records import json_lines
from headlines.models import Article, CountryTag, describe_validation_error


class CountryEvalError(BadInputError, ValueError):
    """The data or places-map file cannot be used; the message names the file and line."""


@dataclass
class Example:
    article: Article
    gold: frozenset[str]
    corpus: str = ""


@dataclass
class Dataset:
    examples: list[Example]
    dropped_codes: Counter[str] = field(default_factory=Counter)
    skipped_lines: int = 0
    shape: str = "places"
    """`places` (Reuters: gold = what the story is about) or `mentions` (gold = every country mentioned)."""


def split_half(story_id: str) -> str:
    """Deterministic half of a story by id ('tune' or 'holdout'): tune weights on one half, report on the other."""
    return "tune" if hashlib.sha1(story_id.encode()).digest()[0] % 2 == 0 else "holdout"


def load_places_map(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CountryEvalError(f"cannot read places map {path}: {exc}; pass a JSON object of place code -> ISO code") from exc
    if not isinstance(data, dict):
        raise CountryEvalError(f"places map {path} must be a JSON object of place code -> ISO alpha-2 code")
    return {str(k).lower(): str(v).upper() for k, v in data.items() if isinstance(v, str) and len(v) == 2}


def load_dataset(
    path: Path,
    places_map: dict[str, str] | None,
    *,
    source_country: str | None = None,
    limit: int | None = None,
    split: str = "all",
) -> Dataset:
    """Stories with at least one gold country; `source_country` is set on every article when given.

    A record with a `gold` list is of the mentions shape (no places map needed); otherwise its `places` are mapped
    through `places_map`. One file holds one shape (the first record decides).
    """
    ds = Dataset([])
    shape: str | None = None
    for lineno, record in json_lines(path, CountryEvalError):
        if not isinstance(record, dict):
            raise CountryEvalError(f"{path}:{lineno}: a JSON object per line is expected")
        places = record.get("places") or []
        try:
            article = Article.model_validate({**record, "source_country": source_country})
        except ValidationError as exc:
            ds.skipped_lines += 1
            if ds.skipped_lines == 1 and lineno == 1:
                raise CountryEvalError(f"{path}:{lineno}: {describe_validation_error(exc)}") from exc
            continue
        line_shape = "mentions" if "gold" in record else "places"
        if shape is None:
            shape = ds.shape = line_shape
            if shape == "places" and places_map is None:
                raise CountryEvalError(f"{path}: stories carry Reuters `places`; pass --places-map to map them to ISO codes")
        elif line_shape != shape:
            raise CountryEvalError(f"{path}:{lineno}: mixes `gold` and `places` stories; use one shape per file")
        if split != "all" and split_half(article.story_id()) != split:
            continue
        gold = set()
        if shape == "mentions":
            codes = record.get("gold")
            if not isinstance(codes, list):
                raise CountryEvalError(f"{path}:{lineno}: `gold` must be a list of ISO alpha-2 codes")
            for code in codes:
                if isinstance(code, str) and len(code.strip()) == 2 and code.strip().isalpha():
                    gold.add(code.strip().upper())
                else:
                    ds.dropped_codes[str(code)] += 1
            ds.examples.append(Example(article, frozenset(gold), str(record.get("corpus") or "")))
        else:
            assert places_map is not None
            for place in places:
                code = places_map.get(str(place).lower())
                if code:
                    gold.add(code)
                else:
                    ds.dropped_codes[str(place)] += 1
            if not gold:
                continue
            ds.examples.append(Example(article, frozenset(gold)))
        if limit and len(ds.examples) >= limit:
            break
    return ds


@dataclass
class Scores:
    micro_f1: float
    precision: float
    recall: float
    macro_f1: float
    micro_f1_no_us: float
    macro_countries: int

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(predictions: Sequence[Iterable[str]], gold: Sequence[frozenset[str]], min_support: int = 5) -> Scores:
    tp = fp = fn = 0
    tp_x = fp_x = fn_x = 0
    per: dict[str, list[int]] = {}
    support: Counter[str] = Counter()
    for pred_it, g in zip(predictions, gold, strict=True):
        pred = set(pred_it)
        support.update(g)
        for code in pred | g:
            counts = per.setdefault(code, [0, 0, 0])
            hit_p, hit_g = code in pred, code in g
            idx = 0 if hit_p and hit_g else (1 if hit_p else 2)
            counts[idx] += 1
            if idx == 0:
                tp += 1
            elif idx == 1:
                fp += 1
            else:
                fn += 1
            if code != "US":
                tp_x += idx == 0
                fp_x += idx == 1
                fn_x += idx == 2
    p, r, f = _f1(tp, fp, fn)
    eligible = [c for c, n in support.items() if n >= min_support]
    macro = sum(_f1(*per[c])[2] for c in eligible) / len(eligible) if eligible else 0.0
    return Scores(f, p, r, macro, _f1(tp_x, fp_x, fn_x)[2], len(eligible))


def with_home_country(tags: list[CountryTag], article: Article) -> set[str]:
    """Primary codes, or the article's `source_country` when a tagger found no primary country (fair to baselines)."""
    codes = primary_codes(tags)
    if not codes and article.source_country:
        codes = {article.source_country}
    return codes


def primary_codes(tags: list[CountryTag]) -> set[str]:
    return {t.code for t in tags if t.primary}


def all_codes(tags: list[CountryTag]) -> set[str]:
    return {t.code for t in tags}


TagMany = Callable[[list[Article]], list[list[CountryTag]]]


def evaluate(dataset: Dataset, systems: dict[str, TagMany]) -> dict[str, dict[str, float | int]]:
    """Rows of scores: each system's primary tags, plus all tags for the first (the system under test).

    Every system gets the same home-country default: no primary tag + `source_country` -> that country.
    """
    gold = [ex.gold for ex in dataset.examples]
    articles = [ex.article for ex in dataset.examples]
    rows: dict[str, dict[str, float | int]] = {}
    for i, (name, tag_many) in enumerate(systems.items()):
        tags = tag_many(articles)
        primary = [with_home_country(t, a) for t, a in zip(tags, articles, strict=True)]
        rows[f"{name} (primary)"] = score(primary, gold).as_dict()
        if i == 0:
            rows[f"{name} (all tags)"] = score([all_codes(t) for t in tags], gold).as_dict()
    return rows


def primary_precision(predictions: Sequence[Iterable[str]], gold: Sequence[frozenset[str]]) -> tuple[float, int]:
    """Share of primary tags that are among the story's mentioned countries, and how many primary tags there were."""
    hits = total = 0
    for pred, g in zip(predictions, gold, strict=True):
        for code in pred:
            total += 1
            hits += code in g
    return (hits / total if total else 0.0), total


def evaluate_mentions(dataset: Dataset, systems: dict[str, TagMany]) -> dict[str, dict[str, dict[str, float | int]]]:
    """Mentions-shape rows, per corpus and overall ('all'): all-tags micro P/R/F1 and macro-F1, primary precision.

    Each system tags every article once; the rows slice those tags by the story's `corpus`.
    """
    articles = [ex.article for ex in dataset.examples]
    groups: dict[str, list[int]] = {"all": list(range(len(articles)))}
    for i, ex in enumerate(dataset.examples):
        if ex.corpus:
            groups.setdefault(ex.corpus, []).append(i)
    out: dict[str, dict[str, dict[str, float | int]]] = {}
    for name, tag_many in systems.items():
        tags = tag_many(articles)
        for group, idx in groups.items():
            gold = [dataset.examples[i].gold for i in idx]
            s = score([all_codes(tags[i]) for i in idx], gold)
            pp, n_primary = primary_precision([with_home_country(tags[i], articles[i]) for i in idx], gold)
            out.setdefault(group, {})[name] = {
                "stories": len(idx),
                "micro_f1": round(s.micro_f1, 4),
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "macro_f1": round(s.macro_f1, 4),
                "macro_countries": s.macro_countries,
                "primary_precision": round(pp, 4),
                "primary_tags": n_primary,
                "untagged": sum(1 for i in idx if not tags[i]),
            }
    return out
