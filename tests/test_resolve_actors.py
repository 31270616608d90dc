"""Actor resolution: countries, sectors, organisations, persons, dates and user files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dyads.resolve.actors import (
    SECTORS,
    ActorFileError,
    ActorResolver,
    ArticleMemory,
    load_petrarch_dictionary,
)
from dyads.types import Entity

D = dt.date(2020, 10, 18)


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver()


# -- countries: names, short forms, abbreviations, demonyms --------------------------------

COUNTRIES = [
    ("U.S.", "USA"), ("US", "USA"), ("the United States", "USA"), ("America", "USA"),
    ("United States of America", "USA"), ("UK", "GBR"), ("Britain", "GBR"),
    ("the United Kingdom", "GBR"), ("the Islamic Republic", "IRN"), ("Iran", "IRN"),
    ("South Korea", "KOR"), ("North Korea", "PRK"), ("the DPRK", "PRK"), ("Ivory Coast", "CIV"),
    ("Côte d'Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"), ("DR Congo", "COD"), ("DRC", "COD"),
    ("Republic of Congo", "COG"), ("Palestinian", "PSE"), ("Palestinians", "PSE"),
    ("Iraqi", "IRQ"), ("Iraqis", "IRQ"), ("Emirati", "ARE"), ("UAE", "ARE"),
    ("Congolese", "COD"), ("Israeli", "ISR"), ("Saudi", "SAU"), ("Saudi Arabia", "SAU"),
    ("Turkish", "TUR"), ("Türkiye", "TUR"), ("Syrian", "SYR"), ("Yemeni", "YEM"),
    ("Lebanese", "LBN"), ("Egyptian", "EGY"), ("Afghan", "AFG"), ("Pakistani", "PAK"),
    ("Indian", "IND"), ("Chinese", "CHN"), ("Russian", "RUS"), ("Russia", "RUS"),
    ("Ukrainian", "UKR"), ("French", "FRA"), ("German", "DEU"), ("Japanese", "JPN"),
    ("Filipino", "PHL"), ("the Philippines", "PHL"), ("Burma", "MMR"), ("Myanmar", "MMR"),
    ("Nigerien", "NER"), ("Nigerian", "NGA"), ("South Sudan", "SSD"), ("Sudanese", "SDN"),
    ("South Sudanese", "SSD"), ("Guinea-Bissau", "GNB"), ("Papua New Guinea", "PNG"),
    ("Hong Kong", "HKG"), ("Taiwan", "TWN"), ("Kosovo", "KOS"), ("the Vatican", "VAT"),
    ("Eswatini", "SWZ"), ("Swaziland", "SWZ"), ("North Macedonia", "MKD"), ("Czechia", "CZE"),
    ("Timor-Leste", "TLS"), ("Viet Nam", "VNM"), ("Bosnia", "BIH"), ("Kiribati", "KIR"),
]


@pytest.mark.parametrize(("text", "code"), COUNTRIES)
def test_resolve_actors_country_names(resolver: ActorResolver, text: str, code: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.entity_text) == (code, text)


@pytest.mark.parametrize("text", ["Iraq", "Iraqi", "the United States", "Palestinian"])
def test_resolve_actors_bare_country_has_no_sector(resolver: ActorResolver, text: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and ent.sector is None and ent.name is not None


@pytest.mark.parametrize("text", ["Kurdish", "Arab", "us", "is", "turkey", "china",
                                  "the weather", "Western", "Middle East"])
def test_resolve_actors_not_a_country(resolver: ActorResolver, text: str) -> None:
    assert resolver.resolve_text(text, D) is None


@pytest.mark.parametrize(("word", "code"), [
    ("Iraqi", "IRQ"), ("Tehran", "IRN"), ("Brussels", "BEL"), ("the United States", "USA"),
    ("U.K.", "GBR"), ("Kyiv", "UKR"), ("Kiev", "UKR"), ("Kurdish", None), ("Paris", "FRA"),
    ("Iraqi army", None),
])
def test_resolve_actors_country_of(resolver: ActorResolver, word: str, code: str | None) -> None:
    assert resolver.country_of(word) == code


def test_resolve_actors_every_un_member_has_a_row(resolver: ActorResolver) -> None:
    import pycountry

    # The 193 UN member states are the ISO countries minus dependencies; check via names.
    dependencies = {"ASM", "AIA", "ABW", "BMU", "BES", "BVT", "IOT", "CYM", "CXR", "CCK", "COK",
                    "CUW", "FLK", "FRO", "GUF", "PYF", "ATF", "GIB", "GRL", "GLP", "GUM", "GGY",
                    "HMD", "IMN", "JEY", "MAC", "MTQ", "MYT", "MSR", "NCL", "NIU", "NFK", "MNP",
                    "PCN", "PRI", "REU", "BLM", "SHN", "MAF", "SPM", "SXM", "SGS", "SJM", "TKL",
                    "TCA", "UMI", "VGB", "VIR", "WLF", "ESH", "ALA", "ATA"}
    missing = [c.alpha_3 for c in pycountry.countries
               if c.alpha_3 not in dependencies and resolver.country_name(c.alpha_3) is None]
    assert missing == []


# -- capitals and seats used for governments -----------------------------------------------

SEATS = [
    ("Tehran", "IRN"), ("Washington", "USA"), ("the Kremlin", "RUS"), ("the White House", "USA"),
    ("Downing Street", "GBR"), ("Beijing", "CHN"), ("Moscow", "RUS"), ("Whitehall", "GBR"),
    ("the Elysee", "FRA"), ("the Élysée", "FRA"), ("Ankara", "TUR"), ("Baghdad", "IRQ"),
    ("Riyadh", "SAU"), ("Damascus", "SYR"), ("Kyiv", "UKR"), ("Pyongyang", "PRK"),
    ("Seoul", "KOR"), ("Tokyo", "JPN"), ("New Delhi", "IND"), ("Islamabad", "PAK"),
    ("Cairo", "EGY"), ("Abu Dhabi", "ARE"), ("Ramallah", "PSE"),
]


@pytest.mark.parametrize(("text", "code"), SEATS)
def test_resolve_actors_seat_is_government(resolver: ActorResolver, text: str, code: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, "GOV")


# -- country-level institutions ------------------------------------------------------------

INSTITUTIONS = [
    ("the Iraqi parliament", "IRQ", "LEG"), ("the Pentagon", "USA", "MIL"),
    ("Congress", "USA", "LEG"), ("the Knesset", "ISR", "LEG"), ("the Duma", "RUS", "LEG"),
    ("Mossad", "ISR", "SPY"), ("the CIA", "USA", "SPY"), ("the IDF", "ISR", "MIL"),
    ("IRGC", "IRN", "MIL"), ("the Revolutionary Guards", "IRN", "MIL"),
    ("the State Department", "USA", "GOV"), ("the FBI", "USA", "COP"),
    ("the Bundestag", "DEU", "LEG"), ("the People's Liberation Army", "CHN", "MIL"),
    ("the Quds Force", "IRN", "MIL"), ("Shin Bet", "ISR", "SPY"), ("MI6", "GBR", "SPY"),
    ("the Russian Defence Ministry", "RUS", "MIL"), ("the German Foreign Office", "DEU", "GOV"),
    ("the Iranian foreign ministry", "IRN", "GOV"), ("the Egyptian army", "EGY", "MIL"),
    ("Iraq's Supreme Court", "IRQ", "JUD"),
]


@pytest.mark.parametrize(("text", "code", "sector"), INSTITUTIONS)
def test_resolve_actors_institutions(resolver: ActorResolver, text: str, code: str,
                                     sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, sector)


# -- sector words, one or more per PLOVER sector ------------------------------------------

SECTOR_WORDS = [
    ("police", "COP"), ("riot police", "COP"), ("security forces", "COP"),
    ("the government", "GOV"), ("officials", "GOV"), ("the president", "GOV"),
    ("ambassador", "GOV"), ("envoy", "GOV"), ("diplomats", "GOV"), ("the foreign minister", "GOV"),
    ("a court", "JUD"), ("judges", "JUD"), ("prosecutors", "JUD"),
    ("parliament", "LEG"), ("lawmakers", "LEG"), ("a senator", "LEG"), ("MPs", "LEG"),
    ("army", "MIL"), ("troops", "MIL"), ("soldiers", "MIL"), ("the general", "MIL"),
    ("forces", "MIL"), ("the military", "MIL"), ("navy", "MIL"), ("the air force", "MIL"),
    ("jets", "MIL"), ("warplanes", "MIL"),
    ("militias", "PRM"), ("paramilitaries", "PRM"),
    ("the party", "PTY"), ("political parties", "PTY"),
    ("rebels", "REB"), ("insurgents", "REB"), ("militants", "REB"), ("guerrillas", "REB"),
    ("spies", "SPY"), ("the intelligence agency", "SPY"),
    ("unknown gunmen", "UAF"), ("gunmen", "UAF"),
    ("a group", "UNK"),
    ("farmers", "AGR"), ("peasants", "AGR"),
    ("a company", "BUS"), ("firms", "BUS"), ("businessmen", "BUS"),
    ("criminals", "CRM"), ("a gang", "CRM"), ("smugglers", "CRM"),
    ("protesters", "CVL"), ("demonstrators", "CVL"), ("civilians", "CVL"),
    ("residents", "CVL"), ("people", "CVL"), ("villagers", "CVL"),
    ("teachers", "EDU"), ("students", "EDU"), ("the university", "EDU"),
    ("elites", "ELI"), ("the former president", "ELI"),
    ("journalists", "JRN"), ("reporters", "JRN"), ("a newspaper", "JRN"),
    ("unions", "LAB"), ("workers", "LAB"),
    ("doctors", "MED"), ("the hospital", "MED"),
    ("refugees", "REF"), ("the displaced", "REF"),
    ("the opposition", "OPP"), ("dissidents", "OPP"),
    ("the breakaway government", "PRE"),
    ("clerics", "REL"), ("the church", "REL"), ("an imam", "REL"),
    ("rights groups", "SOC"), ("aid workers", "SOC"),
]


@pytest.mark.parametrize(("text", "sector"), SECTOR_WORDS)
def test_resolve_actors_sector_words(resolver: ActorResolver, text: str, sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (None, sector)


def test_resolve_actors_sector_table_covers_every_code(resolver: ActorResolver) -> None:
    covered = {r.sector for r, _ in ((resolver.resolve_text(t, D), s) for t, s in SECTOR_WORDS)
               if r is not None}
    assert covered == SECTORS


@pytest.mark.parametrize(("text", "code", "sector"), [
    ("Iraqi security forces", "IRQ", "COP"), ("army spokesman", None, "MIL"),
    ("a spokesman for the Iraqi army", "IRQ", "MIL"), ("government troops", None, "MIL"),
    ("Palestinian militants", "PSE", "REB"), ("Israeli troops", "ISR", "MIL"),
    ("the leader of the protesters", None, "CVL"), ("rebel commander", None, "REB"),
    ("supporters of the president", None, "CVL"), ("Syrian refugees", "SYR", "REF"),
    ("the Saudi-led coalition", "SAU", "MIL"), ("Iranian-backed militias", None, "PRM"),
    ("Beijing residents", "CHN", "CVL"), ("the ambassador to Iraq", None, "GOV"),
    ("police in Baghdad", "IRQ", "COP"), ("the president of Iran", "IRN", "GOV"),
])
def test_resolve_actors_country_plus_sector(resolver: ActorResolver, text: str,
                                            code: str | None, sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, sector)


@pytest.mark.parametrize(("text", "office"), [
    ("Iran's foreign minister", "Foreign Minister"), ("the Iraqi prime minister", "Prime Minister"),
    ("the US defense secretary", "Defense Secretary"), ("Russian President", "President"),
])
def test_resolve_actors_office_from_title(resolver: ActorResolver, text: str, office: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and ent.office == office and ent.sector == "GOV"


def test_resolve_actors_former_title_is_elite(resolver: ActorResolver) -> None:
    ent = resolver.resolve_text("former Iraqi prime minister", D)
    assert ent == Entity("former Iraqi prime minister", "IRQ", "ELI", "Iraq",
                         "former Prime Minister")


@pytest.mark.parametrize("text", ["he", "she", "they", "it", "we", "the weather", "Tuesday"])
def test_resolve_actors_nothing_known_is_none(resolver: ActorResolver, text: str) -> None:
    assert resolver.resolve_text(text, D) is None


# -- organisations and armed groups ---------------------------------------------------------

ORGS = [
    ("the UN", "IGO", "UN"), ("the United Nations", "IGO", "UN"), ("UNHCR", "IGO", "UNHCR"),
    ("UNICEF", "IGO", "UNICEF"), ("the WFP", "IGO", "WFP"), ("WHO", "IGO", "WHO"),
    ("the Security Council", "IGO", "UNSC"), ("the UN General Assembly", "IGO", "UNGA"),
    ("the IAEA", "IGO", "IAEA"), ("UN peacekeepers", "IGO", "UNPK"), ("UNIFIL", "IGO", "UNIFIL"),
    ("MONUSCO", "IGO", "MONUSCO"), ("the European Union", "IGO", "EU"), ("the EU", "IGO", "EU"),
    ("Brussels", "IGO", "EU"), ("the European Commission", "IGO", "EC"), ("NATO", "IGO", "NATO"),
    ("the African Union", "IGO", "AU"), ("the Arab League", "IGO", "ARAB_LEAGUE"),
    ("OPEC", "IGO", "OPEC"), ("ASEAN", "IGO", "ASEAN"), ("the GCC", "IGO", "GCC"),
    ("ECOWAS", "IGO", "ECOWAS"), ("the SCO", "IGO", "SCO"), ("BRICS", "IGO", "BRICS"),
    ("the G7", "IGO", "G7"), ("the G20", "IGO", "G20"), ("the IMF", "IGO", "IMF"),
    ("the World Bank", "IGO", "WORLD_BANK"), ("the WTO", "IGO", "WTO"), ("the ICC", "IGO", "ICC"),
    ("the ICJ", "IGO", "ICJ"), ("Interpol", "IGO", "INTERPOL"), ("the OSCE", "IGO", "OSCE"),
    ("the OAS", "IGO", "OAS"), ("the OIC", "IGO", "OIC"), ("the Red Cross", "NGO", "ICRC"),
    ("the ICRC", "NGO", "ICRC"), ("Amnesty International", "NGO", "AMNESTY"),
    ("Human Rights Watch", "NGO", "HRW"), ("Doctors Without Borders", "NGO", "MSF"),
    ("MSF", "NGO", "MSF"),
    ("ISIL", "IMG", "ISIL"), ("ISIS", "IMG", "ISIL"), ("IS", "IMG", "ISIL"),
    ("the Islamic State", "IMG", "ISIL"), ("Daesh", "IMG", "ISIL"), ("al-Qaeda", "IMG", "AQ"),
    ("al Qaeda", "IMG", "AQ"), ("AQAP", "IMG", "AQAP"), ("AQIM", "IMG", "AQIM"),
    ("the Taliban", "AFG", "TALIBAN"), ("Hezbollah", "LBN", "HEZBOLLAH"),
    ("Hamas", "PSE", "HAMAS"), ("the Houthis", "YEM", "HOUTHIS"),
    ("Ansar Allah", "YEM", "HOUTHIS"), ("the PKK", "TUR", "PKK"), ("the YPG", "SYR", "YPG"),
    ("the SDF", "SYR", "SDF"), ("al-Shabab", "SOM", "SHABAB"), ("Boko Haram", "NGA", "BOKO_HARAM"),
    ("ISWAP", "IMG", "ISWAP"), ("the Wagner Group", "RUS", "WAGNER"),
    ("Hashd al-Shaabi", "IRQ", "PMF"), ("the Popular Mobilization Forces", "IRQ", "PMF"),
    ("the Muslim Brotherhood", "EGY", "MB"), ("FARC", "COL", "FARC"), ("the ELN", "COL", "ELN"),
    ("M23", "COD", "M23"), ("the RSF", "SDN", "RSF"),
    ("the Tigray People's Liberation Front", "ETH", "TPLF"), ("Polisario", "MAR", "POLISARIO"),
]


@pytest.mark.parametrize(("text", "code", "ident"), ORGS)
def test_resolve_actors_organisations(resolver: ActorResolver, text: str, code: str,
                                      ident: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.identifier_id) == (code, ident)


@pytest.mark.parametrize(("text", "when", "sector"), [
    ("the Taliban", dt.date(2019, 5, 1), "REB"), ("the Taliban", dt.date(2022, 5, 1), "GOV"),
    ("the RSF", dt.date(2020, 1, 1), "PRM"), ("the RSF", dt.date(2024, 1, 1), "REB"),
    ("HTS", dt.date(2020, 1, 1), "REB"), ("HTS", dt.date(2025, 3, 1), "GOV"),
])
def test_resolve_actors_group_status_by_date(resolver: ActorResolver, text: str, when: dt.date,
                                             sector: str) -> None:
    ent = resolver.resolve_text(text, when)
    assert ent is not None and ent.sector == sector


@pytest.mark.parametrize(("text", "code", "sector"), [
    ("Hamas fighters", "PSE", "REB"), ("NATO troops", "IGO", "MIL"),
    ("Iran's UN ambassador", "IRN", "GOV"), ("Iraqi Hezbollah", "IRQ", "PRM"),
    ("Iran-backed Hezbollah", "LBN", "PRM"), ("EU foreign ministers", "IGO", "GOV"),
])
def test_resolve_actors_organisation_in_context(resolver: ActorResolver, text: str, code: str,
                                                sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, sector)


# -- persons -----------------------------------------------------------------------------

PERSONS = [
    ("Iraqi Foreign Minister Fuad Hussein", "IRQ", "GOV", "Foreign Minister", "Fuad Hussein"),
    ("top Iranian general Qassem Soleimani", "IRN", "MIL", "Quds Force Commander",
     "Qassem Soleimani"),
    ("top US Middle East commander, General Kenneth McKenzie", "USA", "MIL", "CENTCOM Commander",
     "Kenneth McKenzie"),
    ("Russia's Sergei Lavrov", "RUS", "GOV", "Foreign Minister", "Sergei Lavrov"),
    ("Lavrov, Russia's foreign minister", "RUS", "GOV", "Foreign Minister", "Sergei Lavrov"),
    ("Major General John Smith", None, "MIL", "Major General", "John Smith"),
    ("Nigerian Foreign Minister Geoffrey Onyeama", "NGA", "GOV", "Foreign Minister",
     "Geoffrey Onyeama"),
    ("Foreign ministry spokesman Saeed Khatibzadeh", None, "GOV", "Spokesman",
     "Saeed Khatibzadeh"),
    ("Ivan Petrov, Russia's deputy foreign minister", "RUS", "GOV", "Deputy Foreign Minister",
     "Ivan Petrov"),
    ("UN Secretary-General Antonio Guterres", "IGO", "GOV", "UN Secretary-General",
     "Antonio Guterres"),
]


@pytest.mark.parametrize(("text", "code", "sector", "office", "name"), PERSONS)
def test_resolve_actors_titled_person(resolver: ActorResolver, text: str, code: str | None,
                                      sector: str, office: str, name: str) -> None:
    when = dt.date(2019, 12, 1)
    ent = resolver.resolve_text(text, when)
    assert ent == Entity(text, code, sector, name, office)


@pytest.mark.parametrize("later", ["Hussein", "Mr. Hussein", "Fuad Hussein", "he"])
def test_resolve_actors_memory_keeps_person(resolver: ActorResolver, later: str) -> None:
    memory = ArticleMemory()
    resolver.resolve_text("Iraqi Foreign Minister Fuad Hussein", D, memory)
    ent = resolver.resolve_text(later, D, memory)
    assert ent == Entity(later, "IRQ", "GOV", "Fuad Hussein", "Foreign Minister")


@pytest.mark.parametrize("later", ["Onyeama", "Mr Onyeama", "she"])
def test_resolve_actors_memory_unknown_person(resolver: ActorResolver, later: str) -> None:
    memory = ArticleMemory()
    resolver.resolve_text("Nigerian Foreign Minister Geoffrey Onyeama", D, memory)
    ent = resolver.resolve_text(later, D, memory)
    assert ent is not None and (ent.code, ent.sector, ent.name) == ("NGA", "GOV",
                                                                   "Geoffrey Onyeama")


def test_resolve_actors_pronoun_follows_last_person(resolver: ActorResolver) -> None:
    memory = ArticleMemory()
    resolver.resolve_text("Iraqi Foreign Minister Fuad Hussein", D, memory)
    resolver.resolve_text("Iranian President Hassan Rouhani", D, memory)
    ent = resolver.resolve_text("he", D, memory)
    assert ent is not None and ent.name == "Hassan Rouhani"


def test_resolve_actors_memory_is_per_article(resolver: ActorResolver) -> None:
    resolver.resolve_text("Nigerian Foreign Minister Geoffrey Onyeama", D, ArticleMemory())
    assert resolver.resolve_text("Onyeama", D, ArticleMemory()) is None


def test_resolve_actors_memory_api() -> None:
    memory = ArticleMemory()
    ent = Entity("X", "IRQ", "GOV", "Fuad Hussein", "Foreign Minister")
    memory.remember("Fuad Hussein", ent)
    assert (memory.lookup("Hussein"), memory.lookup("fuad hussein"), memory.last_person,
            memory.lookup("Smith")) == (ent, ent, ent, None)


def test_resolve_actors_spacy_span(resolver: ActorResolver) -> None:
    from spacy.lang.en import English

    doc = English()("Iraqi Foreign Minister Fuad Hussein met Rouhani.")
    memory = ArticleMemory()
    first = resolver.resolve(doc[0:5], D, memory)
    second = resolver.resolve(doc[6:7], D, memory)
    assert (first.name, second.code, second.office) == ("Fuad Hussein", "IRN", "President")


# -- officeholders by date --------------------------------------------------------------------

OFFICE_DATES = [
    ("Rouhani", dt.date(2020, 6, 1), "IRN", "GOV", "President"),
    ("Rouhani", dt.date(2022, 6, 1), "IRN", "ELI", "former President"),
    ("Trump", dt.date(2018, 1, 1), "USA", "GOV", "President"),
    ("Trump", dt.date(2023, 1, 1), "USA", "ELI", "former President"),
    ("Trump", dt.date(2025, 6, 1), "USA", "GOV", "President"),
    ("Biden", dt.date(2012, 1, 1), "USA", "GOV", "Vice President"),
    ("Biden", dt.date(2022, 1, 1), "USA", "GOV", "President"),
    ("Putin", dt.date(2010, 1, 1), "RUS", "GOV", "Prime Minister"),
    ("Putin", dt.date(2015, 1, 1), "RUS", "GOV", "President"),
    ("Erdogan", dt.date(2010, 1, 1), "TUR", "GOV", "Prime Minister"),
    ("Erdogan", dt.date(2020, 1, 1), "TUR", "GOV", "President"),
    ("Netanyahu", dt.date(2021, 9, 1), "ISR", "ELI", "former Prime Minister"),
    ("Netanyahu", dt.date(2024, 1, 1), "ISR", "GOV", "Prime Minister"),
    ("Raisi", dt.date(2022, 1, 1), "IRN", "GOV", "President"),
    ("Pezeshkian", dt.date(2025, 1, 1), "IRN", "GOV", "President"),
    ("Lavrov", dt.date(2015, 1, 1), "RUS", "GOV", "Foreign Minister"),
    ("Xi", dt.date(2020, 1, 1), "CHN", "GOV", "President"),
    ("Modi", dt.date(2020, 1, 1), "IND", "GOV", "Prime Minister"),
    ("Zelensky", dt.date(2023, 1, 1), "UKR", "GOV", "President"),
    ("Macron", dt.date(2023, 1, 1), "FRA", "GOV", "President"),
    ("Scholz", dt.date(2023, 1, 1), "DEU", "GOV", "Chancellor"),
    ("Merz", dt.date(2025, 6, 1), "DEU", "GOV", "Chancellor"),
    ("Starmer", dt.date(2025, 1, 1), "GBR", "GOV", "Prime Minister"),
    ("Sunak", dt.date(2025, 1, 1), "GBR", "ELI", "former Prime Minister"),
    ("Blinken", dt.date(2023, 1, 1), "USA", "GOV", "Secretary of State"),
    ("Rubio", dt.date(2025, 3, 1), "USA", "GOV", "Secretary of State"),
    ("Mohammed bin Salman", dt.date(2023, 1, 1), "SAU", "GOV", "Prime Minister"),
    ("Sisi", dt.date(2020, 1, 1), "EGY", "GOV", "President"),
    ("Assad", dt.date(2025, 2, 1), "SYR", "ELI", "former President"),
    ("Fuad Hussein", dt.date(2021, 1, 1), "IRQ", "GOV", "Foreign Minister"),
]


@pytest.mark.parametrize(("text", "when", "code", "sector", "office"), OFFICE_DATES)
def test_resolve_actors_officeholder_by_date(resolver: ActorResolver, text: str, when: dt.date,
                                             code: str, sector: str, office: str) -> None:
    ent = resolver.resolve_text(text, when)
    assert ent is not None and (ent.code, ent.sector, ent.office) == (code, sector, office)


def test_resolve_actors_officeholder_before_office(resolver: ActorResolver) -> None:
    ent = resolver.resolve_text("Pezeshkian", dt.date(2015, 1, 1))
    assert ent is not None and (ent.code, ent.sector, ent.name) == ("IRN", None,
                                                                   "Masoud Pezeshkian")


def test_resolve_actors_officeholder_remembered(resolver: ActorResolver) -> None:
    memory = ArticleMemory()
    resolver.resolve_text("Rouhani", dt.date(2020, 1, 1), memory)
    ent = resolver.resolve_text("he", dt.date(2020, 1, 1), memory)
    assert ent is not None and ent.name == "Hassan Rouhani"


def test_resolve_actors_lowercase_surname_is_not_a_person(resolver: ActorResolver) -> None:
    assert resolver.resolve_text("trump", dt.date(2020, 1, 1)) is None


# -- user files ----------------------------------------------------------------------------


def test_resolve_actors_user_csv(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("pattern,code,sector,office,name,identifier_id,start,end\n"
                    "Acme Militia,NGA,PRM,,Acme Militia,ACME,,\n"
                    "Hezbollah,LBN,REB,,Hezbollah,HEZ,,\n", encoding="utf-8")
    r = ActorResolver(extra_files=[path])
    assert (r.resolve_text("the Acme Militia", D), r.resolve_text("Hezbollah", D).sector) == (
        Entity("the Acme Militia", "NGA", "PRM", "Acme Militia", None, "ACME"), "REB")


def test_resolve_actors_user_yaml_dated(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("actors:\n"
                    "  - pattern: Jane Roe\n    code: KEN\n    sector: GOV\n"
                    "    office: Governor\n    name: Jane Roe\n"
                    "    start: 2019-01-01\n    end: 2021-01-01\n", encoding="utf-8")
    r = ActorResolver(extra_files=[path])
    inside, outside = r.resolve_text("Jane Roe", dt.date(2020, 1, 1)), \
        r.resolve_text("Jane Roe", dt.date(2023, 1, 1))
    assert (inside.code, inside.office, outside) == ("KEN", "Governor", None)


def test_resolve_actors_user_file_does_not_change_default(tmp_path: Path,
                                                          resolver: ActorResolver) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("pattern,code,sector\nHezbollah,LBN,REB\n", encoding="utf-8")
    ActorResolver(extra_files=[path])
    assert resolver.resolve_text("Hezbollah", D).sector == "PRM"


@pytest.mark.parametrize(("content", "suffix", "fragment"), [
    ("pattern,code,sector\nFoo,iraq,GOV\n", ".csv", "three upper-case letters"),
    ("pattern,code,sector\nFoo,IRQ,XYZ\n", ".csv", "not a PLOVER sector"),
    ("code,sector\nIRQ,GOV\n", ".csv", "'pattern'"),
    ("- pattern: Foo\n  colour: red\n", ".yaml", "unknown key"),
    ("- pattern: Foo\n  start: yesterday\n", ".yaml", "YYYY-MM-DD"),
    ("pattern\nFoo\n", ".json", "unknown actor file type"),
])
def test_resolve_actors_user_file_errors(tmp_path: Path, content: str, suffix: str,
                                         fragment: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ActorFileError, match=fragment):
        ActorResolver(extra_files=[path])


PETRARCH = """# a dictionary written for this test
JOHN_Q_PUBLIC_  # fictional officeholder
+PUBLIC_
+PRESIDENT_PUBLIC_
\t[XYZGOV 090120-170120]
\t[XYZELI]
ACME_WIDGETS_ [MNCBUS]
NORTHLAND_ [XYZ]
+NORTHLANDER_
RED_HAND_BRIGADE_ [XYZINS >150101]
"""


@pytest.fixture()
def petrarch_file(tmp_path: Path) -> Path:
    path = tmp_path / "test.actors.txt"
    path.write_text(PETRARCH, encoding="utf-8")
    return path


def test_resolve_actors_petrarch_parse(petrarch_file: Path) -> None:
    rows = load_petrarch_dictionary(petrarch_file)
    first = rows[0]
    assert (len(rows), first.pattern, first.code, first.sector, first.start, first.end) == (
        10, "John Q Public", "XYZ", "GOV", dt.date(2009, 1, 20), dt.date(2017, 1, 20))


@pytest.mark.parametrize(("text", "when", "expected"), [
    ("Public", dt.date(2010, 1, 1), ("XYZ", "GOV")),
    ("John Q. Public", dt.date(2010, 1, 1), ("XYZ", "GOV")),
    ("Public", dt.date(2020, 1, 1), ("XYZ", "ELI")),
    ("Acme Widgets", None, ("MNC", "BUS")),
    ("Red Hand Brigade", dt.date(2016, 1, 1), ("XYZ", "REB")),
    ("Northlander troops", D, ("XYZ", "MIL")),
])
def test_resolve_actors_petrarch_lookup(petrarch_file: Path, text: str, when: dt.date | None,
                                        expected: tuple[str, str]) -> None:
    ent = ActorResolver(extra_files=[petrarch_file]).resolve_text(text, when)
    assert ent is not None and (ent.code, ent.sector) == expected


def test_resolve_actors_petrarch_undated_before_start(petrarch_file: Path) -> None:
    r = ActorResolver(extra_files=[petrarch_file])
    assert r.resolve_text("Red Hand Brigade", dt.date(2010, 1, 1)) is None


@pytest.mark.parametrize(("text", "code", "sector", "name"), [
    ("the Bush administration", "USA", "GOV", "United States"),
    ("the Assad regime", "SYR", "GOV", "Syria"),
    ("Trump supporters", "USA", "CVL", "United States"),
    ("Putin's spokesman Dmitry Peskov", "RUS", "GOV", "Dmitry Peskov"),
])
def test_resolve_actors_person_as_modifier(resolver: ActorResolver, text: str, code: str,
                                           sector: str, name: str) -> None:
    ent = resolver.resolve_text(text, dt.date(2020, 1, 1))
    assert ent is not None and (ent.code, ent.sector, ent.name) == (code, sector, name)


def test_resolve_actors_resolver_pickles(resolver: ActorResolver) -> None:
    import pickle

    clone = pickle.loads(pickle.dumps(resolver))
    assert clone.resolve_text("the Iraqi parliament", D) == resolver.resolve_text(
        "the Iraqi parliament", D)


# -- people nouns, quantities and ethnic groups ----------------------------------------------

PEOPLE = [
    ("Turks", "TUR"), ("Poles", "POL"), ("Swedes", "SWE"), ("Danes", "DNK"), ("Finns", "FIN"),
    ("Serbs", "SRB"), ("Croats", "HRV"), ("Brits", "GBR"), ("Scots", "GBR"),
    ("Filipinos", "PHL"), ("Afghans", "AFG"), ("Israelis", "ISR"), ("Iraqis", "IRQ"),
    ("Syrians", "SYR"), ("Russians", "RUS"), ("Americans", "USA"), ("Chinese", "CHN"),
    ("Spaniards", "ESP"), ("Frenchmen", "FRA"), ("Kiwis", "NZL"),
]


@pytest.mark.parametrize(("text", "code"), PEOPLE)
def test_resolve_actors_people_noun_is_the_nation(resolver: ActorResolver, text: str,
                                                  code: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, None)


@pytest.mark.parametrize(("text", "code"), [
    ("hundreds of Palestinians", "PSE"), ("more than 100 Palestinians", "PSE"),
    ("two Britons", "GBR"), ("a Turk", "TUR"), ("thousands of Russians", "RUS"),
    ("Palestinians in Gaza", "PSE"), ("Some 800,000 Iraqi Kurds", "IRQ"),
    ("up to 300 Afghans", "AFG"), ("dozens of Chinese", "CHN"),
])
def test_resolve_actors_counted_people_are_civilians(resolver: ActorResolver, text: str,
                                                     code: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, "CVL")


@pytest.mark.parametrize(("text", "sector"), [
    ("Up to 1,000 ethnic Turks", "CVL"), ("ethnic Albanians", "CVL"),
    ("ethnic Albanian guerrillas", "REB"), ("ethnic Serb civilians", "CVL"),
    ("ethnic Russians", "CVL"),
])
def test_resolve_actors_ethnic_demonym_has_no_country(resolver: ActorResolver, text: str,
                                                      sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (None, sector)


@pytest.mark.parametrize(("text", "sector"), [
    ("Kurds", "CVL"), ("Arabs", "CVL"), ("Tamils", "CVL"), ("Hutus", "CVL"), ("Tutsis", "CVL"),
    ("Pashtuns", "CVL"), ("Uighurs", "CVL"), ("Uyghurs", "CVL"), ("Rohingya", "CVL"),
    ("Berbers", "CVL"), ("Yazidis", "CVL"), ("thousands of Muslims", "CVL"),
    ("Kurdish rebels", "REB"), ("Tamil rebels", "REB"), ("Rohingya refugees", "REF"),
    ("Islamic fundamentalists", "CVL"), ("Moslem fundamentalist demonstrators", "CVL"),
])
def test_resolve_actors_ethnic_and_religious_groups(resolver: ActorResolver, text: str,
                                                    sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (None, sector)


def test_resolve_actors_group_with_country(resolver: ActorResolver) -> None:
    ent = resolver.resolve_text("Iraqi Kurds", D)
    assert ent is not None and (ent.code, ent.sector) == ("IRQ", "CVL")


def test_resolve_actors_every_country_has_people_nouns() -> None:
    from importlib import resources

    text = resources.files("dyads.data.actors").joinpath("countries.tsv").read_text("utf-8")
    rows = [ln.split("\t") for ln in text.splitlines()[2:] if ln.strip()]
    # Congo-Brazzaville, Dominica and the Holy See share their people nouns with DR Congo,
    # the Dominican Republic and nobody (docs/actors.md).
    missing = [r[0] for r in rows if not r[5].strip() and r[0] not in {"COG", "DMA", "VAT"}]
    assert missing == []


# -- historical and alternative names -------------------------------------------------------

HISTORICAL = [
    ("Soviet Union", "RUS"), ("the USSR", "RUS"), ("Soviet", "RUS"), ("the Soviets", "RUS"),
    ("Yugoslavia", "SRB"), ("Yugoslav", "SRB"), ("Serbia and Montenegro", "SRB"),
    ("Burma", "MMR"), ("Burmese", "MMR"), ("Zaire", "COD"), ("Zairean", "COD"),
    ("Rhodesia", "ZWE"), ("Czechoslovak", "CZE"), ("Czechoslovakia", "CZE"),
    ("West Germany", "DEU"), ("East Germany", "DEU"), ("East German", "DEU"),
    ("Persia", "IRN"), ("Ceylon", "LKA"), ("the Former Yugoslav Republic of Macedonia", "MKD"),
    ("FYROM", "MKD"), ("Siam", "THA"), ("Kampuchea", "KHM"), ("Northern Rhodesia", "ZMB"),
]


@pytest.mark.parametrize(("text", "code"), HISTORICAL)
def test_resolve_actors_historical_names(resolver: ActorResolver, text: str, code: str) -> None:
    ent = resolver.resolve_text(text, dt.date(1988, 1, 1))
    assert ent is not None and ent.code == code


@pytest.mark.parametrize(("text", "code", "sector"), [
    ("Soviet troops", "RUS", "MIL"), ("the KGB", "RUS", "SPY"), ("the Red Army", "RUS", "MIL"),
    ("the Yugoslav army", "SRB", "MIL"), ("the Stasi", "DEU", "SPY"),
    ("Soviet Foreign Minister Eduard Shevardnadze", "RUS", "GOV"),
])
def test_resolve_actors_historical_bodies(resolver: ActorResolver, text: str, code: str,
                                          sector: str) -> None:
    ent = resolver.resolve_text(text, dt.date(1988, 1, 1))
    assert ent is not None and (ent.code, ent.sector) == (code, sector)


@pytest.mark.parametrize(("text", "when", "ident"), [
    ("the European Community", dt.date(1990, 1, 1), "EU"), ("EEC", dt.date(1975, 1, 1), "EU"),
    ("the EC", dt.date(1990, 1, 1), "EU"), ("the EC", dt.date(2005, 1, 1), "EC"),
    ("the Common Market", dt.date(1970, 1, 1), "EU"),
])
def test_resolve_actors_european_community(resolver: ActorResolver, text: str, when: dt.date,
                                           ident: str) -> None:
    ent = resolver.resolve_text(text, when)
    assert ent is not None and (ent.code, ent.identifier_id) == ("IGO", ident)


def test_resolve_actors_soviet_union_is_not_a_union(resolver: ActorResolver) -> None:
    ent = resolver.resolve_text("the Soviet Union", dt.date(1988, 1, 1))
    assert ent is not None and (ent.code, ent.sector) == ("RUS", None)


# -- military and police ranks before names -------------------------------------------------

RANKS = [
    ("Lt. Gen. John Smith", "MIL", "Lieutenant General"),
    ("Lieutenant General John Smith", "MIL", "Lieutenant General"),
    ("Maj. Gen. John Smith", "MIL", "Major General"), ("Gen. John Smith", "MIL", "General"),
    ("General John Smith", "MIL", "General"),
    ("Brig. Gen. John Smith", "MIL", "Brigadier General"), ("Col. John Smith", "MIL", "Colonel"),
    ("Colonel John Smith", "MIL", "Colonel"), ("Lt. Col. John Smith", "MIL", "Lieutenant Colonel"),
    ("Adm. John Smith", "MIL", "Admiral"), ("Admiral John Smith", "MIL", "Admiral"),
    ("Vice Adm. John Smith", "MIL", "Vice Admiral"), ("Marshal John Smith", "MIL", "Marshal"),
    ("Field Marshal John Smith", "MIL", "Field Marshal"), ("Capt. John Smith", "MIL", "Captain"),
    ("Cmdr. John Smith", "MIL", "Commander"), ("Air Marshal John Smith", "MIL", "Air Marshal"),
    ("Police Chief John Smith", "COP", "Police Chief"),
    ("Inspector General John Smith", "COP", "Inspector General"),
    ("Police Colonel John Smith", "COP", "Police Colonel"),
    ("police Maj. Gen. John Smith", "COP", "Major General"),
]


@pytest.mark.parametrize(("text", "sector", "office"), RANKS)
def test_resolve_actors_rank_before_name(resolver: ActorResolver, text: str, sector: str,
                                         office: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent == Entity(text, None, sector, "John Smith", office)


def test_resolve_actors_rank_with_country(resolver: ActorResolver) -> None:
    ent = resolver.resolve_text("Pakistani Lt. Gen. Ali Khan", D)
    assert ent == Entity("Pakistani Lt. Gen. Ali Khan", "PAK", "MIL", "Ali Khan",
                         "Lieutenant General")


@pytest.mark.parametrize("text", ["Gen.", "the col.", "Capt."])
def test_resolve_actors_abbreviated_rank_needs_a_name(resolver: ActorResolver,
                                                      text: str) -> None:
    assert resolver.resolve_text(text, D) is None


# -- bodies of a country, regions, rulers ---------------------------------------------------

BODIES = [
    ("the government of Sindh province", "PAK", "GOV"),
    ("the Kenya Anti-Corruption Commission", "KEN", "GOV"), ("Kenyan authorities", "KEN", "GOV"),
    ("Israeli army bulldozers", "ISR", "MIL"), ("Iraqi security sources", "IRQ", "COP"),
    ("Iraqi security officials", "IRQ", "COP"), ("Sri Lankan army", "LKA", "MIL"),
    ("Jewish settlers", "ISR", "CVL"), ("Helmand police", "AFG", "COP"),
    ("the governor of Texas", "USA", "GOV"), ("Xinjiang authorities", "CHN", "GOV"),
    ("Chechnya's leader", "RUS", "GOV"), ("Iran's rulers", "IRN", "GOV"),
    ("Iran's leaders", "IRN", "GOV"), ("Israel's Cabinet", "ISR", "GOV"),
    ("the Israeli Cabinet", "ISR", "GOV"), ("Iran's UN ambassador", "IRN", "GOV"),
    ("Syria's military rulers", "SYR", "MIL"), ("the Nigerian election commission", "NGA", "GOV"),
]


@pytest.mark.parametrize(("text", "code", "sector"), BODIES)
def test_resolve_actors_bodies_of_a_country(resolver: ActorResolver, text: str, code: str,
                                            sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, sector)


@pytest.mark.parametrize(("text", "sector"), [
    ("hackers", "CRM"), ("Muslim hackers", "CRM"), ("the UN ambassador", "GOV"),
    ("Christian Democrats", "PTY"),
])
def test_resolve_actors_sector_without_country(resolver: ActorResolver, text: str,
                                               sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (None, sector)


@pytest.mark.parametrize(("text", "name"), [
    ("the government of Sindh province", "Sindh"), ("Helmand police", "Helmand"),
    ("the opposition newspaper La Prensa", "La Prensa"),
    ("the Israeli newspaper Haaretz", "Haaretz"),
])
def test_resolve_actors_region_or_body_name(resolver: ActorResolver, text: str,
                                            name: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and ent.name == name


@pytest.mark.parametrize("word", ["Sindh", "Texas", "Helmand", "Turks"])
def test_resolve_actors_country_of_regions_and_people(resolver: ActorResolver,
                                                      word: str) -> None:
    # Regions are not countries for country_of(); people nouns are.
    assert resolver.country_of(word) == ("TUR" if word == "Turks" else None)


# -- national institutions named without their country --------------------------------------

@pytest.mark.parametrize(("text", "code", "sector"), [
    ("the Majlis", "IRN", "LEG"), ("the Rada", "UKR", "LEG"), ("the Sejm", "POL", "LEG"),
    ("the Lok Sabha", "IND", "LEG"), ("Quai d'Orsay", "FRA", "GOV"),
    ("Foggy Bottom", "USA", "GOV"), ("Zhongnanhai", "CHN", "GOV"), ("the Blue House", "KOR", "GOV"),
    ("Matignon", "FRA", "GOV"), ("the Storting", "NOR", "LEG"), ("the Riksdag", "SWE", "LEG"),
    ("the Casa Rosada", "ARG", "GOV"), ("Aso Rock", "NGA", "GOV"),
    ("the Supreme People's Assembly", "PRK", "LEG"),
])
def test_resolve_actors_institution_without_country(resolver: ActorResolver, text: str,
                                                    code: str, sector: str) -> None:
    ent = resolver.resolve_text(text, D)
    assert ent is not None and (ent.code, ent.sector) == (code, sector)


# -- more officeholders ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "when", "code", "office"), [
    ("Yeltsin", dt.date(1995, 1, 1), "RUS", "President"),
    ("Gorbachev", dt.date(1989, 1, 1), "RUS", "Soviet Leader"),
    ("Clinton", dt.date(1998, 1, 1), "USA", "President"),
    ("Clinton", dt.date(2010, 1, 1), "USA", "Secretary of State"),
    ("Bush", dt.date(1991, 1, 1), "USA", "President"),
    ("Albright", dt.date(1999, 1, 1), "USA", "Secretary of State"),
    ("Livni", dt.date(2008, 1, 1), "ISR", "Foreign Minister"),
    ("Katsav", dt.date(2003, 1, 1), "ISR", "President"),
    ("Fayyad", dt.date(2010, 1, 1), "PSE", "Prime Minister"),
    ("Shtayyeh", dt.date(2021, 1, 1), "PSE", "Prime Minister"),
    ("Madbouly", dt.date(2022, 1, 1), "EGY", "Prime Minister"),
    ("Yatsenyuk", dt.date(2015, 1, 1), "UKR", "Prime Minister"),
    ("Klimkin", dt.date(2016, 1, 1), "UKR", "Foreign Minister"),
    ("Babacan", dt.date(2008, 1, 1), "TUR", "Foreign Minister"),
    ("Ecevit", dt.date(2001, 1, 1), "TUR", "Prime Minister"),
    ("Raffarin", dt.date(2003, 1, 1), "FRA", "Prime Minister"),
    ("Vedrine", dt.date(2000, 1, 1), "FRA", "Foreign Minister"),
    ("Gauck", dt.date(2015, 1, 1), "DEU", "President"),
    ("Kim Dae-jung", dt.date(2000, 6, 1), "KOR", "President"),
    ("Yoshiro Mori", dt.date(2000, 6, 1), "JPN", "Prime Minister"),
    ("Aboul Gheit", dt.date(2008, 1, 1), "EGY", "Foreign Minister"),
    ("Aboul Gheit", dt.date(2020, 1, 1), "IGO", "Arab League Secretary-General"),
    ("Mandela", dt.date(1996, 1, 1), "ZAF", "President"),
])
def test_resolve_actors_more_officeholders(resolver: ActorResolver, text: str, when: dt.date,
                                           code: str, office: str) -> None:
    ent = resolver.resolve_text(text, when)
    assert ent is not None and (ent.code, ent.sector, ent.office) == (code, "GOV", office)


def test_resolve_actors_shared_alias_after_office(resolver: ActorResolver) -> None:
    # Nobody called "Bush" is in office in 2020: the one who left last is meant.
    ent = resolver.resolve_text("Bush", dt.date(2020, 1, 1))
    assert ent is not None and (ent.name, ent.sector) == ("George W. Bush", "ELI")
