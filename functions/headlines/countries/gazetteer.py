"""GazetteerTagger: countries from names, demonyms, places, metonyms and datelines, weighted by where they occur.

Each mention adds (kind weight x position weight) to its country: the dateline counts most, then the title, then
the lead paragraph, then the rest. A name shared by several places (Georgia: the country or the US state; Paris,
Texas; Hamilton: Canada or New Zealand) is resolved by `context.Context` from the story itself: a division written
next to it ('Paris, Texas', 'Alexandria, La.'), the countries the rest of the story supports, the feed's home
country and each namesake's population; names that are often not places (a town called like a common word,
'Jordan' as a first name) need support from the story or are dropped. Which countries are primary is decided by
the learned per-candidate model (`primary_model`, data/country_primary.json) above an evidence floor, or, with
`classifier=False`, by the share of the best score. When the story names no country, the article's
`source_country` (the feed's home country) is the one primary tag; when it names countries only weakly (a passing
mention), the home country leads and those stay non-primary mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from headlines.countries.context import Choice, Context, Signals, host_country
from headlines.countries.data import country_names, country_tag
from headlines.countries.lexicon import Lexicon, build_lexicon, fold
from headlines.countries.primary_model import CandidateStats, features, load_primary_model, mark_lists
from headlines.countries.signals import (
    Mention,
    body_dateline,
    dateline_parts,
    find_mentions,
    local_shape,
    lookup_dateline,
    person_names,
)
from headlines.models import Article, CountryTag


@dataclass(frozen=True)
class GazetteerWeights:
    """Position weights and the primary cut. Defaults were chosen on one half of the Reuters train split (see docs)."""

    title: float = 2.5
    dateline: float = 6.0
    lead: float = 1.5
    body: float = 1.0
    lead_chars: int = 400
    primary_share: float = 0.35
    min_primary: float = 1.6
    source_score: float = 0.5
    title_primary: float = 2.0
    """A country with at least this much evidence from the title alone is primary whatever its share (0: off)."""
    classifier: bool = True
    """Decide `primary` with the learned per-candidate model in data/country_primary.json instead of the share cut."""
    model_min_primary: float = 0.75
    """With the model, the evidence floor for primary: one plain body mention (1.0) passes, a discounted one does not."""
    signals: Signals = field(default_factory=Signals)
    """Context signals (namesake resolution, small places, home country, gates, text guards): all on by default."""


_STATE_AFTER_COMMA = re.compile(r",\s+((?:[A-Z][a-z]{0,4}\.\s?){1,2}|[A-Z][a-z]{1,4}(?=\s+(?:\(|--|[-–—]\s)))")
"""'Alexandria, La.', 'Hurricane, W.Va.', a broadcaster's 'EDMONTON, Ky (WBKO) --': an AP state abbreviation after a
town names its state."""


@dataclass
class Analysis:
    """Evidence per country, from the title alone, mention statistics, and the strings behind each country."""

    scores: dict[str, float]
    title_scores: dict[str, float]
    stats: dict[str, CandidateStats]
    evidence: dict[str, list[str]] = field(default_factory=dict)


def _pin_divisions(lex: Lexicon, text: str, mentions: list[Mention], pinned: dict[str, set[tuple[str, str]]]) -> None:
    """'Paris, Texas', 'London, Ontario', 'Athens, Ga.': a place followed by a comma and a division is in it."""
    for a, b in pairwise(mentions):
        division = lex.admins.get(b.key)
        if division is None or a.key == b.key or a.key in lex.admins:
            continue
        if text[a.start + len(a.surface) : b.start].strip() == ",":
            pinned.setdefault(a.key, set()).add(division)


class GazetteerTagger:
    """Rules over the precompiled lexicon (`lexicon.build_lexicon`: pycountry, countryinfo, GeoNames and curated data
    files, compiled at build time) plus the learned primary model; `lexicon` may be handed in (tests, evaluation)."""

    name = "gazetteer"

    def __init__(self, weights: GazetteerWeights | None = None, lexicon: Lexicon | None = None) -> None:
        self.weights = weights or GazetteerWeights()
        self._lexicon = lexicon

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = build_lexicon()
        return self._lexicon

    def evidence(self, article: Article) -> dict[str, float]:
        """Country -> accumulated evidence, before normalisation (exposed for evaluation and debugging)."""
        return self.analyse(article).scores

    def explain(self, article: Article) -> dict[str, list[str]]:
        """Country -> the strings that produced its evidence, in story order (dateline first, then title, body)."""
        return self.analyse(article).evidence

    def candidate_features(self, article: Article) -> dict[str, list[float]]:
        """Country -> the primary model's features (see `primary_model.FEATURES`); used to train that model."""
        a = self.analyse(article)
        return {c: features(c, a.scores, a.title_scores, a.stats) for c in a.scores}

    def analyse(self, article: Article) -> Analysis:
        """Evidence per country over the whole article, from the title alone, per-country mention statistics and
        the evidence strings; each place name resolved among its namesakes in the story's context (`context`)."""
        lex, w = self.lexicon, self.weights
        opts = {"guards": w.signals.text_guards, "small_places": w.signals.small_places}
        weighted: list[tuple[Mention, float, int]] = []  # mention, position weight, source (0 dateline, 1 title, 2 body)
        body = article.body
        place, region, resume = body_dateline(body)
        seen: set[tuple[str, ...]] = set()
        explicit_admins: list[tuple[str, str]] = []
        dateline_names: list[tuple[str, tuple[str, ...]]] = []
        for dl_place, dl_region in (dateline_parts(article.dateline), (place, region)):
            codes = lookup_dateline(lex, dl_place, dl_region)
            if codes and dl_place:
                dateline_names.append((dl_place, codes[:1]))
            if dl_region and fold(dl_region) in lex.admins:
                explicit_admins.append(lex.admins[fold(dl_region)])
            if codes and codes not in seen:
                seen.add(codes)
                # A dateline is a place by position: the most prominent namesake, not whichever the story mentions.
                known = dl_region and (fold(dl_region) in lex.dateline_regions or fold(dl_region) in lex.entries)
                surface = ", ".join(p for p in (dl_place, dl_region if known else None) if p)
                weighted.append((Mention(codes[:1], 1.0, "dateline", -1, "", surface), w.dateline, 0))
        persons: set[str] = set()
        if article.title:
            weighted.extend((m, w.title, 1) for m in find_mentions(lex, article.title, persons=persons, **opts))
        text = body[resume:]
        for m in find_mentions(lex, text, persons=persons, **opts):  # a body (or a question) in capitals is read as capitals
            weighted.append((m, w.lead if m.start < w.lead_chars else w.body, 2))
        if persons:  # 'Jeff Hamilton ... Hamilton will appear': the bare name is the person too
            kept = {id(m) for m in person_names([m for m, _, _ in weighted], persons)}
            weighted = [item for item in weighted if id(item[0]) in kept]
        pinned: dict[str, set[tuple[str, str]]] = {}
        for src, source in ((1, article.title or ""), (2, text)):
            for abbrev in _STATE_AFTER_COMMA.finditer(source):
                folded = fold(abbrev.group(1).strip())
                folded = folded if folded in lex.admins else folded + "."
                admin = lex.admins.get(folded)
                if admin:
                    explicit_admins.append(admin)
                    pos = w.title if src == 1 else (w.lead if abbrev.start() < w.lead_chars else w.body)
                    surface = abbrev.group(1).strip()
                    weighted.append((Mention((admin[0],), 0.9, "region", abbrev.start(1), folded, surface), pos, src))
            _pin_divisions(lex, source, sorted((m for m, _, s in weighted if s == src), key=lambda m: m.start), pinned)

        home = article.source_country or host_country(article.url, country_names())
        dateline_keys = [(fold(p), "dateline", w.dateline, codes) for p, codes in dateline_names]
        ctx = Context(
            lex,
            [*dateline_keys, *((m.key, m.kind, m.weight * pos, m.candidates) for m, pos, src in weighted if src and m.key)],
            home,
            explicit_admins,
            pinned,
            w.signals,
            local_shape(f"{article.title or ''}\n{text}"),
        )

        def resolve(m: Mention) -> Choice:
            if not m.key:
                return Choice(m.candidates[0])
            entry = lex.entries.get(m.key)
            return ctx.resolve(m.key, m.kind, m.candidates, entry.prior if entry is not None else 0.0, m.caps)

        first = [(m.key, resolve(m).code, m.weight * pos) for m, pos, src in weighted if src and m.key]
        first += [(key, codes[0], weight) for key, _, weight, codes in dateline_keys]
        ctx.settle((key, code, weight) for key, code, weight in first if code is not None)
        scores: dict[str, float] = {}
        title_scores: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        stats: dict[str, CandidateStats] = {}
        found: dict[int, list[tuple[int, str]]] = {1: [], 2: []}
        for m, pos, src in weighted:
            choice = resolve(m)
            code = choice.code
            if code is None:
                continue
            scores[code] = scores.get(code, 0.0) + m.weight * pos
            if src == 1:
                title_scores[code] = title_scores.get(code, 0.0) + m.weight * pos
            evidence.setdefault(code, []).append(m.surface)
            st = stats.setdefault(code, CandidateStats())
            st.mentions += 1
            st.names += m.kind == "name"
            # 'Franco-Russian talks', 'Sino-Japanese pact': a compound names both countries, not a lone adjective
            source = (article.title or "") if src == 1 else text
            compound = m.surface.endswith("-") or (src > 0 and m.start > 0 and source[m.start - 1 : m.start] == "-")
            st.demonyms += m.kind == "demonym" and not compound
            if not choice.contested:
                st.certain += m.weight * pos
            if src == 0:
                st.dateline = True
                st.first = 0.0
            else:
                found[src].append((m.start, code))
                st.first = min(st.first, 0.0 if src == 1 else m.start / max(len(text), 1))
        mark_lists(article.title or "", found[1], stats)
        mark_lists(text, found[2], stats)
        return Analysis(scores, title_scores, stats, evidence)

    def named(self, text: str) -> list[str]:
        """Countries a short text (a question) names outright: at least one plain mention's worth of evidence.

        What `ask` filters by. A currency ("75 mln Canadian dlrs") or a name inside a longer name is weaker
        than a plain mention and does not count, although `tag` would still make it a story's best guess.
        """
        scores = self.evidence(Article(body=text))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [code for code, raw in ranked if raw >= self.weights.model_min_primary]

    def tag(self, article: Article) -> list[CountryTag]:
        a = self.analyse(article)
        scores, title_scores, stats = a.scores, a.title_scores, a.stats
        w = self.weights
        if not scores:
            if article.source_country:
                return [country_tag(article.source_country, w.source_score, primary=True)]
            return []
        top = max(scores.values())
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        tags = []
        model = load_primary_model() if w.classifier else None
        # A country known only from contested namesake readings ('Athens' alone: Greece or Athens, Tennessee) is a
        # tag, never primary: a wrong channel is worse than none.
        guess = {code for code in scores if stats[code].certain <= 0.0}
        for code, raw in ranked:
            if code in guess:
                primary = False
            elif model is not None:
                # The floor keeps a lone weak mention (a first name, a name inside a longer name) from leading.
                p = model.probability(features(code, scores, title_scores, stats))
                primary = raw >= w.model_min_primary and p >= model.threshold
            else:
                primary = raw >= w.primary_share * top and raw >= w.min_primary
                primary = primary or (w.title_primary > 0 and title_scores.get(code, 0.0) >= w.title_primary)
            tags.append(country_tag(code, raw / top, primary=primary))
        if not any(t.primary for t in tags):
            # Only weak evidence (one passing mention, or a name inside a longer name): the feed's home country
            # leads when there is one; otherwise the best-supported country that is not a guess is the story's. A
            # lone adjective ('English class', 'Spanish Oaks') is as often a language or a name as the country.
            if article.source_country and article.source_country not in scores:
                tags.insert(0, country_tag(article.source_country, w.source_score, primary=True))
            else:
                weak = guess | {code for code in scores if stats[code].demonyms == stats[code].mentions}
                best = max((raw for code, raw in ranked if code not in weak), default=None)
                tags = [t.model_copy(update={"primary": t.code not in weak and scores[t.code] == best}) for t in tags]
        return tags
