"""Article -> coded events: the pure function at the heart of dyads.

``Coder.code`` takes articles and returns plain records, so it runs the same in
this process, in worker processes or on a cluster. Nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Iterator, Protocol, Sequence

from dyads.extract.events import Candidate, clause_head, find_candidates
from dyads.extract.lexicon import QUAD, Lexicon, event_scale, load_lexicon
from dyads.resolve import dates as dates_mod
from dyads.resolve.places import find_event_place, sentence_ents
from dyads.settings import Settings
from dyads.types import Article, Entity, Event, Location, Modality, Rejection, TextInfo

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

    from dyads.resolve.actors import ArticleMemory


class ActorResolving(Protocol):
    """What the coder needs from an actor resolver (tests may pass a fake)."""

    def resolve(self, span: "Span", when: dt.date | None, memory: "ArticleMemory") -> Entity | None: ...


@dataclass(frozen=True, slots=True)
class Coded:
    """The result of coding one article."""

    article: Article
    events: tuple[Event, ...]
    rejections: tuple[Rejection, ...] = ()


# Phrase parts that are not part of an actor's name: conjuncts, clauses, most PPs.
_PHRASE_CUT = frozenset("conj cc relcl acl advcl punct prep ccomp dep parataxis".split())
SPEAKER_PRONOUNS = frozenset("it its they their we our he his she her".split())
# "Israel said a mortar was fired at it": an object pronoun in a report is the speaker.
_SPEAKER_OBJECTS = frozenset("it us him her".split())

# PLOVER: some types change with modality ("announced ... would withdraw" is CONCEDE,
# a promise to help is AGREE, a stated intent to use force is THREATEN).
_FUTURE_TYPE = {"RETREAT": "CONCEDE", "CONSULT": "AGREE", "SUPPORT": "AGREE", "COOPERATE": "AGREE", "AID": "AGREE",
                "ASSAULT": "THREATEN", "SANCTION": "THREATEN", "COERCE": "THREATEN",
                "PROTEST": "THREATEN", "MOBILIZE": "THREATEN"}
_THREAT_MODE = {"ASSAULT": "violence", "SANCTION": "restrict", "COERCE": "arrest", "PROTEST": "restrict",
                "MOBILIZE": "violence"}
_COOPERATIVE = frozenset("AGREE CONSULT SUPPORT CONCEDE COOPERATE AID RETREAT".split())
_REJECT_MODE = {"CONSULT": "meet", "AID": "assist", "COOPERATE": "assist", "SUPPORT": "assist",
                "RETREAT": "yield", "CONCEDE": "yield", "AGREE": "change"}
_VISITORS = frozenset("GOV ELI LEG JUD PTY OPP".split())
_STATE = frozenset("GOV COP MIL JUD LEG SPY".split())
_NON_STATE = frozenset("IGO NGO IMG MNC".split())
_SELF_REFERENCES = frozenset(f"the {w}" for w in "group movement organisation organization party alliance coalition".split())
_MOTION_VERBS = frozenset("arrive travel fly".split())
_NON_VISITORS = frozenset("CVL BUS JRN EDU MED AGR REF CRM UNK UAF LAB".split())
_FACILITY_SECTORS = frozenset("EDU MED BUS".split())


def _can_visit(actor: Entity, verb: str) -> bool:
    """Who makes a diplomatic visit: officials, envoys, armed or religious leaders, bodies;
    not tourists, artists or companies. Arriving and travelling also need an office."""
    if verb in _MOTION_VERBS:
        return actor.sector in _VISITORS or (actor.sector is None and bool(actor.office or actor.identifier_id))
    if actor.sector:
        return actor.sector not in _NON_VISITORS
    return bool(actor.office or actor.identifier_id) or actor.code in ("IGO", "NGO")
# Sports, markets and other non-political prose share verbs with events ("beat", "attack").
# Words that only sports or markets use, one is enough; and words that need company.
_SPORTS_STRONG = frozenset(
    "league championship tournament striker midfielder goalkeeper innings wicket wickets "
    "batsman batsmen bowler olympics medal tennis football soccer cricket rugby basketball baseball "
    "nba nfl fifa uefa nasdaq playoff playoffs semi-final semifinal quarter-final hockey boxer "
    "sprinter referee umpire doping overtime grandmaster chess checkmate esports semi-finals "
    "quarter-finals semis gymnast swimmer cyclist skier jockey golfer footballer cricketer".split())
_SPORTS = frozenset(
    "match goal goals scored score cup coach captain defender season final stadium fans race "
    "lap team shares stocks index dow earnings quarterly revenue profit squad test player "
    "victory champion title runner draw game card cards penalty penalties forward winger "
    "pawn rook".split())
# Competitions are names, so they are matched as written ("World Cup", not "world cup").
_COMPETITIONS = re.compile(
    r"\b(World Cup|Six Nations|Olympic Games|Olympics|Grand Prix|Champions League|Premier League|"
    r"Cup of Nations|Copa America|Super Bowl|Wimbledon|Tour de France|Oscars?|Grammys?|"
    r"Ryder Cup|Davis Cup|Formula One|La Liga|Serie A|Bundesliga|Euro 20\d\d)\b")
_SPORTS_PROOF = frozenset("PROTEST SANCTION".split())
_SCORE = re.compile(r"\b\d{1,3}-\d{1,3}\b")
_ROUNDS = re.compile(r"\b(semi|quarter)[\s-]*finals?\b", re.IGNORECASE)
# A score decides only for types a match report can look like (a 13-2 vote is politics).
_SCORE_TYPES = frozenset("ASSAULT CONSULT AGREE COERCE".split())
_SPEECH_COMPLEMENTS = frozenset("comment elaborate speculate confirm specify respond answer".split())


def _not_political(cand: Candidate, sent: "Span") -> bool:
    """Questions, sports and market prose, and refusals to comment are not events."""
    if sent.text.rstrip().endswith("?"):
        return True
    if any(t.lemma_.lower() in _SPEECH_COMPLEMENTS for t in (sent.doc[i] for i in cand.trigger)):
        return True
    anchor = sent.doc[cand.anchor]
    if any(c.dep_ == "xcomp" and c.lemma_.lower() in _SPEECH_COMPLEMENTS for c in anchor.children):
        return True  # "declined to comment"
    # proper names don't count: "Arab League" is not sport
    if cand.event in _SPORTS_PROOF:
        return False  # a protest at the Olympics, a boycott of the World Cup are politics
    lower = [t for t in sent if not t.text[:1].isupper()]
    strong = any(t.lower_ in _SPORTS_STRONG or t.lemma_.lower() in _SPORTS_STRONG for t in lower)
    weak = {t.lemma_.lower() for t in lower if t.pos_ in ("NOUN", "ADV") and (t.lower_ in _SPORTS or t.lemma_.lower() in _SPORTS)}
    if strong or len(weak) >= 2 or _COMPETITIONS.search(sent.text) or _ROUNDS.search(sent.text):
        return True
    if _SCORE.search(sent.text) and cand.event in _SCORE_TYPES:
        return True  # "France beat Belgium 1-0"
    return False


_PRIVATE_PEOPLE = frozenset(
    "man woman boy girl teenager husband wife father mother son daughter neighbour neighbor "
    "driver student pupil tourist resident".split())


def _private_violence(cand: Candidate, doc: "Doc", actors: Sequence[Entity], recipients: Sequence[Entity]) -> bool:
    """One private person attacking private people, named only as "a man" or "a teenager"."""
    if not cand.actors or any(doc[i].lemma_.lower() not in _PRIVATE_PEOPLE for i in cand.actors):
        return False
    return all(a.sector in (None, "CVL") for a in actors) and all(r.sector in (None, "CVL") for r in recipients)


# Reactions to an earlier act: "Moscow condemned the measures" answers whoever took them.
_REACTIONS = frozenset("ACCUSE REJECT SUPPORT REQUEST THREATEN PROTEST CONCEDE".split())
# Nouns that point back at an earlier event, with the types they can refer to (None: any).
_REFERRING_NOUNS: dict[str, frozenset[str] | None] = {
    "measure": frozenset({"SANCTION", "COERCE"}), "sanction": frozenset({"SANCTION"}),
    "attack": frozenset({"ASSAULT"}), "strike": frozenset({"ASSAULT"}), "killing": frozenset({"ASSAULT"}),
    "raid": frozenset({"ASSAULT", "COERCE"}), "arrest": frozenset({"COERCE"}), "expulsion": frozenset({"SANCTION", "COERCE"}),
    "deal": frozenset({"AGREE", "SUPPORT"}), "agreement": frozenset({"AGREE", "SUPPORT"}), "ban": frozenset({"COERCE", "SANCTION"}),
    "move": None, "decision": None, "step": None, "action": None, "announcement": None,
}


def _earlier_actors(anchor: "Token", actors: Sequence[Entity], memory: "ArticleMemory") -> list[Entity]:
    """The actors of the earlier event a definite noun points back to ("the measures", "the
    move"), when the reaction names no one else; never the reacting party itself."""
    holders = [anchor, *(c for c in anchor.children if c.dep_ == "xcomp")]  # "vowed to retaliate for the attack"
    obj = next((c for c in anchor.children if c.dep_ == "dobj"), None) or next(
        (g for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in ("against", "over", "to", "about", "for")
         for g in c.children if g.dep_ == "pobj"), None)
    if obj is None or obj.lemma_.lower() not in _REFERRING_NOUNS:
        return []
    if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "these", "that", "those") for c in obj.children):
        return []
    if any(c.dep_ in ("poss", "compound", "nmod") or c.ent_type_ or (c.dep_ == "prep" and c.lower_ in ("by", "of", "from"))
           for c in obj.children):
        return []  # "Russia's attack", "the attack by Hamas": the phrase names its own party
    wanted = _REFERRING_NOUNS[obj.lemma_.lower()]
    own = {(a.code, a.sector) for a in actors}
    for event_type, earlier in reversed(memory.events):
        if wanted is not None and event_type not in wanted:
            continue
        parties = [replace(a, entity_text=obj.text) for a in earlier if (a.code, a.sector) not in own and a.code]
        if parties:
            return parties
        break
    return []


def _same_party(a: Entity, b: Entity) -> bool:
    """The recipient is the actor itself (same code and sector), unless the two are differently
    named people ("Sisi met Foreign Minister Shoukry")."""
    if (a.code, a.sector) != (b.code, b.sector):
        return False
    two_people = bool(a.name and b.name and a.name != b.name
                      and (a.office or b.office or a.identifier_id or b.identifier_id))
    return not two_people


def _business_only(actors: Sequence[Entity], recipients: Sequence[Entity]) -> bool:
    """Companies dealing with companies ("Microsoft agreed to acquire Activision", "Samsung
    sued Apple") are business news, not political events; a company facing a state, a union
    or the public stays in."""
    def business(e: Entity) -> bool:
        return (e.sector == "BUS" and e.code != "IGO") or e.code == "MNC"
    return bool(actors) and all(business(a) for a in actors) and all(business(r) for r in recipients)


_OWNER_PREPS = frozenset("by of for against from with between".split())
_LINKED = frozenset("link tie connect belong affiliate associate".split())
# MOBILIZE is left out: its recipient is whom the force threatens, if the text says (manual).
_PLACE_IS_TARGET = frozenset("COERCE CONCEDE AID SANCTION ASSAULT PROTEST".split())
_MATERIAL_THREATS = frozenset("violence restrict arrest".split())  # "threatened a curfew in Algiers"


def _by_modality(cand: Candidate) -> tuple[str, str | None, bool, str]:
    """PLOVER's type changes under modality: (event, mode, negated, rule)."""
    event, mode, negated, rule = cand.event, cand.mode, cand.negated, cand.rule
    intent = cand.future or (cand.hypothetical and cand.conditional)
    if negated and intent and event in _COOPERATIVE:
        # "will not accept refugees", "would not meet their demands": a refusal.
        return "REJECT", _REJECT_MODE.get(event), False, rule + "+refusal"
    if intent and cand.conditional and not negated:
        # "will withdraw its force unless ...": a conditional intent is a threat or a promise.
        if event in _COOPERATIVE and event != "RETREAT":
            return "AGREE", None, False, rule + "+conditional"
        if event in _THREAT_MODE or event in ("RETREAT", "SANCTION"):
            return "THREATEN", _THREAT_MODE.get(event), False, rule + "+conditional"
    if cand.future and not negated and event in _FUTURE_TYPE:
        new = _FUTURE_TYPE[event]
        return new, (_THREAT_MODE.get(event) if new == "THREATEN" else None), negated, rule + "+future"
    return event, mode, negated, rule


class Coder:
    """Codes parsed articles into events with a lexicon, an actor resolver and settings."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        nlp: "Language | None" = None,
        lexicon: Lexicon | None = None,
        actors: ActorResolving | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._nlp = nlp
        self.lexicon = lexicon or load_lexicon()
        if actors is None:
            from dyads.resolve.actors import ActorResolver

            actors = ActorResolver(extra_files=self.settings.actor_files)
        self.actors = actors

    @property
    def nlp(self) -> "Language":
        if self._nlp is None:
            from dyads.nlp.model import load_nlp

            self._nlp = load_nlp()
        return self._nlp

    def code(self, articles: Iterable[Article]) -> Iterator[Coded]:
        """Parse and code a stream of articles (one nlp.pipe over all of them)."""
        limit = self.nlp.max_length
        # A text spaCy refuses would raise inside nlp.pipe and lose the whole batch: it is
        # parsed as empty and comes back as a rejection, in its place in the stream.
        pairs = ((a.text if len(a.text) <= limit else "", a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.settings.batch_size):
            if len(article.text) > limit:
                yield Coded(article, (), (Rejection(article.origin or article.id, "code", "too-large",
                                                    f"text of {len(article.text)} characters is longer than the "
                                                    f"parser's limit of {limit}", article.id),))
                continue
            yield self.code_doc(doc, article)

    def code_text(self, text: str, published: dt.date | None = None, article_id: str = "text",
                  *, clean: bool = True) -> list[Event]:
        """Convenience: code one text. Like the readers, it first drops wire datelines,
        bylines and captions (``clean=False`` keeps the text as given); event offsets then
        refer to the cleaned text, which is ``Event.text``'s source."""
        if clean:
            from dyads.ingest.clean import clean_text

            text = clean_text(text)
        article = Article(id=article_id, text=text, published=published)
        return list(self.code_doc(self.nlp(text), article).events)

    def code_doc(self, doc: "Doc", article: Article) -> Coded:
        """Code one parsed article. Never raises for odd text: a sentence the coder fails on
        becomes a Rejection naming it, and the article's other events are kept."""
        failures: list[Rejection] = []
        try:
            events = tuple(self._events(doc, article, failures))
        except Exception as exc:  # one bad article never kills a batch (STYLE 8)
            events = ()
            failures.append(Rejection(article.origin or article.id, "code", "coder-error",
                                      f"{type(exc).__name__}: {exc}", article.id))
        return Coded(article, events, tuple(failures))

    # ------------------------------------------------------------ internals

    def _events(self, doc: "Doc", article: Article, failures: list[Rejection]) -> Iterator[Event]:
        from dyads.resolve.actors import ArticleMemory

        memory = ArticleMemory()
        estimate = None
        if article.published is None:
            # No publication date: estimate one from explicit dates in the text and say so.
            estimate = dates_mod.estimate_publication_date(doc.text)
            if estimate is not None:
                article = replace(article, published=estimate.date)
        published = article.published
        frame: dates_mod.ResolvedDate | None = None
        seen: dict[str, Event] = {}
        for index, sent in enumerate(doc.sents):
            if len(sent.text) > self.settings.max_sentence_chars or not sent.text.strip():
                continue
            self._learn_people(sent, published, memory)
            times = dates_mod.find_time_expressions(sent.text, published)
            if frame is None and index < 2 and times:
                frame = times[0]
            try:
                cands = find_candidates(sent, self.lexicon)
            except Exception as exc:  # a bug on one odd sentence must not lose the article
                failures.append(_sentence_failure(article, index, exc))
                continue
            for cand in cands:
                if not cand.event:
                    continue
                try:
                    event = self._build(cand, sent, index, article, memory, times, frame, estimate)
                except Exception as exc:
                    failures.append(_sentence_failure(article, index, exc))
                    continue
                if event is None or event.confidence < self.settings.min_confidence:
                    continue
                memory.events.append((event.event, event.actor))
                previous = seen.get(event.id)
                if previous is None or _richer(event, previous):
                    seen[event.id] = event
        return iter(sorted(seen.values(), key=lambda e: (e.text_info.start, e.trigger_start)))

    def _learn_people(self, sent: "Span", when: dt.date | None, memory: "ArticleMemory") -> None:
        """Let the resolver see every titled person, so later bare surnames resolve."""
        for ent in sentence_ents(sent):
            if ent.label_ == "PERSON":
                self.actors.resolve(phrase_span(ent.root), when, memory)
        for tok in sent:
            # "Venezuela's foreign ministry issued a statement": a body named with its country,
            # so that a later "the ministry" is Venezuela's
            if tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj") and any(
                    c.dep_ in ("poss", "amod", "compound") and c.ent_type_ in ("GPE", "NORP") for c in tok.children):
                self.actors.resolve(phrase_span(tok), when, memory)

    def _entities(self, heads: Sequence[int], doc: "Doc", when: dt.date | None, memory: "ArticleMemory",
                  speaker: Entity | None = None, owners: bool = False,
                  pronouns: frozenset[str] = SPEAKER_PRONOUNS) -> list[Entity]:
        out: list[Entity] = []
        for i in heads:
            tok = doc[i]
            if speaker is not None and tok.lower_ in pronouns:
                # "Japan said it had halted aid": the pronoun is the speaker.
                out.append(replace(speaker, entity_text=tok.text))
                continue
            split = self._coordinated_modifiers(tok, when, memory) or self._coordinated_owners(tok, when, memory)
            if split:
                out += split
                continue
            ent = self.actors.resolve(phrase_span(tok), when, memory)
            if ent is not None and ent.code is None and ent.sector:
                # "rebels in Mali", "officials from Iran": a group located by a country belongs to it
                for prep in tok.children:
                    if _located(tok, prep):
                        where = next(g for g in prep.children if g.dep_ == "pobj" and g.ent_type_ == "GPE")
                        home = self.actors.resolve(phrase_span(where), when, memory)
                        if home is not None and home.code and len(home.code) == 3 and home.code not in _NON_STATE:
                            ent = replace(ent, code=home.code)
                            break
            if owners and (ent is None or ent.code is None):
                # "rejected a U.S. request", "denounced Serbia's suppression of ...": the
                # recipient is whoever owns the thing acted on.
                ent = self._owner(tok, when, memory) or ent
            if ent is not None and (ent.code or ent.sector):
                out.append(ent)
        return out

    def _coordinated_modifiers(self, tok: "Token", when: dt.date | None, memory: "ArticleMemory") -> list[Entity]:
        """"Chinese and Indian troops": each nationality with the shared head noun."""
        for mod in tok.children:
            conjs = [c for c in mod.children if c.dep_ == "conj"]
            if mod.dep_ in ("amod", "compound", "nmod") and mod.i < tok.i and conjs:
                out = []
                for part in (mod, *conjs):
                    ent = self.actors.resolve_text(f"{part.text} {tok.text}", when, memory)
                    if ent is not None and ent.code:
                        out.append(replace(ent, entity_text=f"{part.text} {tok.text}"))
                if len(out) > 1:
                    return out
        return []

    def _coordinated_owners(self, tok: "Token", when: dt.date | None, memory: "ArticleMemory") -> list[Entity]:
        """"The foreign ministers of Germany, France and Poland": one party per country, each with
        the head's sector."""
        for prep in tok.children:
            if prep.dep_ != "prep" or prep.lower_ != "of":
                continue
            for first in prep.children:
                parts = [first, *(c for c in first.subtree if c.dep_ == "conj")]
                if first.dep_ != "pobj" or len(parts) < 2:
                    continue
                head = self.actors.resolve_text(tok.text, when, memory)
                out = []
                for part in parts:
                    ent = self.actors.resolve(phrase_span(part), when, memory)
                    if ent is None or not ent.code:
                        return []
                    out.append(replace(ent, entity_text=f"{tok.text} of {part.text}",
                                       sector=(head.sector if head is not None else None) or ent.sector))
                return out
        return []

    def _owner(self, tok: "Token", when: dt.date | None, memory: "ArticleMemory") -> Entity | None:
        """The first named owner in the object's phrase, nearest first: possessors and
        nationality modifiers, then "by"/"of"/"for"/"against" phrases ("crimes by Croatian
        extremists", "disapproval for the United States' policies")."""
        frontier, seen = [tok], 0
        fallback: Entity | None = None  # a party with no country ("an appeal from President X")
        while frontier and seen < 12:
            node = frontier.pop(0)
            seen += 1
            for child in node.children:
                if child.dep_ in ("poss", "compound", "amod", "nmod", "appos") and (
                    child.pos_ == "PROPN" or child.ent_type_ in ("NORP", "GPE", "ORG", "PERSON")
                ) and not any(t.lower_ in ("pro", "anti") for t in _doc_window(child)) \
                        and node.lemma_.lower() not in ("language", "speaker"):  # "the Russian language"
                    ent = self.actors.resolve(phrase_span(child), when, memory)
                    if ent is not None and ent.code:
                        return ent
            for child in node.children:
                linked: list["Token"] = []
                if child.dep_ == "acl" and child.lemma_.lower() in _LINKED:
                    # "150 entities linked to Russia": whom the thing is tied to
                    linked += [g for p in child.children if p.dep_ == "prep" and p.lower_ in ("to", "with")
                               for g in p.children if g.dep_ == "pobj"]
                if child.dep_ == "acl" and child.tag_ == "VBN":
                    # "condemned the sanctions imposed by Washington": whoever did the thing
                    linked += [g for p in child.children if p.dep_ == "agent" for g in p.children if g.dep_ == "pobj"]
                for g in linked:
                    ent = self.actors.resolve(phrase_span(g), when, memory)
                    if ent is not None and ent.code:
                        return ent
                if child.dep_ == "prep" and child.lower_ == "in" and (node.ent_type_ in ("MONEY", "CARDINAL") or node.pos_ == "NUM"):
                    # "pledged $100 million in aid for Sudan": look into what the amount counts
                    frontier += [g for g in child.children if g.dep_ == "pobj"]
                    continue
                if child.dep_ == "prep" and child.lower_ in _OWNER_PREPS:
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            ent = self.actors.resolve(phrase_span(pobj), when, memory)
                            if ent is not None and ent.code:
                                return ent
                            if fallback is None and ent is not None and (ent.sector or ent.name) \
                                    and child.lower_ in ("by", "from"):
                                fallback = ent
                            frontier.append(pobj)
        return fallback

    def _build(
        self,
        cand: Candidate,
        sent: "Span",
        index: int,
        article: Article,
        memory: "ArticleMemory",
        times: list[dates_mod.ResolvedDate],
        frame: dates_mod.ResolvedDate | None,
        estimate: dates_mod.ResolvedDate | None = None,
    ) -> Event | None:
        doc = sent.doc
        anchor = doc[cand.anchor]
        if cand.future:
            times = dates_mod.find_time_expressions(sent.text, article.published, future=True)
        when = _pick_date(times, anchor, sent)
        on_day = when.date if when else (frame.date if frame else article.published)
        attribution = None
        if cand.attribution is not None:
            attribution = self.actors.resolve(phrase_span(doc[cand.attribution]), on_day, memory)
        actors = self._entities(cand.actors, doc, on_day, memory, speaker=attribution)
        # a recipient that is the actor itself goes; "Sisi met his foreign minister Shoukry" (both
        # EGY GOV, two named people) stays
        recipients = [r for r in self._entities(cand.recipients, doc, on_day, memory, owners=True,
                                                speaker=attribution, pronouns=_SPEAKER_OBJECTS)
                      if not any(_same_party(r, a) for a in actors)]
        # Actor phrases are not event places ("Tehran said"); a recipient may be ("arrived in Tehran").
        exclude = {t.i for h in cand.actors for t in phrase_span(doc[h])}
        if cand.attribution is not None:
            exclude |= {t.i for t in phrase_span(doc[cand.attribution])}  # the speaker's own place
        prefer = [e.code for e in (*actors, *recipients) if e.code]
        place = find_event_place(sent, anchor, exclude=exclude, prefer=prefer)
        if not actors and cand.default_actor_sector:
            actors = [Entity(entity_text=anchor.text, code=place.country_code if place else None,
                             sector=cand.default_actor_sector, name=None)]
        if not actors:
            return None  # precision: no event without an actor we can name
        # "the junta accused France": a place that is a recipient's country does not locate the actor
        actor_place = None if place is not None and any(
            place.extracted_place and place.extracted_place in r.entity_text for r in recipients) else place
        actors = [_fill_country(a, actor_place, attribution) for a in actors]
        recipients = [_fill_country(r, place, attribution) for r in recipients]
        if not recipients and cand.event in _REACTIONS:
            recipients = _earlier_actors(anchor, actors, memory)
        national = next((a.code for a in actors if a.code and len(a.code) == 3 and a.sector in _STATE), None)
        if national:
            # "the government cracked down on the opposition": a sector-only party facing a
            # state organ is taken as domestic
            recipients = [replace(r, code=national) if r.code is None and r.sector else r for r in recipients]
        place_target = cand.event in _PLACE_IS_TARGET or (cand.event == "THREATEN" and cand.mode in _MATERIAL_THREATS)
        if not recipients and (len(actors) < 2 or cand.event == "PROTEST") and place is not None \
                and place.country_code and place_target:
            # "imposed a curfew in Cizre", "exploded bombs in Kabul": with nobody named, the
            # population of the place is on the receiving end.
            # protests are against the authorities where they happen (as PLOVER gold codes them)
            recipients = [Entity(entity_text=place.extracted_place, code=place.country_code,
                                 sector="GOV" if cand.event == "PROTEST" else None, name=place.resolved_place)]
        if not any(e.code for e in (*actors, *recipients)) and not any(a.name for a in actors):
            return None  # nobody identifiable: no country or group on either side, no named person

        if _not_political(cand, sent) or _business_only(actors, recipients):
            return None
        event, mode, negated, rule = _by_modality(cand)
        if event in ("RETREAT", "CONCEDE") and recipients and all(r.code in ("IGO", "NGO") for r in recipients) \
                and any(a.code and a.code not in ("IGO", "NGO") for a in actors) \
                and doc[cand.anchor].lemma_.lower() in ("withdraw", "withdrawal", "exit", "quit", "leave", "pull"):
            # "Niger announced its withdrawal from ECOWAS": leaving an organisation reduces relations
            event, mode, rule = "SANCTION", "withdraw", rule + "+organisation"
        if event == "PROTEST" and mode == "obstruct" and any(a.sector in _STATE for a in actors):
            # "the authorities blocked access to Gaza": a state closing a place restricts, it does not protest
            event, mode, rule = "COERCE", "restrict", rule + "+state"
        if event == "COERCE" and mode != "cyber" and actors and all(a.sector in ("CRM", "CVL") for a in actors):
            return None  # "armed robbers raided a bank": coercion is what authorities do
        if event == "ASSAULT" and not recipients and doc[cand.anchor].lemma_.lower() in ("invade", "storm", "overrun") \
                and all(a.sector in (None, "CVL") for a in actors):
            return None  # "families invaded train stations": no armed party, nothing invaded
        if event == "ASSAULT" and _private_violence(cand, doc, actors, recipients):
            return None  # "a man killed his neighbour": crime-blotter, not political violence
        if event == "MOBILIZE" and actors and all(a.sector == "COP" for a in actors):
            mode = "police"  # "police deployed thousands of officers": PLOVER MOBILIZE police
        if event == "CONSULT" and mode in (None, "visit", "phone") and not recipients and len(actors) < 2:
            return None  # a body meeting alone ("the cabinet met"), a visit to nowhere named
        if mode == "visit" and not all(_can_visit(a, doc[cand.anchor].lemma_.lower()) for a in actors):
            return None  # tourists, singers, troops or shipments arriving are not a diplomatic visit
        if event == "CONSULT" and recipients and all(r.sector in _FACILITY_SECTORS for r in recipients):
            return None  # "visited a school", "toured a hospital": not a consultation with anyone
        if event == "CONSULT" and any(r.sector == "JRN" for r in recipients):
            return None  # "spoke to reporters" is a statement, not a consultation
        if when is not None:
            date, precision, date_text = when.date, when.precision, when.text
            historical = not cand.future and dates_mod.is_historical(
                when, article.published, sentence_initial=when.start <= 3)
        elif frame is not None:
            date, precision, date_text, historical = frame.date, frame.precision, frame.text, False
        elif estimate is not None:
            date, precision, historical = estimate.date, estimate.precision, False
            date_text = f"publication date estimated from '{estimate.text}'"
        elif article.published is not None:
            date, precision, date_text, historical = article.published, "day", None, False
        else:
            date, precision, date_text, historical = None, None, None, False
        if when is None and _past_perfect(anchor):
            # "the veto the US had cast", "who had been arrested 15 months ago": the pluperfect
            # recalls an earlier event; it is background, not news of the day
            historical = True

        trigger_toks = [doc[i] for i in cand.trigger]
        start, end = min(t.idx for t in trigger_toks), max(t.idx + len(t.text) for t in trigger_toks)
        modality = Modality(negated=negated, future=cand.future, hypothetical=cand.hypothetical,
                            historical=historical)
        return Event(
            id=_event_id(article.id, index, event, actors, recipients),
            article_id=article.id,
            date=date,
            date_precision=precision,
            date_text=date_text,
            event=event,
            mode=mode,
            context=cand.context,
            cameo=cand.cameo,
            quad_code=QUAD[event],
            event_scale=event_scale(event, mode),
            actor=tuple(actors),
            recipient=tuple(recipients),
            event_loc=place,
            event_text=" ".join(t.text for t in trigger_toks),
            text=sent.text,
            text_info=TextInfo(sentence=index, start=sent.start_char, end=sent.end_char),
            modality=modality,
            attribution=attribution,
            confidence=_confidence(cand, actors, recipients, modality),
            coder=self.settings.coder,
            rule=rule,
            trigger_start=start,
            trigger_end=end,
        )


def _doc_window(tok: "Token") -> list["Token"]:
    """The token, the two before it and its subtree ("anti-Syria", "pro - Russia")."""
    doc = tok.doc
    return [doc[i] for i in range(max(0, tok.i - 2), tok.i + 1)] + list(tok.subtree)


def _sentence_failure(article: Article, index: int, exc: Exception) -> Rejection:
    return Rejection(article.origin or article.id, "code", "coder-error",
                     f"sentence {index}: {type(exc).__name__}: {exc}", article.id)


def phrase_span(tok: "Token") -> "Span":
    """The contiguous actor phrase around a head: modifiers, compounds, possessives,
    appositions and "of" phrases; not conjuncts, clauses or other PPs."""
    keep = [tok.i]

    def walk(node: "Token") -> None:
        for child in node.children:
            if child.dep_ == "punct" and child.text in ("-", ",", "–"):
                keep.append(child.i)  # "Saudi-led", "Hamdok, Sudan's prime minister"
                continue
            if child.dep_ in _PHRASE_CUT and not (child.dep_ == "prep" and child.lower_ == "of"):
                continue
            keep.append(child.i)
            walk(child)

    walk(tok)
    keep.sort()
    # Stay contiguous around the head: stop at the first gap on either side.
    lo = hi = keep.index(tok.i)
    while lo > 0 and keep[lo - 1] == keep[lo] - 1:
        lo -= 1
    while hi < len(keep) - 1 and keep[hi + 1] == keep[hi] + 1:
        hi += 1
    doc = tok.doc
    start, end = keep[lo], keep[hi] + 1
    while start < tok.i and doc[start].is_punct:
        start += 1
    while end - 1 > tok.i and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end]


def _past_perfect(tok: "Token") -> bool:
    """The trigger's verb (or, for a noun, its governing verb) is in the past perfect ("had
    vetoed"), outside reported speech, where "said it had ..." is only backshift."""
    verb = tok if tok.pos_ in ("VERB", "AUX") else tok.head
    if not any(c.dep_ == "aux" and c.lower_ == "had" for c in verb.children):
        return False
    node = verb
    for _ in range(3):
        if node.dep_ in ("ccomp", "parataxis") and node.head.lemma_.lower() in ("say", "tell", "announce", "report",
                                                                                "claim", "confirm", "state", "add"):
            return False
        if node.head.i == node.i:
            return True
        node = node.head
    return True


def _located(head: "Token", prep: "Token") -> bool:
    """"rebels in Mali", "officials from Iran": a group located by a country belongs to it."""
    return (prep.dep_ == "prep" and prep.lower_ in ("in", "from") and head.pos_ in ("NOUN", "PROPN")
            and not head.ent_type_ and any(g.dep_ == "pobj" and g.ent_type_ == "GPE" for g in prep.children))


def _pick_date(times: list[dates_mod.ResolvedDate], anchor: "Token", sent: "Span") -> dates_mod.ResolvedDate | None:
    """The time expression of the trigger's own clause, else of a clause above it; a date
    inside another clause ("the group, founded in 2014, ...") does not date this event."""
    if not times:
        return None
    own = clause_head(anchor)
    above = set()
    node = own
    for _ in range(6):
        above.add(node.i)
        if node.head.i == node.i:
            break
        node = clause_head(node.head)
    pos = anchor.idx - sent.start_char
    ranked = []
    for t in times:
        tok = sent.char_span(t.start, t.end, alignment_mode="expand")
        if tok is not None and any(
                w.dep_ in ("compound", "nummod", "amod", "poss") and w.head.pos_ == "NOUN"
                and w.head.i >= tok.end and w.head.ent_type_ not in ("DATE", "TIME") for w in tok):
            continue  # "of the 2015 nuclear deal", "Sunday's protests" name a thing, not this event's date
        head = clause_head(tok.root) if tok is not None else None
        rank = 0 if head is not None and head.i == own.i else 1 if head is not None and head.i in above else 2
        ranked.append((rank, min(abs(t.start - pos), abs(t.end - pos)), t))
    if not ranked:
        return None
    rank, _, best = min(ranked, key=lambda r: (r[0], r[1]))
    return best if rank < 2 else None


def _fill_country(entity: Entity, place: Location | None, speaker: Entity | None = None) -> Entity:
    """A sector with no country ("police", "protesters") takes the country where it acts,
    else the country of whoever reports it ("the army said ..." in a Houthi statement)."""
    if entity.code is not None:
        return entity
    if speaker is not None and speaker.code and entity.entity_text.lower() in _SELF_REFERENCES:
        return replace(entity, code=speaker.code)  # "a Houthi spokesman said the group ..."
    if speaker is not None and speaker.code and len(speaker.code) == 3 and speaker.code not in _NON_STATE \
            and entity.sector in _STATE and speaker.sector in _STATE:
        # "Israel's defence minister said the military would launch an offensive in Rafah": a
        # state's official speaks of that state's own organs, wherever they act
        return replace(entity, code=speaker.code)
    if place is not None and place.country_code:
        return replace(entity, code=place.country_code)
    if speaker is not None and speaker.code and len(speaker.code) == 3 and speaker.code not in _NON_STATE:
        return replace(entity, code=speaker.code)
    return entity


def _event_id(article_id: str, sentence: int, event: str, actors: Sequence[Entity], recipients: Sequence[Entity]) -> str:
    key = "|".join([
        article_id, str(sentence), event,
        ",".join(sorted(f"{a.code}{a.sector or ''}" for a in actors)),
        ",".join(sorted(f"{r.code}{r.sector or ''}" for r in recipients)),
    ])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def _confidence(cand: Candidate, actors: Sequence[Entity], recipients: Sequence[Entity], modality: Modality) -> float:
    """A ranking score: verb rules with resolved countries on both sides rank highest."""
    score = 0.55
    if cand.rule.startswith(("verb:", "ctrl:", "xcomp:", "light:")):
        score += 0.1
    if any(a.code for a in actors):
        score += 0.15
    if any(a.sector for a in actors):
        score += 0.05
    if recipients:
        score += 0.1
    if cand.default_actor_sector and not any(a.name for a in actors):
        score -= 0.1  # the actor is inferred ("protesters", an unidentified bomber), not named
    if modality.hypothetical:
        score -= 0.15
    if modality.negated:
        score -= 0.1
    return round(max(0.05, min(0.99, score)), 3)


def _richer(new: Event, old: Event) -> bool:
    return (new.confidence, len(new.recipient), new.event_loc is not None) > (old.confidence, len(old.recipient), old.event_loc is not None)
