"""Sample articles shipped for `headlines demo`.

`articles.jsonl`: the France–Russia seed article (Devdiscourse News Desk, Dec 2025, as given by the
user who specified the product) and one CC0 BBC News article per category from the BBC News Summary
data set (P. Sharif, 2018; D. Greene & P. Cunningham's BBC corpus).
"""

from __future__ import annotations

from importlib.resources import files

from headlines.models import Article


def load_samples() -> list[Article]:
    text = files(__package__).joinpath("articles.jsonl").read_text(encoding="utf-8")
    return [Article.model_validate_json(line) for line in text.splitlines() if line.strip()]
