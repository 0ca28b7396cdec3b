"""Toponym resolution in document context: which of a name's namesakes a story means.

A place name is resolved among its namesakes (the lexicon's `places` table: every town of 5,000+ people, US
county and parish of that name, with its country and first-level division) by what else the story says, the way
geoparsers such as CLIFF-CLAVIN and Mordecai do:

- **divisions around it**: a state, province or AP abbreviation named in the story ('Texas', 'La.', 'Ontario'), and
  the divisions that the story's other place names share ("spatial minimality": Pineville, Rapides Parish and
  Alexandria all have a namesake in Louisiana);
- **the other places' countries**: evidence for a country from mentions that are not themselves ambiguous;
- **the home country**: the article's `source_country`, else the country-code TLD of its URL's host ('.co.uk');
- **prominence**: the namesake's population; a capital and a country's own name count as very prominent.

A lone "Paris" stays France; "Paris" in a story that names Texas towns is Paris, Texas. Weak evidence must be
backed by context: a small town the lexicon does not list as a city, or a city name that is also an ordinary
English word ('Metro'), counts only when its division or country is supported elsewhere in the story, or when the
story has no other evidence and the name belongs to a single country. Deterministic; a few dict look-ups per name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from headlines.countries.lexicon import Lexicon

ADMIN_BONUS = 1.5
"""Per other name (up to `ADMIN_CAP`) in the story that shares the namesake's division; an explicit division counts 2."""
ADMIN_CAP = 2.0
VOTE_SPREAD = 0.0
"""A town name with n namesake divisions gives each 1/n**VOTE_SPREAD of a vote. 0 (every division a full vote) beat
0.5 and 1 on the dev tune half (all-tags F1 0.898 vs 0.891) at equal Reuters scores: the cap and the prominence
prior already keep a name found in many states from deciding alone."""
SUPPORT_BONUS = 1.0
"""The namesake's country already has a plain mention's worth of unambiguous evidence in the story."""
HOME_BONUS = 1.0
"""The namesake is in the story's home country (`source_country`, or the URL's country-code TLD)."""
CAPITAL_BONUS = 1.5
"""A national capital is far more prominent than its population says: 'Amsterdam' in a story that mentions New York
is still the Dutch one; Paris, Texas needs Texas (or Texan towns) named around it."""
COUNTRY_NAME_PRIOR = 8.0
"""log10-population-like prominence of a country's own name ('Jordan', 'Lebanon') against its town namesakes."""
WORDY_ZIPF = 3.5
"""A town name at least this common as an English word ('Hurricane', 'Moody') needs its division named nearby.
The same holds for the lexicon's cities and regions under `WORDY_MAX_PRIOR` people ('Metro', 'Susan',
'Commonwealth'); bigger ones are exempt: wordfreq counts 'Boston' and 'Chicago' as frequent words because the
cities are."""
WORDY_MAX_PRIOR = 400_000
COUNTRY_NAME_CLUSTER = 3.0
"""Votes for one division (a named state counts 2, each town in it 1) that let a country's name be a town there
('Palestine' in a story naming Texas, Houston and Crockett) without the state named right by it."""
RIVAL_POP = 15_000
"""A namesake abroad of at least this many people (a town with its own paper) makes a name *contested* when the
story gives no context for the reading it resolves to (no division, no support for its country, not the home
country), names no country outright and reads like local news: 'Paris' alone in a local paper could be Paris, Texas
or Paris, Tennessee as well as France. A contested reading is kept as a tag (the prominent one is still the best
guess) but cannot by itself make its country primary (`GazetteerTagger.tag`). 10,000 and 15,000 scored the same on
the dev tune half; 15,000 keeps 'America' (a town of 13,600 in Argentina) out."""
OUTRIGHT_MIN = 0.75
"""A country named with less weight than a plain mention (a demonym inside a name: 'Spanish Oaks Apartments') does not
make a story a world story."""
DIVISION_PRIOR = 7.0
"""Prominence of a first-level division ('Georgia' the state): below a country of the same name (8.0) unless the
story supports the division's country or names places in it."""
GIVEN_NAME_COUNTRIES = frozenset({"jordan", "chad"})
"""Country names that are at least as often a person's first name in English text ('Jordan said'): like a town,
they count only when the story supports their country otherwise."""
CONTEXT_METONYMS = frozenset({"congress"})
"""Metonyms other countries share ('Congress': the US one, or India's party, or South Africa's ANC congress):
they count only when their country has other support or the story names no other country."""

_COUNTRY_KINDS = frozenset({"name", "demonym", "metonym"})
_PLACE_NAME_KINDS = frozenset({"name", "capital", "city", "region", "place"})
"""Kinds whose reading can be contested by a namesake: demonyms and metonyms ('French', 'the Kremlin') cannot."""

# Country-code TLDs that sites use for other reasons (.tv, .io, .me ...) say nothing about the source's country.
_VANITY_TLDS = frozenset(
    {
        "ai",
        "am",
        "as",
        "cc",
        "co",
        "fm",
        "gg",
        "io",
        "la",
        "ly",
        "me",
        "ms",
        "mu",
        "nu",
        "sh",
        "so",
        "st",
        "to",
        "tk",
        "tv",
        "vc",
        "ws",
    }
)
_TLD_COUNTRY = {"uk": "GB", "eu": ""}


def host_country(url: object, known: Iterable[str] | None = None) -> str | None:
    """The country a URL's host names by its country-code TLD ('www.bbc.co.uk' -> GB, 'x.com.au' -> AU), else None."""
    if not url:
        return None
    try:
        host = urlsplit(str(url)).hostname or ""
    except ValueError:
        return None
    tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    if len(tld) != 2 or tld in _VANITY_TLDS:
        return None
    code = _TLD_COUNTRY.get(tld, tld.upper())
    if not code or (known is not None and code not in known):
        return None
    return code


@dataclass(frozen=True)
class Signals:
    """Which context signals the gazetteer uses; all on in production, switched off one at a time to measure each
    (`benchmarks/countries_signals.py`)."""

    namesakes: bool = True
    """Resolve a name among its namesakes by the divisions, towns and countries around it ('Paris, Texas')."""
    small_places: bool = True
    """Towns and counties the lexicon does not list as cities count as weak evidence ('Shakopee', 'Rapides Parish')."""
    home_country: bool = True
    """`source_country` or the URL's country-code TLD tips a namesake toward the home country."""
    gates: bool = True
    """Names that are often not places need support: common-word towns and cities, 'Jordan' and 'Chad' as first
    names, 'Congress'."""
    text_guards: bool = True
    """Local text shapes: a street ('Memphis St.'), a town before a surname ('Kati Mather'), 'the Metro', a short
    capitalised acronym ('CHU'), a demonym as a cultural adjective ('Irish pub') or a language ('in Spanish')."""
    contested: bool = True
    """A country whose only evidence is a name read by prominence alone, with a sizeable namesake abroad and no
    context ('Athens' alone in a small-town paper), is a tag but not primary."""


@dataclass(frozen=True)
class Choice:
    """A resolved mention: its country, or None when the name needs context the story does not give."""

    code: str | None
    admin: str | None = None
    contested: bool = False
    """Chosen by prominence alone over a namesake in another country of `RIVAL_POP`+ people: a guess."""


class Context:
    """What a story says around its place names: division votes, unambiguous country support, home country."""

    def __init__(
        self,
        lexicon: Lexicon,
        keys: Iterable[tuple[str, str, float, tuple[str, ...]]],
        home: str | None,
        explicit_admins: Iterable[tuple[str, str]] = (),
        pinned: dict[str, set[tuple[str, str]]] | None = None,
        signals: Signals | None = None,
        local: bool = False,
    ) -> None:
        """`keys`: (folded name, kind, evidence weight, candidate countries) of every mention in the story;
        `explicit_admins`: divisions named in a dateline or after a town ('Alexandria, La.'); `pinned`: names the
        story places in a division outright ('Paris, Texas' -> paris: {(US, TX)}); `local`: the story reads like
        local news (`signals.local_shape`), where a lone famous name may be a local namesake."""
        self.lexicon = lexicon
        self.signals = signals or Signals()
        self.local = local
        self.home = home if self.signals.home_country else None
        self.votes: dict[tuple[str, str], float] = {}
        self.pinned = (pinned or {}) if self.signals.namesakes else {}
        self.adjacent: set[tuple[str, str]] = set(explicit_admins) | {a for admins in self.pinned.values() for a in admins}
        """Divisions named right after a town ('Lebanon, Pa.') or in the dateline: what may turn a country's name
        into a town's."""
        self.named_countries: dict[str, set[str]] = {}
        self.outright: set[str] = set()
        """Keys that name a country outright or date the story (a country name, demonym, metonym, a dateline)."""
        self.own: dict[str, set[tuple[str, str]]] = {}
        self.support: dict[str, float] = {}
        self.support_by_key: dict[str, dict[str, float]] = {}
        for admin in explicit_admins:
            self.votes[admin] = self.votes.get(admin, 0.0) + 2.0
        seen: set[str] = set()
        for key, kind, weight, candidates in keys:
            if kind in _COUNTRY_KINDS and len(candidates) == 1:
                self.named_countries.setdefault(candidates[0], set()).add(key)
            if (kind in _COUNTRY_KINDS and weight >= OUTRIGHT_MIN) or kind == "dateline":
                self.outright.add(key)
            if self.unambiguous(key, kind, candidates):
                code = candidates[0]
                self.support[code] = self.support.get(code, 0.0) + weight
                per = self.support_by_key.setdefault(key, {})
                per[code] = per.get(code, 0.0) + weight
            if key in seen:
                continue
            seen.add(key)
            admins = self._admins_of(key)
            self.own[key] = admins
            vote = self._vote(key, admins)
            for admin in admins:
                self.votes[admin] = self.votes.get(admin, 0.0) + vote

    def settle(self, resolved: Iterable[tuple[str, str, float]]) -> None:
        """Second pass: country support from every resolved mention (key, country, evidence), not only the
        unambiguous ones, so 'McMinn County' resolved to the US backs 'Athens' (Tennessee) in turn."""
        self.support, self.support_by_key = {}, {}
        for key, code, weight in resolved:
            self.support[code] = self.support.get(code, 0.0) + weight
            per = self.support_by_key.setdefault(key, {})
            per[code] = per.get(code, 0.0) + weight

    def _vote(self, key: str, admins: set[tuple[str, str]]) -> float:
        """A division named outright counts 2; a town's namesakes share one vote ('Washington' is in 10 states)."""
        if key in self.lexicon.admins:
            return 2.0
        return 1.0 / len(admins) ** VOTE_SPREAD if admins else 0.0

    def _admins_of(self, key: str) -> set[tuple[str, str]]:
        found = {(c, a) for c, a, _ in self.lexicon.namesakes(key) if a != "-"}
        explicit = self.lexicon.admins.get(key)
        if explicit:
            found.add(explicit)
        return found

    def unambiguous(self, key: str, kind: str, candidates: tuple[str, ...]) -> bool:
        """One candidate country and no namesake abroad (a country name or demonym always counts as unambiguous)."""
        if kind == "dateline":
            return True  # resolved by position already: the most prominent namesake
        if len(candidates) != 1 or kind == "place" or (self.signals.gates and key in CONTEXT_METONYMS):
            return False
        if kind in ("name", "demonym", "metonym"):
            return True
        if (self.signals.gates and key in GIVEN_NAME_COUNTRIES) or key in self.lexicon.admins:
            return False
        return all(c == candidates[0] for c, _, _ in self.lexicon.namesakes(key))

    def _support_without(self, key: str, code: str) -> float:
        return self.support.get(code, 0.0) - self.support_by_key.get(key, {}).get(code, 0.0)

    def _admin_context(self, key: str, admin: tuple[str, str], explicit_only: bool = False) -> float:
        """Votes for a division from the story's *other* names (a name does not vouch for itself)."""
        if explicit_only:  # a country's own name: only a division named right by it, or a dense local cluster
            if admin in self.adjacent:
                return 2.0
            votes = self._admin_context(key, admin)
            return votes if votes >= COUNTRY_NAME_CLUSTER else 0.0
        votes = self.votes.get(admin, 0.0)
        own = self.own.get(key, set())
        if admin in own:
            votes -= self._vote(key, own)
        return max(votes, 0.0)

    def resolve(self, key: str, kind: str, candidates: tuple[str, ...], prior: float, caps: bool = False) -> Choice:
        """The country this mention means, given the story; `Choice(None)` drops a name the context does not back.

        `caps`: the name was read in capitals text (a wire title), where a country's name is not a first name.
        """
        lex = self.lexicon
        gates = self.signals.gates
        if gates and key in CONTEXT_METONYMS:
            code = candidates[0]
            others = any(v >= 1.0 for c, v in self.support.items() if c != code)
            return Choice(code if self._support_without(key, code) >= 1.0 or not others else None)
        namesakes = lex.namesakes(key) if self.signals.namesakes or kind == "place" else ()
        division = lex.admins.get(key) if self.signals.namesakes else None
        if division is not None:  # 'Georgia': the country or the US state; a state is a namesake with its division
            namesakes = (*namesakes, (division[0], division[1], 10 ** int(DIVISION_PRIOR)))
        pinned = [(c, a) for c, a, _ in namesakes if (c, a) in self.pinned.get(key, ())]
        if pinned:  # 'Paris, Texas': the story says which one
            return Choice(*pinned[0])
        if key in self.pinned and kind not in _COUNTRY_KINDS:
            # 'EDMONTON, Ky': a town too small for the namesake table, in the division the story names
            code, admin = sorted(self.pinned[key])[0]
            return Choice(code, admin)
        given_name = gates and key in GIVEN_NAME_COUNTRIES
        if kind in _COUNTRY_KINDS and not namesakes and (not given_name or caps or self._world_story(key)):
            return Choice(candidates[0]) if len(candidates) == 1 else self._by_support(key, candidates)
        scored: list[tuple[float, int, str, str | None, float]] = []  # score, order, code, admin, context
        order = 0
        for code in candidates:  # the lexicon's own candidates, best first
            if kind in _COUNTRY_KINDS:
                base = COUNTRY_NAME_PRIOR
            else:
                pop = max((p for c, _, p in namesakes if c == code), default=prior if code == candidates[0] else 0.0)
                base = math.log10(max(pop, 1000.0)) + (CAPITAL_BONUS if kind == "capital" and code == candidates[0] else 0.0)
            scored.append(self._score(key, code, None, base, order))
            order += 1
        for code, admin, pop in namesakes:
            if kind in _COUNTRY_KINDS and code == candidates[0]:
                continue
            if division is not None and (code, admin) == division:
                base = DIVISION_PRIOR
            else:
                base = math.log10(max(pop, 1000.0)) if pop else 4.0  # a county: as prominent as a town of 10,000
            scored.append(self._score(key, code, admin, base, order, explicit_only=kind in _COUNTRY_KINDS))
            order += 1
        best = max(scored, key=lambda t: (t[0], -t[1]))
        _, _, code, best_admin, ctx = best
        if kind in _COUNTRY_KINDS and code not in candidates and ctx < 2.0:
            code = candidates[0]  # a country's name goes to a town only where the town's state is named
        if gates and kind == "place" and lex.wordy.get(key, 0.0) >= WORDY_ZIPF and ctx < 1.0:
            return Choice(None)  # a town named like a word or a surname ('Moody', 'Hurricane') needs its state nearby
        needs_context = (
            kind == "place"
            or (given_name and not caps and not self._world_story(key))
            or (gates and kind == "capital" and prior < 100_000 and lex.wordy.get(key, 0.0) >= WORDY_ZIPF)
            or (gates and division is None and self._wordy_city(key, kind, prior))
            or code not in candidates
        )
        if needs_context and ctx < 1.0 and self._support_without(key, code) < 1.0 and code != self.home:
            # Nothing backs it: it counts only as the one place of a story that names nothing else, and only
            # when the name is one country's and not an ordinary word.
            alone = not any(self._support_without(key, c) > 0 for c in self.support)
            single = len({c for c, _, _ in namesakes} | set(candidates)) == 1
            if not (alone and single and (not gates or lex.wordy.get(key, 0.0) < WORDY_ZIPF) and not given_name):
                return Choice(None)
        contested = kind in _PLACE_NAME_KINDS and (
            self._contested(key, code, ctx, namesakes) or self._stray(key, kind, code, prior, ctx)
        )
        return Choice(code, best_admin, contested)

    def _stray(self, key: str, kind: str, code: str, prior: float, ctx: float) -> bool:
        """A minor foreign place in a local-news story about another country, with nothing backing it ('Northland
        apartments' in a Kansas City fire story): more likely a neighbourhood, estate or building named after it."""
        if not (self.signals.contested and self.local) or kind not in ("city", "region") or prior >= WORDY_MAX_PRIOR:
            return False
        if ctx >= 1.0 or code == self.home or self._support_without(key, code) >= 1.0 or key in self.lexicon.admins:
            return False
        return any(v >= 1.0 for c, v in self.support.items() if c != code)

    def _contested(self, key: str, code: str, ctx: float, namesakes: Iterable[tuple[str, str, int]]) -> bool:
        """The reading won on prominence alone: no context backs it, a sizeable namesake lies in another country, and
        the story is local news in shape (a street address, a county, 'a Paris man') with no dateline and no other
        country named outright. A wire story datelined WASHINGTON that mentions Moscow, a story that also names
        Mexico, or 'officials in Paris said' read place names at world scale."""
        if not (self.signals.contested and self.local) or ctx >= 1.0 or code == self.home or self.outright - {key}:
            return False
        if self._support_without(key, code) >= 1.0:
            return False
        return any(c != code and pop >= RIVAL_POP for c, _, pop in namesakes)

    def _prior(self, key: str) -> float:
        entry = self.lexicon.entries.get(key)
        return entry.prior if entry is not None else 0.0

    def _wordy_city(self, key: str, kind: str, prior: float) -> bool:
        """A city or region under `WORDY_MAX_PRIOR` people whose name is also a common word or first name ('Metro',
        'Susan', 'Commonwealth'): it needs support from the rest of the story. States and provinces never do."""
        return (
            kind in ("city", "region")
            and prior < WORDY_MAX_PRIOR
            and key not in self.lexicon.admins
            and self.lexicon.wordy.get(key, 0.0) >= WORDY_ZIPF
        )

    def _world_story(self, key: str) -> bool:
        """The story names at least two other countries outright ('Lebanon, Jordan and Morocco')."""
        return sum(1 for keys in self.named_countries.values() if keys - {key}) >= 2

    def _score(
        self, key: str, code: str, admin: str | None, base: float, order: int, explicit_only: bool = False
    ) -> tuple[float, int, str, str | None, float]:
        ctx = 0.0
        if admin is not None:
            ctx = self._admin_context(key, (code, admin), explicit_only)
        else:
            for c, a, _ in self.lexicon.namesakes(key):
                if c == code and a != "-":
                    ctx = max(ctx, self._admin_context(key, (c, a)))
        s = base + ADMIN_BONUS * min(ctx, ADMIN_CAP)
        if self._support_without(key, code) >= 1.0:
            s += SUPPORT_BONUS
        if code == self.home:
            s += HOME_BONUS
        return s, order, code, admin, ctx

    def _by_support(self, key: str, candidates: tuple[str, ...]) -> Choice:
        code = max(candidates, key=lambda c: (self._support_without(key, c), -candidates.index(c)))
        return Choice(code)
