"""A small learned sentence scorer: logistic regression over `features.FEATURE_NAMES`.

The weights ship as JSON (`headlines/data/summary_scorer.json`), produced by
`benchmarks/train_summary_scorer.py`; the file records how it was trained and on which split.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from headlines.errors import ConfigurationError
from headlines.summarize.features import FEATURE_NAMES

SCORER_RESOURCE = "summary_scorer.json"


class ScorerError(ConfigurationError):
    """The sentence-scorer weights file is missing or does not match this version's features."""


@dataclass(frozen=True)
class SentenceScorer:
    """Scores sentences by the log-odds that a reference summary would include them."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def score(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights

    def to_json(self, **meta: Any) -> dict[str, Any]:
        return {
            "features": list(FEATURE_NAMES),
            "weights": [round(float(w), 6) for w in self.weights],
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
            **self.meta,
            **meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, origin: str = "scorer data") -> SentenceScorer:
        if list(data.get("features", [])) != list(FEATURE_NAMES):
            raise ScorerError(
                f"{origin} was trained on other features than this version computes; "
                "rerun benchmarks/train_summary_scorer.py to regenerate it"
            )
        meta = {k: v for k, v in data.items() if k not in {"features", "weights", "mean", "scale"}}
        return cls(
            weights=np.asarray(data["weights"], dtype=np.float64),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            meta=meta,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> SentenceScorer:
        """The shipped weights, or those at `path`."""
        try:
            if path is None:
                text = resources.files("headlines").joinpath("data", SCORER_RESOURCE).read_text(encoding="utf-8")
                origin = f"headlines/data/{SCORER_RESOURCE}"
            else:
                text = Path(path).read_text(encoding="utf-8")
                origin = str(path)
            return cls.from_json(json.loads(text), origin=origin)
        except (OSError, ValueError, KeyError) as exc:
            raise ScorerError(f"cannot read sentence-scorer weights ({path or SCORER_RESOURCE}): {exc}") from exc


def fit_logistic(
    x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iterations: int = 50, sample_weight: np.ndarray | None = None
) -> SentenceScorer:
    """L2-regularised logistic regression by Newton's method on standardised features (column 0 is the bias).

    `sample_weight` lets several data sets of different sizes count equally.
    """
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    mean = np.average(x, axis=0, weights=sw)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=sw))
    mean[0], scale[0] = 0.0, 1.0
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (sw * (p - y)) + penalty * w
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return SentenceScorer(weights=w, mean=mean, scale=scale)
