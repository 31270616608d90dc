"""The trigger lexicon: words and dependency patterns that express PLOVER events.

The table lives in ``dyads/data/triggers.tsv`` (written for dyads from the PLOVER manual
and the CAMEO descriptions); this module loads it once and matches it against tokens.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from spacy.tokens import Token

# PLOVER quad categories (manual, "Quad category" of each type).
QUAD: dict[str, int] = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3,
    "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}

# PLOVER conflict-cooperation scores (manual, table "PLOVER conflict--cooperation scores").
# The manual prints ACCUSE's base score as +3, which contradicts its modes (-2 to -3.5) and
# its verbal-conflict quad; we use -3.
_SCALE: dict[str, float] = {
    "AGREE": 2.5, "CONSULT": 2.5, "CONSULT:visit": 4, "CONSULT:third-party": 1,
    "CONSULT:multilateral": 4, "CONSULT:phone": 1.5, "SUPPORT": 5, "CONCEDE": 4.5,
    "COOPERATE": 9.5, "AID": 10, "RETREAT": 6.5, "RETREAT:withdraw": 8, "RETREAT:release": 6.5,
    "RETREAT:disarm": 10, "RETREAT:ceasefire": 7.5, "RETREAT:access": 6.5, "RETREAT:resign": 4.5,
    "REQUEST": 0, "REQUEST:assist": 0.5, "REQUEST:change": -1, "REQUEST:yield": -1,
    "REQUEST:meet": 0, "ACCUSE": -3, "ACCUSE:disapprove": -2, "ACCUSE:investigate": -3.5,
    "ACCUSE:allege": -3.5, "REJECT": -2, "REJECT:assist": -1.5, "REJECT:change": -2,
    "REJECT:yield": -2, "REJECT:meet": -2, "THREATEN": -3.5, "THREATEN:restrict": -3,
    "THREATEN:arrest": -3.5, "THREATEN:relations": -3.5, "THREATEN:expel": -3.5,
    "THREATEN:territory": -4, "THREATEN:violence": -3.5, "PROTEST": -5, "PROTEST:demo": -5,
    "PROTEST:riot": -7, "PROTEST:strike": -5, "PROTEST:hunger": -4.5, "PROTEST:boycott": -4.5,
    "PROTEST:obstruct": -4.5, "SANCTION": -6, "SANCTION:convict": -6, "SANCTION:expel": -5.5,
    "SANCTION:withdraw": -6, "SANCTION:discontinue": -6, "MOBILIZE": -5.5,
    "MOBILIZE:troops": -6.5, "MOBILIZE:weapons": -6.5, "MOBILIZE:police": -5.5,
    "MOBILIZE:militia": -6, "COERCE": -7, "COERCE:seize": -7, "COERCE:restrict": -7,
    "COERCE:censor": -6.5, "COERCE:curfew": -6.5, "COERCE:martial-law": -7.5,
    "COERCE:arrest": -7, "COERCE:deport": -7, "COERCE:withhold": -7,
    "COERCE:misinformation": -6.5, "COERCE:cyber": -7, "ASSAULT": -9, "ASSAULT:abduct": -8.5,
    "ASSAULT:beat": -7.5, "ASSAULT:torture": -8.5, "ASSAULT:sexual": -8.5,
    "ASSAULT:targeted": -9.5, "ASSAULT:destroy": -8.5, "ASSAULT:primitive": -8,
    "ASSAULT:firearms": -9, "ASSAULT:explosives": -9, "ASSAULT:suicide-attack": -9.5,
    "ASSAULT:aerial": -9.5, "ASSAULT:drone": -9.5, "ASSAULT:heavy-weapons": -9.5,
    "ASSAULT:crowd-control": -7.5, "ASSAULT:unconventional": -10,
}

# Where a type's recipient usually stands when the entry does not say ("met with X").
DEFAULT_RPREPS: dict[str, tuple[str, ...]] = {
    "AGREE": ("with",), "CONSULT": ("with",), "SUPPORT": ("for",), "CONCEDE": ("to",),
    "COOPERATE": ("with",), "AID": ("to", "for"), "RETREAT": ("from",), "REQUEST": (),
    "ACCUSE": (), "REJECT": (), "THREATEN": ("against",), "PROTEST": ("against",),
    "SANCTION": ("on", "against", "to"), "MOBILIZE": ("against",), "COERCE": (),
    "ASSAULT": ("on", "against"),
}


def event_scale(event: str, mode: str | None) -> float:
    """The PLOVER score of a type and mode, falling back to the type's base score."""
    return float(_SCALE.get(f"{event}:{mode}", _SCALE[event]))


@dataclass(frozen=True, slots=True)
class Trigger:
    """One lexicon entry."""

    pattern: tuple[str, ...]
    pos: str  # "V" or "N"
    plover: str | None  # None for control verbs that only shape their complement
    mode: str | None
    cameo: str | None
    context: tuple[str, ...]
    obj_is_recipient: bool = True
    rpreps: tuple[str, ...] = ()
    swap: bool = False
    light: bool = False
    ctrl: str | None = None
    needobj: frozenset[str] | None = None  # lemmas; {"-"}: any object; {"0"}: no object
    hostswap: bool = False  # "X hosted Y": the visitor Y is the actor, the host X the recipient
    sym: bool = False  # "X clashed with Y": reciprocal, all sides are actors
    needcomp: bool = False  # fires only with an infinitival or clausal complement
    needgov: frozenset[str] | None = None  # nouns: fires only under one of these verbs

    @property
    def head(self) -> str:
        return self.pattern[0] if self.pos == "V" else self.pattern[-1]

    @property
    def extra(self) -> tuple[str, ...]:
        return self.pattern[1:] if self.pos == "V" else self.pattern[:-1]


def _parse_flags(text: str) -> dict[str, str]:
    flags: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.partition("=")
        flags[key] = value
    return flags


def parse_lexicon(lines: Iterable[str]) -> list[Trigger]:
    """Parse the TSV lines of a trigger lexicon (comments and the header skipped)."""
    entries: list[Trigger] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#") or line.startswith("pattern\t"):
            continue
        cols = line.rstrip("\n").split("\t")
        cols += [""] * (7 - len(cols))
        pattern, pos, plover, mode, cameo, context, flags_text = cols[:7]
        if pos not in ("V", "N"):
            raise ValueError(f"triggers.tsv line {lineno}: pos must be V or N, got {pos!r}")
        flags = _parse_flags(flags_text)
        need = flags.get("needobj")
        rpreps = tuple(flags["rprep"].split("|")) if "rprep" in flags else ()
        ptype = None if plover in ("", "-") else plover
        if ptype is not None and ptype not in QUAD:
            raise ValueError(f"triggers.tsv line {lineno}: unknown PLOVER type {plover!r}")
        entries.append(
            Trigger(
                pattern=tuple(pattern.lower().split()),
                pos=pos,
                plover=ptype,
                mode=mode or None,
                cameo=cameo or None,
                context=tuple(c for c in context.split("|") if c),
                obj_is_recipient=flags.get("obj") != "0",
                rpreps=rpreps or (DEFAULT_RPREPS.get(ptype, ()) if ptype else ()),
                swap="swap" in flags,
                light="light" in flags,
                ctrl=flags.get("ctrl") or None,
                needobj=frozenset(need.split("|")) if need else None,
                hostswap="hostswap" in flags,
                sym="sym" in flags,
                needcomp="needcomp" in flags,
                needgov=frozenset(flags["needgov"].split("|")) if flags.get("needgov") else None,
            )
        )
    return entries


class Lexicon:
    """Trigger entries indexed by head lemma, matched against parsed tokens."""

    def __init__(self, entries: Iterable[Trigger]) -> None:
        self.verbs: dict[str, list[Trigger]] = {}
        self.nouns: dict[str, list[Trigger]] = {}
        for entry in entries:
            table = self.verbs if entry.pos == "V" else self.nouns
            table.setdefault(entry.head, []).append(entry)
        # Longest patterns first so "pull out" wins over "pull".
        for table in (self.verbs, self.nouns):
            for key in table:
                table[key].sort(key=lambda e: -len(e.pattern))

    def match_verb(self, tok: "Token") -> tuple[Trigger, tuple["Token", ...]] | None:
        """The longest verb entry whose words and object constraint fit this verb."""
        entries = self.verbs.get(tok.lemma_.lower())
        if not entries:
            return None
        near = _near_words(tok)
        obj = direct_object(tok)
        alt = None
        if obj is None:
            # "allowed the first aid trucks to enter Gaza": the complement's subject is the object
            comp = next((c for c in tok.children if c.dep_ in ("ccomp", "xcomp")), None)
            alt = next((g for g in comp.children if g.dep_ == "nsubj"), None) if comp is not None else None
        if obj is not None and obj.lower_ in ("which", "that", "whom") and tok.dep_ == "relcl":
            obj = tok.head  # "the agreement, which Iran and China signed": the antecedent is the object
        particles = {c.lemma_.lower() for c in tok.children if c.dep_ == "prt"}
        has_comp = any(c.dep_ in ("xcomp", "ccomp") or (c.dep_ == "advcl" and any(
            a.dep_ == "aux" and a.lower_ == "to" for a in c.children)) for c in tok.children) or any(
            g.dep_ == "advcl" for c in tok.children if c.dep_ == "prep" for g in c.children)
        for entry in entries:
            if entry.needcomp and not has_comp:
                continue
            matched = _match_extra(entry.extra, near)
            if matched is None:
                continue
            if particles and not particles & set(entry.extra):
                continue  # "backed away" is not "back": a particle makes another verb
            ids = {w.i for w in matched}
            if any(w.dep_ == "prep" for w in matched) and any(
                    m.head.i != tok.i and m.head.i not in ids for m in matched):
                continue  # "withdraw from X" needs X under that "from", not under another PP
            # "broke into the email accounts": a pattern's preposition carries the object
            prep_obj = next((g for w in matched if w.dep_ == "prep" for g in w.children if g.dep_ == "pobj"), None)
            listed = bool(entry.needobj) and not entry.needobj & {"0", "-"}
            if not _object_fits(entry, obj, matched) and not (
                    listed and alt is not None and _object_fits(entry, alt, matched)) and not (
                    listed and obj is None and prep_obj is not None and _object_fits(entry, prep_obj, matched)):
                continue
            return entry, (tok, *matched)
        return None

    def _of_pattern(self, tok: "Token") -> tuple[Trigger, tuple["Token", ...]] | None:
        """Patterns whose head is an "of" phrase ("state of emergency"): written with the
        last word as head, they are matched from the first ("declared a state of emergency")."""
        for prep in tok.children:
            if prep.dep_ != "prep" or prep.lower_ != "of":
                continue
            for pobj in prep.children:
                if pobj.dep_ != "pobj":
                    continue
                for entry in self.nouns.get(pobj.lemma_.lower(), ()):
                    if entry.extra == (tok.lemma_.lower(), "of"):
                        return entry, (tok, prep, pobj)
                if tok.lemma_.lower() in _MEASURE_NOUNS:
                    # "held a 19th round of talks", "two days of talks": the measured event
                    inner = self.match_noun(pobj)
                    if inner is not None:
                        return inner[0], (tok, prep, *inner[1])
        return None

    def match_noun(self, tok: "Token") -> tuple[Trigger, tuple["Token", ...]] | None:
        """The longest noun entry whose modifiers fit this noun."""
        entries = self.nouns.get(tok.lemma_.lower()) or self.nouns.get(tok.lower_)
        mods = {c.lemma_.lower(): c for c in tok.children if c.dep_ in ("compound", "amod", "nmod")}
        of_pattern = self._of_pattern(tok)
        if of_pattern is not None:
            return of_pattern
        if not entries and tok.lemma_.lower() in CARRIER_NOUNS:
            # "a mediation effort", "a peace mission": the modifier names the event.
            for word, mod in mods.items():
                inner = self.nouns.get(word)
                if inner and mod.dep_ == "compound":
                    return inner[-1], (mod, tok)
            return None
        if not entries:
            return None
        for entry in entries:
            if entry.needgov is not None and tok.head.lemma_.lower() not in entry.needgov:
                continue  # "presented evidence" is an accusation; "has evidence" is not
            if all(w in mods for w in entry.extra):
                if entry.pattern == ("strike",) and entry.plover == "ASSAULT" and _labour_strike(tok):
                    return LABOUR_STRIKE, (tok,)
                return entry, (*(mods[w] for w in entry.extra), tok)
        return None


LABOUR_STRIKE = Trigger(pattern=("strike",), pos="N", plover="PROTEST", mode="strike", cameo="143",
                        context=("labor",), rpreps=("against",))
_LABOUR_WORDS = frozenset('''
union worker employee staff teacher doctor nurse driver miner docker farmer pilot labourer
laborer lawyer student trader transporter federation confederation
'''.split())
_LABOUR_VERBS = frozenset("call stage hold organise organize end suspend begin start announce threaten".split())


def _labour_strike(tok: "Token") -> bool:
    """A bare "strike" that is a work stoppage, not an attack: "went on strike", "called a
    strike at Lufthansa over pay", "teachers staged a strike". A strike "on"/"against" a
    target stays an attack."""
    def targets(node: "Token") -> bool:  # "on Kyiv", not "on Wednesday"
        return any(c.dep_ == "prep" and c.lower_ in ("on", "against") and c.i != tok.head.i and any(
            g.dep_ == "pobj" and g.ent_type_ not in _TIME_ENTS for g in c.children) for c in node.children)

    preps = {c.lower_ for c in tok.children if c.dep_ == "prep"}
    head = tok.head
    if targets(tok) or (head.i != tok.i and targets(head)):
        return False
    if tok.dep_ == "pobj" and head.lower_ == "on" and head.head.lemma_.lower() in ("go", "be", "remain", "stay", "continue"):
        return True  # "went on strike"
    if preps & {"over", "at", "for"}:
        return True  # "a strike at Lufthansa over pay"
    verb = head if tok.dep_ in ("dobj", "nsubjpass") else None
    if verb is None:
        return False
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subj is not None and (subj.lemma_.lower() in _LABOUR_WORDS or any(
            c.lemma_.lower() in _LABOUR_WORDS for c in subj.children if c.dep_ in ("compound", "amod"))):
        return True  # "teachers staged a strike", "the transport union called a strike"
    return False


# Nouns that measure an event in an "of" phrase ("a round of talks", "days of protests").
_MEASURE_NOUNS = frozenset("round series day week month session wave spate string package raft set batch".split())
# Nouns that carry an event named by their modifier ("mediation effort", "rescue mission").
CARRIER_NOUNS = frozenset("effort mission bid initiative attempt campaign drive operation process plan package".split())
_TIME_ENTS = frozenset(("DATE", "TIME"))


def _near_words(tok: "Token") -> dict[str, "Token"]:
    """Children and grandchildren of a verb that may complete a multiword pattern."""
    near: dict[str, Token] = {}
    for child in tok.children:
        if child.dep_ in ("prt", "prep", "dobj", "advmod", "acomp", "oprd", "dative", "ccomp", "xcomp"):
            if child.dep_ == "prep" and any(g.ent_type_ in _TIME_ENTS for g in child.children if g.dep_ == "pobj"):
                continue  # "on Sunday" is a date, not the particle of "call on"
            near.setdefault(child.lemma_.lower(), child)
            if child.dep_ in ("prep", "dobj"):
                for grand in child.children:
                    if grand.dep_ in ("pobj", "dobj", "compound", "amod"):
                        near.setdefault(grand.lemma_.lower(), grand)
    return near


def _match_extra(extra: tuple[str, ...], near: dict[str, "Token"]) -> tuple["Token", ...] | None:
    out = []
    for word in extra:
        tok = near.get(word)
        if tok is None:
            return None
        out.append(tok)
    return tuple(out)


def direct_object(tok: "Token") -> "Token | None":
    """The verb's direct object (or the passive subject, which is the same role)."""
    for child in tok.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            return child
    return None


def _object_fits(entry: Trigger, obj: "Token | None", matched: tuple["Token", ...]) -> bool:
    if entry.needobj is None:
        return True
    if "0" in entry.needobj:
        return obj is None
    if obj is None:
        return False
    if "-" in entry.needobj:
        return True
    if "territory" in entry.needobj and obj.ent_type_ in ("GPE", "LOC"):
        return True  # "hand over Kalbajar": a named place is territory
    if "PERSON" in entry.needobj and obj.ent_type_ == "PERSON":
        return True  # "received Yevgeny Prigozhin": a named person
    words = {base_lemma(obj)}
    # "thousands of troops", "two Iranian diplomats": look through quantities to the noun.
    for child in obj.children:
        if child.dep_ == "prep" and (child.lower_ == "of" or (child.lower_ == "to" and words == {"access"})):
            # "blocked access to YouTube": what access is blocked to
            words.update(base_lemma(g) for g in child.children if g.dep_ == "pobj")
        if child.dep_ == "acl" and child.lemma_.lower() in ("load", "carry", "lade", "pack", "fill"):
            # "ships loaded with tents and medical equipment": the cargo decides
            words.update(base_lemma(g) for p in child.children if p.dep_ == "prep" and p.lower_ == "with"
                         for g in p.subtree if g.pos_ == "NOUN")
            words.update(base_lemma(g) for g in child.children if g.dep_ == "dobj")
        if child.dep_ in ("compound", "conj", "nmod"):
            words.add(base_lemma(child))  # "electricity and water supplies"
            words.update(base_lemma(g) for g in child.children if g.dep_ == "conj")
    return bool(words & entry.needobj)


def base_lemma(tok: "Token") -> str:
    """The lower-case lemma, with the plural taken off a common noun the tagger mistook
    for a name ("Rockets were fired ..." at the start of a sentence keeps "rockets")."""
    lemma = tok.lemma_.lower()
    if tok.pos_ == "PROPN" and lemma == tok.lower_ and len(lemma) > 3 and lemma.endswith("s") and not lemma.endswith("ss"):
        return lemma[:-1]
    return lemma


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged trigger lexicon, loaded once."""
    text = resources.files("dyads").joinpath("data/triggers.tsv").read_text("utf-8")
    return Lexicon(parse_lexicon(text.splitlines()))
