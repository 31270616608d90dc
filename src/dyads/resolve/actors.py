"""Actor resolution: noun phrases -> PLOVER ``Entity`` (country/IGO code, sector, office, name).

The tables live in ``dyads/data/actors/`` (countries, sector words, organisations and
armed groups, dated officeholders). They are read once into one phrase index: a dict from
normalised token tuples to entries, searched longest-match-first over a phrase's tokens.
Users add or override actors with YAML/CSV files or PETRARCH/TABARI ``.actors`` dictionaries
(``ActorResolver(extra_files=...)``). See docs/actors.md for the resolution order.

Hand-written because no maintained library maps news phrases to PLOVER actor codes by
date; pycountry supplies the official country names and ISO codes.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dyads.types import Entity

if TYPE_CHECKING:  # spaCy is only needed for the type of ``resolve``'s argument
    from spacy.tokens import Span

__all__ = [
    "ActorRow",
    "ActorFileError",
    "ArticleMemory",
    "ActorResolver",
    "load_actor_file",
    "load_petrarch_dictionary",
    "load_table_file",
    "SECTORS",
]

SECTORS: frozenset[str] = frozenset(
    "COP GOV JUD LEG MIL PRM PTY REB SPY UAF UNK AGR BUS CRM CVL EDU ELI JRN LAB MED REF OPP "
    "PRE REL SOC".split()
)
# CAMEO-era sector codes that PLOVER renamed or folded (manual, "Sector code notes").
_CAMEO_SECTORS = {"HLH": "MED", "MED": "JRN", "INS": "REB", "SEP": "REB", "RAD": "REB"}
_NONSTATE_CODES = frozenset({"IGO", "NGO", "IMG", "MNC", "ISM", "UNO", "EUR"})
# Sectors that describe a state position: a "former" holder of one becomes ELI.
_STATE_SECTORS = frozenset({"GOV", "MIL", "LEG", "JUD", "COP", "SPY"})

_DATA = "dyads.data.actors"


class ActorFileError(ValueError):
    """A user actor file could not be read; the message says which line and why."""


@dataclass(frozen=True, slots=True)
class ActorRow:
    """One user-supplied or dictionary actor: a pattern and what it codes to (optionally dated)."""

    pattern: str
    code: str | None
    sector: str | None = None
    office: str | None = None
    name: str | None = None
    identifier_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


# ---------------------------------------------------------------------------------------
# Tokenising and normalising: the same function builds index keys and query keys, so
# "al-Qaeda" / "al Qaeda" / "Al Qaeda" meet, and "U.S." stays one token.
# ---------------------------------------------------------------------------------------

# "U.S." and "1,000" stay one token (a comma inside a number is not an apposition).
_TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,]\d+)+|\w+(?:['’]\w+)*|[^\w\s]")
_SEPARATORS = frozenset({",", ";", ":", "(", ")", "[", "]", "—", "–"})
_DROP = frozenset({"the"})
_PREPOSITIONS = frozenset({"of", "for", "from", "in", "at", "to", "against", "with", "toward",
                           "towards", "by", "over", "about", "than", "on", "under", "near"})
# Countries or organisations after these prepositions are not the actor's own affiliation.
_FOREIGN_PREPS = frozenset({"to", "against", "with", "toward", "towards", "by", "over", "about",
                            "than", "on", "under", "near"})
# "Iran-backed militias": the country does not code the militia. ("Pakistan-based
# militants" do code Pakistan: where an armed group is based is its country, as CAMEO codes it.)
_BACKED = frozenset({"backed", "funded", "sponsored", "supported", "allied", "aligned",
                     "linked", "armed", "trained", "owned", "controlled", "run",
                     "friendly", "leaning", "inspired", "occupied", "held", "born"})
# Words that count people: "hundreds of Palestinians", "two Britons", "a Turk" are civilians
# (CVL), while the bare plural "the Palestinians" is the nation (no sector).
_QUANTIFIERS = frozenset("""
a an one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
hundred hundreds thousand thousands million millions dozen dozens scores tens some many several
few numerous countless more most other fellow ordinary young elderly local innocent unarmed
""".split())
# A people noun followed by one of these is a located group: "Palestinians in Gaza".
_PEOPLE_PLACE = frozenset({"in", "of", "from", "at", "living", "inside"})
# "ethnic Turks", "ethnic Albanian guerrillas": an ethnicity, not a nationality; CAMEO-style
# coding puts them in the country where they live, which the caller fills from context.
_ETHNIC = frozenset({"ethnic"})
_FORMER = frozenset({"former", "ex", "erstwhile", "ousted", "deposed", "exiled", "retired"})
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady",
                         "sheikh", "shaikh", "prof", "mister", "madam", "hon", "his", "her"})
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "himself", "herself"})
_OTHER_PRONOUNS = frozenset({"they", "them", "it", "we", "i", "you", "us", "who", "which",
                             "that", "this", "these", "those", "one", "themselves", "itself",
                             "someone", "anyone", "everyone", "somebody", "nobody"})
# Name particles that may sit inside or before a capitalised name ("Mohammed bin Salman").
_NAME_PARTICLES = frozenset({"al", "el", "bin", "ibn", "bint", "abu", "abd", "de", "da", "do",
                             "dos", "das", "del", "della", "di", "van", "von", "der", "den",
                             "la", "le", "du", "ben", "ould", "ag", "y", "'s"})
# Capitalised words that are not parts of person names in actor phrases.
_NOT_NAME = frozenset("""
top senior chief deputy acting interim new newly elected outgoing incoming then late veteran
middle east west north south gulf western eastern northern southern central upper lower
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december
kurdish arab arabs sunni shia shiite shi'ite islamic islamist muslim christian jewish catholic
orthodox hindu buddhist druze alawite yazidi coptic
democratic republican communist national federal state states union royal supreme grand
international regional local provincial joint special general
a an some several many two three four five six seven eight nine ten dozens hundreds
thousands other another both all any each most few his her its their our my your
""".split())


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    norm: str
    start: int
    end: int
    has_upper: bool
    is_cap: bool
    is_sep: bool


def _fold(text: str) -> str:
    """Lower-case and strip accents so "Élysée" and "Elysee" share a key."""
    text = text.replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _tokenise(text: str) -> list[_Tok]:
    """Split a phrase into normalised tokens; punctuation other than separators is dropped."""
    toks: list[_Tok] = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group()
        start = m.start()
        pieces: list[tuple[str, int]]
        low = raw.lower()
        if len(raw) > 2 and (low.endswith("'s") or low.endswith("’s")) and raw[0].isalnum():
            pieces = [(raw[:-2], start), ("'s", start + len(raw) - 2)]
        else:
            pieces = [(raw, start)]
        for piece, pstart in pieces:
            norm = _fold(piece)
            if not norm:
                continue
            if not (norm[0].isalnum() or norm == "'s"):
                if piece in _SEPARATORS:
                    toks.append(_Tok(piece, ",", pstart, pstart + len(piece), False, False, True))
                continue
            if norm in _DROP:
                continue
            toks.append(_Tok(piece, norm, pstart, pstart + len(piece),
                             any(c.isupper() for c in piece), piece[0].isupper(), False))
    return toks


def _key(pattern: str) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """Index key of a pattern, and its exact surface tokens when it must match case-sensitively.

    A pattern with no lower-case letter ("US", "IS", "WHO") matches only in that case.
    """
    toks = [t for t in _tokenise(pattern) if not t.is_sep]
    key = tuple(t.norm for t in toks)
    exact = None
    if not any(c.islower() for t in toks for c in t.text) and any(c.isalpha() for c in pattern):
        exact = tuple(t.text for t in toks)
    return key, exact


# ---------------------------------------------------------------------------------------
# Index entries
# ---------------------------------------------------------------------------------------

# Entry kinds, in priority order when one phrase has several readings.
_USER, _PERSON, _ORG, _COUNTRY, _DEMONYM, _CAPITAL, _REGION, _SECTOR = range(8)
_PLACE_KINDS = (_COUNTRY, _DEMONYM, _CAPITAL, _REGION)


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: int
    code: str | None
    sector: str | None
    name: str | None = None
    office: str | None = None
    identifier_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    skind: str = ""  # for sector words: title, noun, weak, name_title
    exact: tuple[str, ...] | None = None
    proper: bool = True  # needs a capital letter somewhere in the matched text
    people: bool = False  # a demonym noun for people ("Turks"): counted, it is CVL

    def accepts(self, toks: Sequence[_Tok]) -> bool:
        """Whether the matched tokens satisfy this entry's case requirements."""
        if self.exact is not None:
            return tuple(t.text for t in toks) == self.exact
        if self.proper:
            return any(t.has_upper for t in toks)
        return True

    def valid_on(self, when: dt.date | None) -> bool:
        """Whether a dated entry holds on ``when`` (undated entries always hold)."""
        if when is None:
            return True
        if self.start is not None and when < self.start:
            return False
        return not (self.end is not None and when >= self.end)


@dataclass(slots=True)
class _Index:
    phrases: dict[tuple[str, ...], list[_Entry]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)  # first token -> longest phrase length
    country_names: dict[str, str] = field(default_factory=dict)  # ISO3 -> canonical name

    def add(self, pattern: str, entry: _Entry, *, front: bool = False) -> None:
        """Index ``entry`` under ``pattern`` (``front`` puts it before existing readings)."""
        key, exact = _key(pattern)
        if not key:
            return
        if exact is not None:
            entry = dataclasses.replace(entry, exact=exact)
        bucket = self.phrases.setdefault(key, [])
        if entry in bucket:
            return
        if front:
            bucket.insert(0, entry)
        else:
            bucket.append(entry)
        bucket.sort(key=lambda e: e.kind)
        if len(key) > self.first.get(key[0], 0):
            self.first[key[0]] = len(key)

    def copy(self) -> _Index:
        """A copy whose buckets can be extended without touching the cached base index."""
        return _Index({k: list(v) for k, v in self.phrases.items()}, dict(self.first),
                      dict(self.country_names))


# ---------------------------------------------------------------------------------------
# Loading the packaged tables
# ---------------------------------------------------------------------------------------


def _read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a packaged TSV table (comment lines start with '#')."""
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _date(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    return dt.date.fromisoformat(value) if value else None


def _add_countries(index: _Index) -> None:
    """Country names, short forms, demonyms and capitals, plus pycountry's official names."""
    import pycountry  # only here: the index is built once

    rows = list(_read_tsv("countries.tsv"))
    # Our curated names win over pycountry's: "Congo" is DR Congo in the news, whatever
    # pycountry calls the Republic of the Congo.
    curated = {n.lower(): row["code"] for row in rows for n in (row["name"], *_split(row["aliases"]))}
    for row in rows:
        code, name = row["code"], row["name"]
        index.country_names[code] = name
        names = [name, *_split(row["aliases"])]
        rec = pycountry.countries.get(alpha_3=code)
        if rec is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(rec, attr, None)
                if value and "," not in value and "(" not in value and curated.get(value.lower(), code) == code:
                    names.append(value)
        for n in names:
            index.add(n, _Entry(_COUNTRY, code, None, name))
        for d in _split(row["demonyms"]):
            index.add(d, _Entry(_DEMONYM, code, None, name))
        for d in _split(row.get("people", "")):
            index.add(d, _Entry(_DEMONYM, code, None, name, people=True))
        for c in _split(row["capitals"]):
            index.add(c, _Entry(_CAPITAL, code, "GOV", name))


def _add_regions(index: _Index) -> None:
    """First-level regions ("Sindh", "Helmand"): they give their country, named by the region."""
    for row in _read_tsv("regions.tsv"):
        entry = _Entry(_REGION, row["code"], None, row["name"])
        for p in [row["name"], *_split(row["aliases"])]:
            index.add(p, entry)


def _add_sectors(index: _Index) -> None:
    """Sector words (singular and plural) with their office labels."""
    for row in _read_tsv("sectors.tsv"):
        entry = _Entry(_SECTOR, None, row["sector"], None, row["office"] or None,
                       skind=row["kind"], proper=False)
        for form in (row["singular"], row["plural"]):
            if form:
                # Sector words match in any case ("Foreign Minister", "foreign minister").
                index.add(form.lower(), entry)


def _add_organisations(index: _Index) -> None:
    """IGOs, NGOs, armed groups, national institutions and companies."""
    for row in _read_tsv("organisations.tsv"):
        entry = _Entry(_ORG, row["code"], row["sector"] or None, row["name"],
                       identifier_id=row["identifier_id"] or None,
                       start=_date(row["start"]), end=_date(row["end"]))
        for p in _split(row["patterns"]):
            index.add(p, entry)


def _add_officeholders(index: _Index) -> None:
    """Dated officeholders, indexed by full name and by their listed aliases."""
    for row in _read_tsv("officeholders.tsv"):
        entry = _Entry(_PERSON, row["code"], row["sector"], row["name"], row["office"] or None,
                       start=_date(row["start"]), end=_date(row["end"]))
        for p in [row["name"], *_split(row["aliases"])]:
            index.add(p, entry)


@lru_cache(maxsize=1)
def _base_index() -> _Index:
    """The packaged tables as one phrase index, built once per process."""
    index = _Index()
    _add_countries(index)
    _add_regions(index)
    _add_sectors(index)
    _add_organisations(index)
    _add_officeholders(index)
    return index


# ---------------------------------------------------------------------------------------
# User files
# ---------------------------------------------------------------------------------------

_ROW_KEYS = ("pattern", "code", "sector", "office", "name", "identifier_id", "start", "end")


def _parse_iso(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ActorFileError(f"{where}: date {value!r} is not YYYY-MM-DD") from None


def _row_from_mapping(data: dict[str, Any], where: str) -> ActorRow:
    """Validate one user row (YAML mapping or CSV record) into an ActorRow."""
    unknown = set(data) - set(_ROW_KEYS)
    if unknown:
        raise ActorFileError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: "
                             f"{', '.join(_ROW_KEYS)}")
    pattern = str(data.get("pattern") or "").strip()
    if not pattern:
        raise ActorFileError(f"{where}: 'pattern' is required (the words to match)")

    def text(key: str) -> str | None:
        value = data.get(key)
        return str(value).strip() or None if value is not None else None

    code = text("code")
    if code is not None and not re.fullmatch(r"[A-Z]{3}", code):
        raise ActorFileError(f"{where}: code {code!r} must be three upper-case letters "
                             "(ISO3, IGO, NGO, IMG or MNC)")
    sector = text("sector")
    if sector is not None and sector not in SECTORS:
        raise ActorFileError(f"{where}: sector {sector!r} is not a PLOVER sector; allowed: "
                             f"{' '.join(sorted(SECTORS))}")
    return ActorRow(pattern, code, sector, text("office"), text("name"), text("identifier_id"),
                    _parse_iso(data.get("start"), where), _parse_iso(data.get("end"), where))


def load_table_file(path: Path) -> list[ActorRow]:
    """Read a user actor table: YAML (a list of mappings, or {actors: [...]}) or CSV."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        import yaml  # PyYAML, only needed for YAML actor files

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ActorFileError(f"{path}: not valid YAML: {exc}") from None
        if isinstance(data, dict):
            data = data.get("actors")
        if not isinstance(data, list):
            raise ActorFileError(f"{path}: expected a list of actors (or a mapping with an "
                                 "'actors' list), each with keys " + ", ".join(_ROW_KEYS))
        rows = []
        for i, item in enumerate(data, 1):
            if not isinstance(item, dict):
                raise ActorFileError(f"{path}: actor #{i} is not a mapping")
            rows.append(_row_from_mapping(item, f"{path}: actor #{i}"))
        return rows
    if suffix in (".csv", ".tsv"):
        delimiter = "\t" if suffix == ".tsv" else ","
        with path.open(encoding="utf-8", newline="") as fh:
            lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
        reader = csv.DictReader(lines, delimiter=delimiter)
        if not reader.fieldnames or "pattern" not in reader.fieldnames:
            raise ActorFileError(f"{path}: the header must include 'pattern' (allowed columns: "
                                 + ", ".join(_ROW_KEYS) + ")")
        return [_row_from_mapping({k: v for k, v in rec.items() if k is not None},
                                  f"{path}: row {i}")
                for i, rec in enumerate(reader, 2)]
    raise ActorFileError(f"{path}: unknown actor file type {suffix!r}; use .yaml/.yml, .csv "
                         "or .txt (PETRARCH dictionary)")


_PETR_CODE_RE = re.compile(r"\[([^\]]*)\]")


def _petrarch_date(value: str, where: str) -> dt.date:
    """PETRARCH dates are YYMMDD (years < 30 are 20xx, as PETRARCH reads them) or YYYYMMDD."""
    value = value.strip()
    try:
        if len(value) == 8:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        if len(value) == 6:
            yy = int(value[:2])
            return dt.date((2000 if yy < 30 else 1900) + yy, int(value[2:4]), int(value[4:]))
    except ValueError:
        pass
    raise ActorFileError(f"{where}: bad PETRARCH date {value!r} (want YYMMDD or YYYYMMDD)")


def _petrarch_code(body: str, where: str) -> tuple[str, str | None, dt.date | None, dt.date | None]:
    """Split "USAGOV 090120-170120" into code, sector and date range."""
    parts = body.split()
    if not parts:
        raise ActorFileError(f"{where}: empty code []")
    full = parts[0].upper()
    code = full[:3]
    sector = None
    for i in range(3, len(full) - 2, 3):
        chunk = full[i:i + 3]
        mapped = _CAMEO_SECTORS.get(chunk, chunk)
        if mapped in SECTORS:
            sector = mapped
            break
    start = end = None
    if len(parts) > 1:
        span = parts[1]
        if span.startswith(">"):
            start = _petrarch_date(span[1:], where)
        elif span.startswith("<"):
            end = _petrarch_date(span[1:], where)
        elif "-" in span:
            a, b = span.split("-", 1)
            start, end = _petrarch_date(a, where), _petrarch_date(b, where)
        else:
            raise ActorFileError(f"{where}: bad date range {span!r}")
    return code, sector, start, end


def _petrarch_phrase(token: str) -> str:
    """"BARACK_OBAMA_" -> "Barack Obama". PETRARCH text is upper case, so words become title
    case (matched in any case, needing a capital); words of one or two letters ("US", "UN")
    stay upper case and so match only in upper case."""
    words = token.strip().strip("+").replace("_", " ").split()
    return " ".join(w if len(w) <= 2 and w.isalpha() else w.title() for w in words)


def load_petrarch_dictionary(path: Path) -> list[ActorRow]:
    """Read a PETRARCH/TABARI ``.actors`` dictionary: ``NAME_ [CODE dates]`` entries with
    ``+SYNONYM_`` lines and indented ``[CODE dates]`` lines; ``#`` starts a comment."""
    path = Path(path)
    rows: list[ActorRow] = []
    names: list[str] = []
    codes: list[tuple[str, str | None, dt.date | None, dt.date | None]] = []

    def flush() -> None:
        for n in names:
            canonical = names[0].title()
            for code, sector, start, end in codes:
                rows.append(ActorRow(n, code, sector, None, canonical, None, start, end))

    for lineno, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        where = f"{path}: line {lineno}"
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        stripped = line.strip()
        if stripped.startswith("+"):
            if names:
                phrase = _petrarch_phrase(stripped.split("[", 1)[0])
                if phrase:
                    names.append(phrase)
            continue
        if stripped.startswith("["):
            codes.extend(_petrarch_code(b, where) for b in _PETR_CODE_RE.findall(stripped))
            continue
        if stripped.startswith(("<", "{", "!")):  # TABARI class/agent markup: not actors
            continue
        flush()
        head = stripped.split("[", 1)[0]
        names = [p for p in [_petrarch_phrase(head)] if p]
        codes = [_petrarch_code(b, where) for b in _PETR_CODE_RE.findall(stripped)]
    flush()
    return rows


def load_actor_file(path: Path) -> list[ActorRow]:
    """Read any supported actor file, choosing the format by suffix."""
    path = Path(path)
    if not path.is_file():
        raise ActorFileError(f"{path}: no such actor file")
    if path.suffix.lower() in (".txt", ".actors"):
        return load_petrarch_dictionary(path)
    return load_table_file(path)


def _user_entry(row: ActorRow) -> _Entry:
    return _Entry(_USER, row.code, row.sector, row.name, row.office, row.identifier_id,
                  row.start, row.end)


# ---------------------------------------------------------------------------------------
# Per-article memory
# ---------------------------------------------------------------------------------------


def _name_key(name: str) -> str:
    """Normalised lookup key of a person name (case, accents, hyphens and honorifics ignored)."""
    return " ".join(t.norm for t in _tokenise(name)
                    if not t.is_sep and t.norm not in _HONORIFICS and t.norm != "'s")


@dataclass
class ArticleMemory:
    """Per-article state: persons introduced with a title, keyed by full name and surname; the
    last person mentioned (for pronouns)."""

    people: dict[str, Entity] = field(default_factory=dict)
    last_person: Entity | None = None
    bodies: dict[str, Entity] = field(default_factory=dict)  # "ministry" -> Venezuela's foreign ministry
    events: list[tuple[str, tuple[Entity, ...]]] = field(default_factory=list)  # (type, actors) of events so far

    def remember(self, name: str, entity: Entity) -> None:
        """Keep ``entity`` under its full name and surname; it becomes the pronoun antecedent."""
        key = _name_key(name)
        if key:
            self.people[key] = entity
            surname = key.split()[-1]
            if surname not in _NAME_PARTICLES:
                self.people.setdefault(surname, entity)
                # A later, different person with the same surname makes it ambiguous: newest wins.
                if self.people[surname].name != entity.name:
                    self.people[surname] = entity
        self.last_person = entity

    def lookup(self, name: str) -> Entity | None:
        """The person remembered under this full name or surname, if any."""
        key = _name_key(name)
        if not key:
            return None
        hit = self.people.get(key)
        if hit is None:
            hit = self.people.get(key.split()[-1])
        return hit


# ---------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Match:
    start: int  # token indices
    end: int
    entries: tuple[_Entry, ...]
    segment: int  # index of the prepositional segment (0 = head)
    foreign: bool  # inside a "to/against/with ..." segment
    backed: bool  # followed by "-backed", "-led", ...

    @property
    def kind(self) -> int:
        return self.entries[0].kind


@dataclass(frozen=True, slots=True)
class _Analysis:
    toks: tuple[_Tok, ...]
    matches: tuple[_Match, ...]
    covered: frozenset[int]


# Head nouns through which a country's modifier still names that country as a party
# ("the Syrian people", "a Russian warship", "an Israeli air strike"); any other common
# noun after a nationality is a thing ("the Korean film", "a Chinese panda"), not an actor.
_PARTY_HEADS = frozenset('''
side regime state nation people public population authority leadership administration
establishment camp bloc coalition alliance junta cabinet ministry embassy consulate mission
delegation territory capital border frontier navy vessel ship warship boat tanker frigate
submarine jet warplane plane aircraft fighter bomber helicopter drone missile rocket convoy
tank artillery battery gunboat patrol strike airstrike raid attack assault shelling bombing
bombardment offensive operation incursion invasion fire gunfire barrage shell mortar
crackdown forces troops units planes ships drones guard hardliner nationalist loyalist
national sailor pilot crew captive engineer commando sapper observer monitor emissary delegate
counterpart ally partner neighbour neighbor rival follower kingdom republic government
service agency council committee commission office bureau department body directorate
group movement organisation organization federation association union force command
headquarters court tribunal assembly chamber senate house
'''.split())


# Head nouns of bodies that a later sentence names with "the" alone.
_BODY_HEADS = frozenset(
    "ministry army military junta government alliance parliament police rebel militia group "
    "movement party court council force troop authority cabinet regime administration bloc "
    "coalition embassy agency commission legislature navy".split())


def _surname(an: _Analysis, m: _Match) -> bool:
    """A one-word demonym right after an unknown capitalised name is a surname ("Volker
    Turk", "Adam English"), not a nationality."""
    if m.kind != _DEMONYM or m.end - m.start != 1 or m.start == 0:
        return False
    prev = an.toks[m.start - 1]
    return prev.is_cap and not prev.is_sep and m.start - 1 not in an.covered and m.end == len(an.toks)


def _foreign_head(an: _Analysis, cm: _Match) -> bool:
    """True when the phrase ends in an unknown common noun after its country ("the Korean
    film"): no sector, title, organisation or name sits in the head."""
    toks = [i for i, t in enumerate(an.toks) if not t.is_sep]
    if not toks:
        return False
    last = toks[-1]
    if last < cm.end or last in an.covered:
        return False
    head = an.toks[last]
    if head.is_cap or head.has_upper or not head.norm.isalpha():
        return False  # a name ("Turkey's Galatasaray") or an acronym
    word = head.norm
    singular = word[:-1] if word.endswith("s") and not word.endswith("ss") else word
    if word.endswith("ies"):
        singular = word[:-3] + "y"
    return word not in _PARTY_HEADS and singular not in _PARTY_HEADS


def _scan(index: _Index, toks: Sequence[_Tok]) -> _Analysis:
    """Longest-match scan of the phrase against the index, left to right."""
    n = len(toks)
    matches: list[_Match] = []
    covered: set[int] = set()
    segment, foreign = 0, False
    i = 0
    while i < n:
        tok = toks[i]
        if tok.norm in _PREPOSITIONS and not tok.is_cap and not _counts(toks, i + 1):
            segment += 1
            foreign = tok.norm in _FOREIGN_PREPS
        longest = index.first.get(tok.norm, 0)
        found: _Match | None = None
        for length in range(min(longest, n - i), 0, -1):
            window = toks[i:i + length]
            entries = index.phrases.get(tuple(t.norm for t in window))
            if not entries:
                continue
            ok = tuple(e for e in entries if e.accepts(window))
            if ok:
                nxt = toks[i + length].norm if i + length < n else ""
                # "pro-Russia rebels", "an anti-Syria journalist" are not that country's own
                pro = any(t.norm in ("pro", "anti") for t in toks[max(0, i - 2):i])
                # "the Russian language" is a language, not Russia
                found = _Match(i, i + length, ok, segment, foreign, nxt in _BACKED or pro or nxt in ("language", "languages"))
                break
        if found is not None:
            matches.append(found)
            covered.update(range(found.start, found.end))
            i = found.end
        else:
            i += 1
    return _Analysis(tuple(toks), tuple(matches), frozenset(covered))


def _is_number(tok: _Tok) -> bool:
    return tok.norm[0].isdigit() or tok.norm in _QUANTIFIERS


def _counts(toks: Sequence[_Tok], i: int) -> bool:
    """Whether toks[i] starts a quantity, so the preposition before it is part of the count
    ("up to 1,000", "more than 100", "at least 20"), not a new segment."""
    if i >= len(toks):
        return False
    t = toks[i]
    return t.norm[0].isdigit() or t.norm in ("least", "most", "some", "about", "around")


def _name_runs(an: _Analysis) -> list[tuple[int, int]]:
    """Maximal runs of unmatched capitalised tokens that could be a person's name."""
    runs: list[tuple[int, int]] = []
    toks = an.toks
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if (i not in an.covered and t.is_cap and not t.is_sep and t.norm not in _NOT_NAME
                and t.norm not in _HONORIFICS and t.norm not in _FORMER
                and t.norm not in _PREPOSITIONS and t.text[0].isalpha()):
            j = i + 1
            while j < n and j not in an.covered and not toks[j].is_sep and (
                    (toks[j].is_cap and toks[j].norm not in _NOT_NAME)
                    or (toks[j].norm in _NAME_PARTICLES and toks[j].norm != "'s"
                        and j + 1 < n and toks[j + 1].is_cap)):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


class ActorResolver:
    """Resolve actor noun phrases to PLOVER entities using the packaged and user tables."""

    def __init__(self, extra_files: Sequence[Path] = ()) -> None:
        base = _base_index()
        if not extra_files:
            self._index = base
        else:
            self._index = base.copy()
            for path in extra_files:
                for row in load_actor_file(Path(path)):
                    # User rows go first: they override every packaged reading of the pattern.
                    self._index.add(row.pattern, _user_entry(row), front=True)
        self._analyse = lru_cache(maxsize=200_000)(self._analyse_uncached)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the per-process scan cache (for worker processes)."""
        return {"_index": self._index}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._index = state["_index"]
        self._analyse = lru_cache(maxsize=200_000)(self._analyse_uncached)

    # -- public API ----------------------------------------------------------------------

    def resolve(self, span: Span, when: dt.date | None, memory: ArticleMemory) -> Entity | None:
        """Resolve a noun phrase (the contiguous span of an actor phrase: e.g. the head noun with
        its determiners, modifiers, compounds, possessives, appositions and 'of' PPs, without
        conjuncts or relative clauses) to an Entity, or None when it names no country,
        organisation, group, known person or sector. Remembers titled persons in `memory` and
        uses it for bare surnames and pronouns (he/she/they -> None unless a person)."""
        ent = self._resolve(span.text, when, memory)
        first = span[0] if len(span) else None
        if ent is None and first is not None and first.is_sent_start and len(span) > 1 \
                and first.text[:1].isupper() and first.text[1:2].islower():
            # "Young Nigerians rallied": a capital that only starts the sentence is no name
            ent = self._resolve(span.text[:1].lower() + span.text[1:], when, memory)
            if ent is not None:
                ent = dataclasses.replace(ent, entity_text=span.text)
        return ent

    def resolve_text(self, text: str, when: dt.date | None = None,
                     memory: ArticleMemory | None = None) -> Entity | None:
        """Convenience for tests/CLI: resolve a phrase given as a string (tokenise by regex, no
        spaCy)."""
        return self._resolve(text, when, memory if memory is not None else ArticleMemory())

    def country_of(self, word: str) -> str | None:
        """ISO3 for a country name, short form, demonym or capital (one word or phrase), else
        None."""
        an = self._analyse(word)
        content = [i for i, t in enumerate(an.toks) if not t.is_sep and t.norm != "'s"]
        if len(an.matches) != 1 or not content:
            return None
        m = an.matches[0]
        if any(i < m.start or i >= m.end for i in content):
            return None
        for e in m.entries:
            if e.kind in (_COUNTRY, _DEMONYM, _CAPITAL):
                return e.code
        for e in m.entries:  # a user row naming a country ("KSA" -> SAU) also counts
            if e.kind == _USER and e.code and e.code not in _NONSTATE_CODES and not e.sector:
                return e.code
        return None

    def country_name(self, code: str) -> str | None:
        """Canonical English name of an ISO3 code in the table, else None."""
        return self._index.country_names.get(code)

    # -- internals -----------------------------------------------------------------------

    def _analyse_uncached(self, text: str) -> _Analysis:
        return _scan(self._index, _tokenise(text))

    def _resolve(self, text: str, when: dt.date | None, memory: ArticleMemory) -> Entity | None:
        an = self._analyse(text)
        words = [t for t in an.toks if not t.is_sep]
        if not words:
            return None
        if len(words) == 1 and not an.matches:
            if words[0].norm in _PERSON_PRONOUNS and not words[0].text.isupper():
                last = memory.last_person
                return dataclasses.replace(last, entity_text=text) if last else None
            if words[0].norm in _OTHER_PRONOUNS:
                return None
        former = any(t.norm in _FORMER for t in words)
        person = self._person(an, text, when, memory, former)
        if person is not None:
            return person
        group = self._group(an, text, when, former)
        return self._remember_body(words, group, memory, text)

    @staticmethod
    def _remember_body(words: list[_Tok], group: Entity | None, memory: ArticleMemory, text: str) -> Entity | None:
        """Bodies named once with their country are meant by a later bare "the ministry",
        "the junta", "the army" in the same article."""
        head = words[-1].norm
        head = head[:-1] if head.endswith("s") and head[:-1] in _BODY_HEADS else head
        if head not in _BODY_HEADS:
            return group
        if group is not None and group.code is not None and group.sector is not None:
            memory.bodies[head] = group
            return group
        earlier = memory.bodies.get(head)
        if (group is None or group.code is None) and earlier is not None \
                and text.strip().lower().startswith("the ") and len(words) <= 2:
            return dataclasses.replace(earlier, entity_text=text)
        return group

    # persons ----------------------------------------------------------------------------

    def _person(self, an: _Analysis, text: str, when: dt.date | None, memory: ArticleMemory,
                former: bool) -> Entity | None:
        """A named person: officeholder table, article memory, or a title + name in the text."""
        toks = an.toks
        title = self._title_match(an)
        # 1. A name from the officeholder table; the last one in the head of the phrase
        #    ("Putin's spokesman Dmitry Peskov" is Peskov).
        # "Asia Bibi" is not Netanyahu ("Bibi"): a one-word alias right after another
        # capitalised name word belongs to a different person
        people = [m for m in an.matches if m.kind == _PERSON and not m.foreign
                  and not (m.end - m.start == 1 and m.start > 0 and toks[m.start - 1].is_cap
                           and not toks[m.start - 1].is_sep and m.start - 1 not in an.covered)]
        people.sort(key=lambda m: (m.segment, -m.start))
        for m in people[:1]:
            ent = self._officeholder(m, text, when, former)
            if ent is not None and any(
                    s.kind == _SECTOR and s.start >= m.end and s.segment == m.segment
                    and not any(t.is_sep for t in an.toks[m.end:s.start]) for s in an.matches):
                # "the Bush administration", "Assad regime", "Putin's spokesman": the person's
                # country, not the person.
                sector, office = self._sector(an, title_only=False)
                return self._finish(text, ent.code, sector, self._index.country_names.get(
                    ent.code or ""), office, None, former)
            if ent is not None:
                if title is not None and ent.sector is None:
                    ent = self._titled(ent, an, title, former)
                memory.remember(ent.name or text, ent)
                return ent
        runs = _name_runs(an)
        if not runs:
            return None
        # 2. A name already introduced in this article ("Hussein", "Mr. Hussein").
        for start, end in runs:
            name = text[toks[start].start:toks[end - 1].end]
            hit = memory.lookup(name)
            if hit is not None:
                memory.last_person = hit
                return dataclasses.replace(hit, entity_text=text)
        # 3. A new person introduced with a title ("Foreign Minister Fuad Hussein",
        #    "Lavrov, Russia's foreign minister") or a possessive country ("Russia's Ivan Petrov").
        run = self._titled_run(an, runs, title)
        if run is None:
            return None
        start, end = run
        name = text[toks[start].start:toks[end - 1].end]
        code, country_name = self._country(an)
        sector, office = self._sector(an, title_only=False)
        if title is not None and title.entries[0].office:
            office = title.entries[0].office
        org = self._org(an, when)
        if org is not None and code is None:
            code = org.code
            sector = sector or org.sector
        if org is not None and org.sector and (title is None or title.entries[0].skind == "weak"):
            sector = org.sector  # "Wagner chief Yevgeny Prigozhin": the group's sector, not a generic "chief"
        if former:
            sector, office = self._as_former(sector, office)
        ent = Entity(text, code, sector, name, office, None)
        memory.remember(name, ent)
        return ent

    def _title_match(self, an: _Analysis) -> _Match | None:
        """The title word nearest a capitalised name ("General" in "General Kenneth McKenzie")."""
        best = None
        for m in an.matches:
            e = m.entries[0]
            if e.kind != _SECTOR or not e.office:
                continue
            if e.skind == "name_title":
                nxt = an.toks[m.end] if m.end < len(an.toks) else None
                if nxt is None or not nxt.is_cap or nxt.is_sep:
                    continue
            # A real title beats a weak one ("commander, General McKenzie" -> General).
            if best is None or e.skind != "weak" or best.entries[0].skind == "weak":
                best = m
        return best

    def _titled_run(self, an: _Analysis, runs: list[tuple[int, int]],
                    title: _Match | None) -> tuple[int, int] | None:
        """The name run that a title or a possessive country introduces, if any."""
        toks = an.toks
        titles = [m for m in an.matches if m.kind == _SECTOR and m.entries[0].office]
        for start, end in runs:
            prev = start - 1
            while prev >= 0 and toks[prev].norm in _HONORIFICS:
                prev -= 1
            # Title right before the name: "Foreign Minister Fuad Hussein".
            if any(m.end == prev + 1 for m in titles):
                return start, end
            # Apposition: "Fuad Hussein, Iraq's foreign minister" / "the minister, Fuad Hussein".
            if titles and end < len(toks) and toks[end].is_sep and titles[0].start > end:
                return start, end
            if titles and prev >= 0 and toks[prev].is_sep and titles[-1].end <= prev:
                return start, end
            # Possessive country: "Russia's Ivan Petrov" (two or more name words, phrase-final).
            if (prev >= 0 and toks[prev].norm == "'s" and end - start >= 2 and end == len(toks)
                    and any(m.end == prev and m.kind in (_COUNTRY, _CAPITAL)
                            for m in an.matches)):
                return start, end
        return None

    def _officeholder(self, m: _Match, text: str, when: dt.date | None,
                      former: bool) -> Entity | None:
        """Code a table person on ``when``: in office -> that office; after -> ELI; before ->
        country only."""
        rows = [e for e in m.entries if e.kind == _PERSON]
        names = {e.name for e in rows}
        if len(names) > 1:  # an alias shared by several people ("Bush", "Clinton")
            rows = self._shared_alias(rows, when)
            if not rows:
                return None
        rows.sort(key=lambda e: e.start or dt.date.min)
        if when is None:
            open_rows = [e for e in rows if e.end is None]
            row = open_rows[-1] if open_rows else rows[-1]
            ent = self._entity(text, row)
            return self._former(ent) if former else ent
        in_office = [e for e in rows if e.valid_on(when)]
        if in_office and not former:
            return self._entity(text, in_office[-1])
        past = [e for e in rows if e.end is not None and e.end <= when]
        if past or former:
            row = max(past, key=lambda e: e.end or dt.date.min) if past else rows[-1]
            return self._former(self._entity(text, row))
        first = rows[0]
        return Entity(text, first.code, None, first.name, None, first.identifier_id)

    @staticmethod
    def _shared_alias(rows: list[_Entry], when: dt.date | None) -> list[_Entry]:
        """The rows of the one person a shared alias means on ``when``: the only one in office;
        if nobody is, the one who left office last (in 2020 "Bush" is George W. Bush); with
        no date, the one whose office began last. Several in office at once: nobody."""
        def of(name: str | None) -> list[_Entry]:
            return [e for e in rows if e.name == name]

        if when is None:
            return of(max(rows, key=lambda e: e.start or dt.date.min).name)
        current = {e.name for e in rows if e.valid_on(when)}
        if len(current) == 1:
            return of(current.pop())
        if current:
            return []
        past = [e for e in rows if e.end is not None and e.end <= when]
        return of(max(past, key=lambda e: e.end or dt.date.min).name) if past else []

    @staticmethod
    def _entity(text: str, e: _Entry) -> Entity:
        return Entity(text, e.code, e.sector, e.name, e.office, e.identifier_id)

    @staticmethod
    def _former(ent: Entity) -> Entity:
        sector, office = ActorResolver._as_former(ent.sector, ent.office)
        return dataclasses.replace(ent, sector=sector, office=office)

    @staticmethod
    def _as_former(sector: str | None, office: str | None) -> tuple[str | None, str | None]:
        """A former state officeholder is ELI, with the office marked "former"."""
        if sector in _STATE_SECTORS or sector is None:
            if office and not office.lower().startswith("former "):
                office = "former " + office
            return "ELI", office
        return sector, office

    def _titled(self, ent: Entity, an: _Analysis, title: _Match, former: bool) -> Entity:
        """Fill sector and office of a known-but-out-of-table-range person from the text's title."""
        sector, office = self._sector(an, title_only=False)
        if former:
            sector, office = self._as_former(sector, office)
        return dataclasses.replace(ent, sector=sector, office=title.entries[0].office or office)

    # groups -----------------------------------------------------------------------------

    def _group(self, an: _Analysis, text: str, when: dt.date | None,
               former: bool) -> Entity | None:
        """Organisation, country + sector, bare country or bare sector."""
        code, cname = self._country(an)
        sector, office = self._sector(an, title_only=False)
        org_match = self._org_match(an, when)
        if org_match is not None and sector is None and office is None and code is not None \
                and _foreign_head(an, org_match[0]):
            return None  # "Sweden's NATO membership bid": a country's thing, the organisation qualifies it
        if org_match is not None:
            m, org = org_match
            country_first = self._country_match(an)
            if (country_first is not None and country_first.start < m.start
                    and country_first.entries[0].code != org.code):
                if org.code in _NONSTATE_CODES:
                    # "Iran's UN ambassador": the country's official at the organisation.
                    if sector is not None and any(s.start > m.start for s in an.matches
                                                  if s.kind == _SECTOR):
                        return self._finish(text, code, sector, cname, office, None, former)
                elif org.kind == _ORG:
                    # "Russian Defence Ministry", "Iraqi Hezbollah": that country's institution.
                    return self._finish(text, code, org.sector or sector, cname, office, None,
                                        former)
            osector = org.sector or sector
            return self._finish(text, org.code, osector, org.name, office if not org.sector
                                else (org.office or office), org.identifier_id, former)
        named = self._named_body(an, text)
        if code is not None:
            cm = self._country_match(an)
            if sector is None and office is None and named is None and cm is not None and _foreign_head(an, cm):
                return None  # "the Korean film", "a Chinese panda": a country's thing, not a party
            if sector is None and cm is not None and cm.kind == _CAPITAL:
                sector = "GOV"
            elif sector is None and cm is not None and self._counted_people(an, cm):
                sector = "CVL"
            return self._finish(text, code, sector, named or cname, office, None, former)
        if sector is None and any(self._ethnic(an, m) for m in an.matches):
            sector = "CVL"  # "ethnic Turks": a people with no state affiliation
        if sector is not None:
            return self._finish(text, None, sector, named, office, None, former)
        return None

    @staticmethod
    def _named_body(an: _Analysis, text: str) -> str | None:
        """The name of a body given right after its sector noun, at the end of the phrase
        ("the opposition newspaper La Prensa" -> "La Prensa")."""
        toks = an.toks
        for start, end in _name_runs(an):
            if end == len(toks) and any(m.end == start and m.kind == _SECTOR
                                        and m.entries[0].skind == "noun"
                                        and not m.entries[0].office for m in an.matches):
                return text[toks[start].start:toks[end - 1].end]
        return None

    def _finish(self, text: str, code: str | None, sector: str | None, name: str | None,
                office: str | None, identifier_id: str | None, former: bool) -> Entity:
        if former and sector is not None:
            sector, office = self._as_former(sector, office)
        return Entity(text, code, sector, name, office, identifier_id)

    def _country_match(self, an: _Analysis) -> _Match | None:
        """The phrase's own country: head segment first, then of/from/in segments."""
        cands = [m for m in an.matches
                 if m.kind in _PLACE_KINDS and not m.foreign and not m.backed
                 and not self._ethnic(an, m) and not _surname(an, m)]
        cands += [m for m in an.matches if m.kind == _USER and not m.foreign and not m.backed
                  and m.entries[0].sector is None and m.entries[0].code
                  and m.entries[0].code not in _NONSTATE_CODES and not m.entries[0].office]
        if not cands:
            return None
        # A region yields to a country named in the same segment ("Pakistan's Sindh province").
        return min(cands, key=lambda m: (m.segment, m.kind == _REGION, m.start))

    @staticmethod
    def _ethnic(an: _Analysis, m: _Match) -> bool:
        """Whether a demonym is an ethnicity ("ethnic Turks"), not a nationality."""
        return m.kind == _DEMONYM and m.start > 0 and an.toks[m.start - 1].norm in _ETHNIC

    @staticmethod
    def _counted_people(an: _Analysis, m: _Match) -> bool:
        """Whether a people noun is counted or located ("hundreds of Palestinians", "a Turk",
        "Palestinians in Gaza"), which makes it civilians rather than the nation."""
        if not any(e.people for e in m.entries):
            return False
        after = an.toks[m.end].norm if m.end < len(an.toks) else None
        if after is not None and after not in _PEOPLE_PLACE and not an.toks[m.end].is_sep:
            return False  # "two Israeli air raids": the demonym modifies another noun
        if any(_is_number(t) for t in an.toks[:m.start] if not t.is_sep):
            return True
        return after in _PEOPLE_PLACE

    def _country(self, an: _Analysis) -> tuple[str | None, str | None]:
        m = self._country_match(an)
        if m is None:
            return None, None
        e = m.entries[0]
        return e.code, e.name or self._index.country_names.get(e.code or "")

    def _org_match(self, an: _Analysis, when: dt.date | None) -> tuple[_Match, _Entry] | None:
        """The first organisation or user entity valid on ``when`` (head segment first)."""
        best: tuple[_Match, _Entry] | None = None
        for m in an.matches:
            if m.foreign or m.backed or m.kind not in (_USER, _ORG):
                continue
            entries = [e for e in m.entries if e.kind in (_USER, _ORG)]
            valid = [e for e in entries if e.valid_on(when)]
            if when is None:
                undated = [e for e in valid if e.start is None and e.end is None]
                valid = undated or sorted(valid, key=lambda e: e.start or dt.date.min)[-1:]
            else:
                dated = [e for e in valid if e.start is not None or e.end is not None]
                valid = dated or valid
            if not valid:
                continue
            e = valid[0]
            if e.kind == _USER and e.code and e.code not in _NONSTATE_CODES and not e.sector \
                    and not e.name:
                continue  # a user alias for a country: handled as a country
            if best is None or m.segment < best[0].segment:
                best = (m, e)
        return best

    def _org(self, an: _Analysis, when: dt.date | None) -> _Entry | None:
        found = self._org_match(an, when)
        return found[1] if found else None

    def _sector(self, an: _Analysis, *, title_only: bool) -> tuple[str | None, str | None]:
        """The phrase's sector: the last strong sector word of the head segment, else the first
        strong one later, else a weak one ("army spokesman" -> MIL, "spokesman" -> GOV)."""
        strong: list[_Match] = []
        weak: list[_Match] = []
        for m in an.matches:
            if m.kind != _SECTOR or m.foreign:
                continue
            e = m.entries[0]
            if e.skind == "name_title":
                nxt = an.toks[m.end] if m.end < len(an.toks) else None
                if nxt is None or not nxt.is_cap or nxt.is_sep:
                    continue
            (weak if e.skind == "weak" else strong).append(m)
        chosen = None
        head = [m for m in strong if m.segment == 0]
        if head:
            chosen = head[-1]
        elif strong:
            chosen = strong[0]
        elif weak:
            wh = [m for m in weak if m.segment == 0]
            chosen = wh[-1] if wh else weak[0]
        if chosen is None:
            return None, None
        e = chosen.entries[0]
        if e.sector == "MIL" and any(m.end == chosen.start and m.kind == _SECTOR
                                     and m.entries[0].sector == "COP" for m in an.matches):
            # A military rank held in the police ("Police Colonel", "police Maj. Gen.") is COP.
            return "COP", e.office
        office = e.office if e.skind in ("title", "name_title") or e.office else None
        if title_only and not office:
            return None, None
        return e.sector, office
