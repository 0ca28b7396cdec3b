"""Learned primary decision: a logistic model over a handful of per-candidate features of the gazetteer evidence.

Why: the share-of-top cut misses countries that a story names alike in a list ("Denmark, Belgium and
Luxembourg") or repeatedly but never first. Weights live in `data/country_primary.json` (trained on the tune
half of the Reuters train split by `benchmarks/train_country_primary.py`); scoring is plain Python, no numpy.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from headlines.errors import ConfigurationError

FEATURES = (
    "share",  # evidence / best country's evidence
    "log_score",
    "is_top",
    "log_title",  # evidence from the title alone
    "dateline",
    "log_mentions",
    "first_pos",  # first body mention's offset / body length (0 for title or dateline)
    "list_share",  # fraction of its mentions that sit in an enumeration with other countries
    "log_candidates",  # how many countries the story names
    "total_share",  # evidence / all countries' evidence
    "name_share",  # fraction of its mentions that are country names (not cities, demonyms, ...)
    "top_list",  # the best country also sits in a list with this one
)

RETRAIN = "retrain with benchmarks/train_country_primary.py"
_LIST_GAP = re.compile(r"^[^.;:()\n]{0,30}$")
_LIST_SEP = re.compile(r",|\band\b|\bor\b|/")


class PrimaryModelError(ConfigurationError, ValueError):
    """The primary-model data file is malformed; regenerate it with benchmarks/train_country_primary.py."""


@dataclass
class CandidateStats:
    """What the features are computed from, gathered while mentions are scored."""

    mentions: int = 0
    names: int = 0
    in_list: int = 0
    first: float = 1.0
    dateline: bool = False
    list_peers: set[str] = field(default_factory=set)
    demonyms: int = 0
    certain: float = 0.0
    """Evidence from mentions that were not a contested namesake reading (`context.Choice.contested`)."""


def mark_lists(text: str, found: list[tuple[int, str]], stats: dict[str, CandidateStats]) -> None:
    """Count mentions adjacent to another country's mention with only a separator (comma, and, or) between."""
    found = sorted(found)
    flagged: set[int] = set()
    for i in range(len(found) - 1):
        (a, ca), (b, cb) = found[i], found[i + 1]
        if ca == cb or b - a > 40:
            continue
        gap = text[a:b]
        if _LIST_GAP.match(gap) and _LIST_SEP.search(gap):
            for j, (code, peer) in ((i, (ca, cb)), (i + 1, (cb, ca))):
                if j not in flagged:
                    flagged.add(j)
                    stats[code].in_list += 1
                stats[code].list_peers.add(peer)


def features(
    code: str, scores: dict[str, float], title_scores: dict[str, float], stats: dict[str, CandidateStats]
) -> list[float]:
    top_code = max(scores, key=lambda c: (scores[c], c))
    top, total, s = scores[top_code], sum(scores.values()), scores[code]
    st = stats.get(code) or CandidateStats()
    n = max(st.mentions, 1)
    return [
        s / top,
        math.log1p(s),
        float(code == top_code),
        math.log1p(title_scores.get(code, 0.0)),
        float(st.dateline),
        math.log1p(st.mentions),
        st.first,
        st.in_list / n,
        math.log1p(len(scores)),
        s / total,
        st.names / n,
        float(top_code in st.list_peers),
    ]


@dataclass(frozen=True)
class PrimaryModel:
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float

    def probability(self, x: list[float]) -> float:
        z = self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def parse_primary_model(raw: object) -> PrimaryModel:
    """Validate the JSON written by the training script."""
    try:
        if not isinstance(raw, dict) or tuple(raw.get("features", ())) != FEATURES:
            raise PrimaryModelError(f"country_primary.json features differ from the code; {RETRAIN}")
        model = PrimaryModel(
            tuple(map(float, raw["weights"])),
            float(raw["bias"]),
            tuple(map(float, raw["mean"])),
            tuple(map(float, raw["scale"])),
            float(raw["threshold"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PrimaryModelError):
            raise
        raise PrimaryModelError(f"country_primary.json is malformed ({exc!r}); {RETRAIN}") from exc
    if not len(model.weights) == len(model.mean) == len(model.scale) == len(FEATURES) or 0.0 in model.scale:
        raise PrimaryModelError(f"country_primary.json has vectors of the wrong length; {RETRAIN}")
    return model


@lru_cache(maxsize=1)
def load_primary_model() -> PrimaryModel:
    text = resources.files("headlines.data").joinpath("country_primary.json").read_text(encoding="utf-8")
    try:
        return parse_primary_model(json.loads(text))
    except json.JSONDecodeError as exc:
        raise PrimaryModelError(f"country_primary.json is not JSON ({exc.msg}); {RETRAIN}") from exc
