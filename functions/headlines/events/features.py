"""What the event rule compares: the story vector the pipeline already computed, plus cheap text signals.

Names are capitalised words of the headline and lede (people, places, organisations; no NER model), words are
the stemmed content words of the headline and first sentence (the tokenizer `ask` indexes with), countries
are the story's country tags. All of it is computed once per story, in microseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from headlines.ask.lexical import tokenize

if TYPE_CHECKING:
    from headlines.ask.embeddings import StoryVectors
    from headlines.models import Story

_CAP = re.compile(r"\b[A-Z][\w'\u2019&.-]*[A-Za-z0-9]")
_NOT_NAMES_TEXT = """
    the a an and or but of in on at to for by with from as is was who what which where when why how this that these
    those it its he she they his her their after before new said says us mr ms mrs dr i we you our my here there
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday week year day today news report reports according not all more about
    up over into will has have had be are were been than then also just one two three first last live updates
    photos video watch opinion analysis breaking exclusive update read ap cnn reuters afp bbc usa"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
LEDE_CHARS = 400
"""How much of the body (after the headline) counts as the lede for names and words."""


@dataclass(frozen=True)
class EventFeatures:
    story_id: str
    time: float
    """Seconds since the epoch: the story's published time, else when it was ingested."""
    vector: np.ndarray
    """Unit-length float32 story vector (the one stored for `ask`)."""
    names: frozenset[str]
    words: frozenset[str]
    countries: frozenset[str]


def names_in(text: str) -> frozenset[str]:
    """`"Floods close Yellowstone, Montana officials say"` -> {"yellowstone", "montana", "floods"}: capitalised words
    that are not stop words. A title-cased headline adds common words too; they rarely match across outlets."""
    out = set()
    for word in _CAP.findall(text):
        w = word.lower().rstrip(".").removesuffix("'s").removesuffix("\u2019s")
        if len(w) > 2 and w not in _NOT_NAMES:
            out.add(w)
    return frozenset(out)


def _unit(vector: np.ndarray) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def _seconds(when: datetime) -> float:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def make_features(
    story_id: str, when: datetime, vector: np.ndarray, headline: str, lede: str, countries: frozenset[str] | set[str]
) -> EventFeatures:
    lede = lede[:LEDE_CHARS]
    first = lede.split(". ", 1)[0]
    return EventFeatures(
        story_id=story_id,
        time=_seconds(when),
        vector=_unit(vector),
        names=names_in(f"{headline}\n{lede}"),
        words=frozenset(tokenize(f"{headline} {first}")),
        countries=frozenset(countries),
    )


def features_of(story: Story, vector: np.ndarray) -> EventFeatures:
    """Features of a `Story` and its story vector."""
    from headlines.ask.embeddings import story_units

    units = story_units(story, max_sentences=3)
    return make_features(story.id, story.sort_time, vector, units[0], " ".join(units[1:]), {c.code for c in story.countries})


def features_of_vectors(item: StoryVectors) -> EventFeatures:
    """Features of a stored `StoryVectors` entry (headline and sentences are its units): no story read needed."""
    return make_features(
        item.story_id, item.sort_time, item.story_vector, item.units[0], " ".join(item.units[1:4]), set(item.countries)
    )
