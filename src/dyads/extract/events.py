"""Doc -> candidate events: triggers, roles and modality from the dependency parse.

A candidate holds token indices only; the coder (``dyads.coder``) resolves them to actors,
dates and places. Every candidate names the rule that produced it, so an analyst can see
why an event exists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator

from dyads.extract.lexicon import QUAD, Lexicon, Trigger, base_lemma, direct_object

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

SAY_VERBS = frozenset(
    "say tell state announce add claim report note told declare stress confirm "
    "explain write reiterate assert acknowledge indicate suggest quote".split()
)
# Verbs whose noun object is the event ("held talks", "launched an attack").
LIGHT_VERBS = frozenset(
    "hold conduct launch carry stage mount make pay have begin start resume continue open "
    "reach issue impose slap order call go lead join organize organise announce declare "
    "deliver give provide send take undertake step escalate intensify extend renew attend "
    "exert present produce submit reaffirm reiterate express voice confirm approve disburse unveil "
    "complete finish adopt".split()
)
SUBJ = ("nsubj", "csubj", "expl")
WILLING_ADJ = frozenset("ready willing prepared".split())


def _is_light(tok: "Token") -> bool:
    """A light verb, also where the lemmatizer slips ("staged" -> "stag")."""
    if tok.lemma_.lower() in LIGHT_VERBS:
        return True
    word = tok.lower_
    return tok.pos_ in ("VERB", "AUX") and word.endswith("d") and word[:-1] in LIGHT_VERBS
RELATIVE = frozenset("who which that whom whose".split())
HYPOTHETICAL_AUX = frozenset("could would might may should must".split())
FUTURE_AUX = frozenset("will shall 'll wo".split())
NEG_WORDS = frozenset("not n't never no".split())


@dataclass(frozen=True, slots=True)
class Candidate:
    """An event found in one sentence, before actor/date/place resolution."""

    event: str
    mode: str | None
    cameo: str | None
    context: tuple[str, ...]
    trigger: tuple[int, ...]  # doc token indices of the trigger words
    anchor: int  # token index of the trigger's head word
    actors: tuple[int, ...]  # head token indices of actor phrases
    recipients: tuple[int, ...]
    attribution: int | None
    negated: bool
    future: bool
    hypothetical: bool
    rule: str
    default_actor_sector: str | None = None  # PROTEST nouns with no actor: civilians
    conditional: bool = False  # "unless Baghdad accepts", "if he gave them a veto"


def find_candidates(sent: "Span", lex: Lexicon) -> list[Candidate]:
    """All candidate events in one sentence."""
    found: list[Candidate] = []
    consumed: set[int] = set()  # noun triggers already used by a verb event
    for tok in sent:
        if tok.i in consumed:
            continue
        if tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "NOUN" and tok.dep_ == "ROOT" and tok.tag_.startswith("VB")):
            for cand in _verb_candidates(tok, lex, consumed):
                found.append(cand)
        elif tok.pos_ == "ADJ" and tok.lemma_.lower() in WILLING_ADJ and (comp := _xcomp(tok)) is not None:
            # "he would be ready to host a meeting": stated willingness is AGREE (manual),
            # willingness to use force a THREAT
            agree = next((e for e in lex.verbs.get("agree", ()) if e.ctrl == "agree"), None)
            if agree is not None:
                found.extend(_control(tok, agree, (tok,), comp, lex, consumed))
    for tok in sent:
        if tok.pos_ == "NOUN" and tok.i not in consumed and tok.ent_type_ not in _NOT_EVENT_ENTS:
            cand = _noun_candidate(tok, lex)
            if cand is not None:
                found.append(cand)
    found += _obligations(sent)
    found += _allegations(sent, lex)
    found += _refused_permissions(sent, lex)
    found += _in_protest(sent, found)
    kept = _riots(_drop_suppressed(found, sent), sent)
    return kept + _joint_operations(kept, sent)


JOINT_WORDS = frozenset("joint coordinated combined jointly together".split())


def _joint_operations(cands: list[Candidate], sent: "Span") -> list[Candidate]:
    """"Somali and U.S. forces carried out a joint raid": besides the raid, the two forces
    cooperate (PLOVER COOPERATE, CAMEO 062 military cooperation)."""
    doc = sent.doc
    out = []
    for cand in cands:
        if cand.event not in ("ASSAULT", "COERCE", "MOBILIZE", "AID", "RETREAT"):
            continue
        words = [doc[i] for i in cand.trigger]
        joint = any(c.lower_ in JOINT_WORDS and c.dep_ in ("amod", "advmod") for w in words for c in w.children)
        if not joint:
            continue
        partners = list(cand.actors) + [h for w in words for h in _preps(w, ("with",))]
        # "Somali and U.S. forces": one head with two coordinated nationalities
        sides = len(set(partners)) + sum(1 for a in cand.actors for m in doc[a].children
                                         if m.dep_ in ("amod", "compound", "nmod") for c in m.children if c.dep_ == "conj")
        if sides < 2:
            continue
        out.append(replace(cand, event="COOPERATE", mode=None, cameo="062", context=("military",),
                           actors=tuple(dict.fromkeys(partners)), recipients=(), rule=cand.rule + "+joint"))
    return out


def clause_head(tok: "Token") -> "Token":
    """The verb heading a token's clause (or the sentence root)."""
    while tok.pos_ not in ("VERB", "AUX") and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _in_protest(sent: "Span", found: list[Candidate]) -> list[Candidate]:
    """Whatever is done "in protest" is a protest: "farmers camped on the highways in protest
    against the laws", "lawmakers walked out in protest"."""
    out = []
    anchors = {c.anchor for c in found}
    for tok in sent:
        if tok.pos_ not in ("VERB", "AUX") or tok.i in anchors:
            continue
        # "in protest" on the verb or inside its adjuncts ("for a third month in protest")
        preps = [t for t in tok.subtree if t.dep_ == "prep" and t.lower_ == "in" and clause_head(t.head).i == tok.i]
        for prep in preps:
            for protest in prep.children:
                if protest.dep_ != "pobj" or protest.lemma_.lower() != "protest":
                    continue
                actors = _subjects(tok)
                if not actors:
                    continue
                recips = _preps(protest, ("against", "at", "over", "of")) or _preps(tok, ("against",))
                negated, future, hypothetical = _modality(tok)
                out.append(Candidate(
                    event="PROTEST", mode="demo", cameo="141", context=(), trigger=(tok.i, prep.i, protest.i),
                    anchor=tok.i, actors=tuple(actors), recipients=tuple(r for r in recips if r not in actors),
                    attribution=_attribution(tok), negated=negated, future=future, hypothetical=hypothetical,
                    rule=f"inprotest:{tok.lemma_}",
                ))
    return out


PROTESTER_NOUNS = frozenset("protester protestor demonstrator rioter mob marcher striker".split())
MILITARY_NOUNS = frozenset("force troop army military navy soldier militant rebel fighter militia".split())
CROWD_NOUNS = PROTESTER_NOUNS | frozenset(
    "crowd supporter thousand hundred tens dozen people activist student worker farmer resident "
    "villager youth woman man opponent".split())
# Crowd violence; shooting, bombing or shelling by "protesters" stays an ASSAULT.
RIOT_MODES = frozenset({None, "destroy", "beat", "primitive"})


def _riots(cands: list[Candidate], sent: "Span") -> list[Candidate]:
    """Violence by protesters is a riot (PLOVER PROTEST riot: the participants intend
    injury or damage): "the building was torched by protesters". When police clash with
    rioters, each side gets its own event: the police ASSAULT, the rioters PROTEST."""
    doc = sent.doc
    out = []
    riots = {c.anchor for c in cands if c.event == "PROTEST" and c.mode == "riot"}
    for cand in cands:
        if cand.rule == "verb:strike" and cand.event == "PROTEST" and cand.actors and all(
                doc[a].lemma_.lower() in INSTRUMENT_NOUNS | MILITARY_NOUNS for a in cand.actors):
            # "Indian warplanes struck a camp": armed forces striking attack, they do not walk out
            out.append(replace(cand, event="ASSAULT", mode=None, cameo="190", rule=cand.rule + "+armed"))
            continue
        if cand.rule in ("verb:gather", "verb:assemble", "verb:converge", "verb:march") and not any(
                _crowd(doc[a]) for a in cand.actors) and not _protest_context(doc[cand.anchor]):
            continue  # "EU leaders gathered in Brussels", "pilgrims marched to the shrine": no protest
        if cand.event == "COERCE" and cand.mode == "restrict" and cand.actors and all(
                doc[a].lemma_.lower() in PROTESTER_NOUNS for a in cand.actors):
            # "strikers shut down the port": a crowd blocking a place obstructs, it does not coerce
            out.append(replace(cand, event="PROTEST", mode="obstruct", cameo="144", rule=cand.rule + "+obstruct"))
            continue
        if cand.event != "ASSAULT" or cand.mode not in RIOT_MODES:
            out.append(cand)
            continue
        if any(a.i in riots for a in doc[cand.anchor].ancestors):
            continue  # "rioted, setting fire to mattresses": damage incidental to the riot
        crowd = tuple(a for a in cand.actors if doc[a].lemma_.lower() in PROTESTER_NOUNS)
        if not crowd:
            out.append(cand)
            continue
        others = tuple(a for a in cand.actors if a not in crowd)
        riot = replace(cand, event="PROTEST", mode="riot", cameo="145", actors=crowd,
                       recipients=cand.recipients or others, rule=cand.rule + "+riot")
        if others:
            out.append(replace(cand, actors=others, recipients=cand.recipients or crowd))
        out.append(riot)
    return out


PERMIT_VERBS = frozenset("allow permit let authorize authorise".split())
PERMIT_NOUNS = frozenset("permission approval authorization authorisation clearance go-ahead".split())
# Verbs whose clause complement is only wished or expected: "the US wants Turkey to expel
# them", "Kigali hoped French officials would be indicted". The act has not happened.
DESIRE_VERBS = frozenset("want wish hope expect prefer".split())


def _refused_permissions(sent: "Span", lex: Lexicon) -> list[Candidate]:
    """Not allowing someone to act is a refusal (PLOVER: barring a group from entering is
    REJECT): "Israel did not allow UN inspectors to enter Gaza", "he would not give
    permission to Russia to help Israel" code REJECT with the one refused as recipient."""
    out = []
    for tok in sent:
        lemma = tok.lemma_.lower()
        comp: Token | None = None
        recips: list[int] = []
        if lemma in PERMIT_VERBS:
            comp = next((c for c in tok.children if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX")), None)
            obj = direct_object(tok)
            if obj is not None and obj.dep_ == "dobj":
                recips = _heads(obj)
            elif comp is not None:
                recips = _subjects(comp)
        elif lemma in ("give", "grant"):
            obj = next((c for c in tok.children if c.dep_ == "dobj" and c.lemma_.lower() in PERMIT_NOUNS), None)
            if obj is None:
                continue
            recips = [h for c in tok.children if c.dep_ == "dative" for g in (c, *c.children)
                      if g.dep_ in ("dative", "pobj") and g.pos_ != "ADP" for h in _heads(g)]
            recips += _preps(tok, ("to",))
            comp = next((c for c in (*tok.children, *obj.children) if c.dep_ in ("advcl", "acl", "xcomp")
                         and any(a.lower_ == "to" for a in c.children)), None)
        else:
            continue
        negated, future, hypothetical = _modality(tok)
        if not negated or comp is None:
            continue
        actors = _subjects(tok)
        if not actors:
            continue
        inner = lex.match_verb(comp)
        mode = _content_mode("reject", inner[0].plover if inner else None) or "yield"
        out.append(Candidate(
            event="REJECT", mode=mode, cameo="120", context=(), trigger=(tok.i,), anchor=tok.i,
            actors=tuple(actors), recipients=tuple(r for r in dict.fromkeys(recips) if r not in actors),
            attribution=_attribution(tok), negated=False, future=future, hypothetical=hypothetical,
            rule=f"permission:not+{lemma}",
        ))
    return out


ALLEGE_VERBS = frozenset("claim allege charge".split())
SELF_PRONOUNS = frozenset("it they we i he she".split())


def _allegations(sent: "Span", lex: Lexicon) -> list[Candidate]:
    """A contested claim that someone acted against another is an accusation:
    "The US claimed that ISIL had attacked Iraq" codes ACCUSE USA -> ISIL; the claimed
    act is its content (unlike "said", which reports an event)."""
    out = []
    for tok in sent:
        if tok.lemma_.lower() not in ALLEGE_VERBS:
            continue
        comp = _ccomp(tok)
        if comp is None:
            continue
        match = lex.match_verb(comp)
        if match is None or match[0].plover is None or match[0].plover in VERBAL:
            continue
        if QUAD[match[0].plover] < 3:
            continue
        actors, recips = _subjects(tok), _subjects(comp)
        if not actors or not recips:
            continue
        if all(tok.doc[r].lower_ in SELF_PRONOUNS for r in recips):
            continue  # "the US claimed that they had attacked Iraq": a claim of its own act, not an accusation
        negated, future, hypothetical = _modality(tok)
        out.append(Candidate(
            event="ACCUSE", mode="allege", cameo="112", context=(), trigger=(tok.i,),
            anchor=tok.i, actors=tuple(actors), recipients=tuple(r for r in recips if r not in actors),
            attribution=None, negated=negated, future=future, hypothetical=hypothetical,
            rule=f"allegation:{tok.lemma_}+{match[0].plover}",
        ))
    return out


# Named entities that are never event nouns ("last March", "the Strike Group").
_NOT_EVENT_ENTS = frozenset("DATE TIME PERSON GPE ORG FAC LOC WORK_OF_ART LAW PRODUCT MONEY CARDINAL".split())
OBLIGATION_AUX = frozenset("must should".split())


def _obligations(sent: "Span") -> list[Candidate]:
    """Reported obligations are demands: "Russia said that Sudan must return the helicopter"
    codes REQUEST Russia -> Sudan, and the demanded act is not an event of its own."""
    out = []
    for tok in sent:
        if tok.lemma_.lower() not in SAY_VERBS | {"insist", "conclude", "reiterate"}:
            continue
        for comp in tok.children:
            if comp.dep_ != "ccomp" or not any(c.dep_ == "aux" and c.lower_ in OBLIGATION_AUX for c in comp.children):
                continue
            must = next(c for c in comp.children if c.dep_ == "aux" and c.lower_ in OBLIGATION_AUX)
            actors = _subjects(tok)
            recips = _subjects(comp)
            if not actors or not recips:
                continue
            negated, future, hypothetical = _modality(tok)
            out.append(Candidate(
                event="REQUEST", mode=None, cameo="100", context=(), trigger=(must.i, comp.i),
                anchor=comp.i, actors=tuple(actors), recipients=tuple(r for r in recips if r not in actors),
                attribution=None, negated=negated, future=future, hypothetical=hypothetical,
                rule=f"obligation:{tok.lemma_}+{must.lower_}",
            ))
    return out


# ---------------------------------------------------------------- verbs


def _verb_candidates(tok: "Token", lex: Lexicon, consumed: set[int]) -> Iterator[Candidate]:
    if tok.lemma_.lower() in SAY_VERBS and not any(c.dep_ == "prt" for c in tok.children):
        return  # a statement; but "wrote off loans" is no writing
    received = _received(tok, direct_object(tok), lex)
    if received is not None:
        consumed.add(received.anchor)
        yield received
        return
    match = lex.match_verb(tok)
    if match is None:
        return
    entry, words = match
    comp = _xcomp(tok)
    if comp is None and entry.ctrl == "agree":
        # "vowed he would never cooperate with the ICC": a promise in a that-clause about oneself
        that = _ccomp(tok)
        if that is not None and any(c.dep_ == "aux" and c.lower_ in ("would", "will") for c in that.children) \
                and any(c.dep_ == "nsubj" and c.lower_ in SELF_PRONOUNS for c in that.children):
            comp = that
    if comp is None and entry.ctrl == "request":
        comp = _ccomp(tok) or _to_clause(tok)  # "demanded that Turkey provide information"
        if comp is not None and comp.lemma_.lower() in SAY_VERBS:
            comp = None  # "demanded X, diplomats quoted ... as saying": the report, not the demand
    if entry.ctrl and comp is not None:
        yield from _control(tok, entry, words, comp, lex, consumed)
        return
    # A light verb whose object is an event noun: the noun is the trigger
    # ("imposed a curfew", "ordered the arrest", "began a hunger strike").
    obj = direct_object(tok)
    second = any(c.dep_ in ("oprd", "ccomp") for c in tok.children)  # "called the deal a capitulation"
    if obj is not None and not second and len(words) == 1 and (entry.light or entry.plover is None or _is_light(tok)):
        noun = lex.match_noun(obj)
        if noun is not None:
            consumed.add(obj.i)
            yield _light(tok, noun[0], (tok, *noun[1]), obj)
            return
    if entry.plover is None:
        return
    if second and entry.plover == "CONSULT" and tok.lemma_.lower() == "call":
        # "Milei called Petro a 'murderous communist'": name-calling is criticism, not a phone call
        critic = Trigger(pattern=("call",), pos="V", plover="ACCUSE", mode="disapprove", cameo="111",
                         context=(), rpreps=())
        yield _plain(tok, lex, critic, words, consumed, rule="verb:call+name")
        return
    if entry.plover == "ASSAULT" and tok.lemma_.lower() in METAPHOR_VERBS and obj is not None \
            and obj.dep_ == "dobj" and base_lemma(obj) in ABSTRACT_OBJECTS | NON_EVENT_OBJECTS:
        # "attacked the plan as reckless" is criticism; "beat analysts' forecasts",
        # "targeted the US market", "attacked the world record" are no event at all
        if tok.lemma_.lower() in VERBAL_ATTACKS and base_lemma(obj) in ABSTRACT_OBJECTS:
            critic = Trigger(pattern=(tok.lemma_.lower(),), pos="V", plover="ACCUSE", mode="disapprove",
                             cameo="111", context=(), rpreps=())
            yield _plain(tok, lex, critic, words, consumed, rule=f"verb:{tok.lemma_.lower()}+criticism")
        return
    consumed.update(w.i for w in words[1:])
    yield _plain(tok, lex, entry, words, consumed, rule=f"verb:{' '.join(entry.pattern)}")


# Violence verbs used figuratively: with an abstract object they report no violence.
METAPHOR_VERBS = frozenset("attack beat target storm invade hit crush blast slam fight smash".split())
VERBAL_ATTACKS = frozenset("attack hit blast slam".split())
ABSTRACT_OBJECTS = frozenset('''
plan proposal policy budget decision law bill reform move idea statement remark comment
report deal agreement stance approach strategy handling response rhetoric claim verdict
ruling programme program initiative measure scheme project legislation
'''.split())
NON_EVENT_OBJECTS = frozenset('''
record market forecast expectation estimate price pricing goal competition odds rival
'''.split())


# Verbs whose subject is on the receiving end of the event noun they take: "faces pressure
# from Congress", "drew criticism from France", "won backing from the EU".
RECEIVE_VERBS = frozenset("receive face draw attract win earn get suffer".split())


def _received(tok: "Token", obj: "Token | None", lex: Lexicon) -> Candidate | None:
    """The event noun a subject receives "from" someone: the giver acts on the subject."""
    if tok.lemma_.lower() not in RECEIVE_VERBS or obj is None or obj.dep_ != "dobj":
        return None
    noun = lex.match_noun(obj)
    if noun is None or noun[0].plover is None:
        return None
    givers = _preps(obj, ("from", "by")) or _preps(tok, ("from", "by"))
    if not givers:
        return None
    entry, words = noun
    cand = _make(entry, (tok, *words), obj, givers, _subjects(tok), tok, rule=f"receive:{tok.lemma_}+{' '.join(entry.pattern)}")
    purpose = next((c for c in (*obj.children, *tok.children) if c.dep_ in ("acl", "advcl", "xcomp")
                    and c.pos_ in ("VERB", "AUX")), None)
    if entry.plover == "REQUEST" and purpose is not None:
        # "faces pressure from Congress to help Iran": the mode is what is asked
        inner = lex.match_verb(purpose)
        cand = replace(cand, mode=_content_mode("request", inner[0].plover if inner else None))
    return cand


def _light(verb: "Token", entry: Trigger, words: tuple["Token", ...], noun: "Token") -> Candidate:
    # "sanctions were imposed on Iran by the US": a passive light verb's agent acts
    actors = (_agent(verb) if _is_passive(verb) else _subjects(verb)) or _noun_actors(noun, entry, words)
    recips = _preps(noun, entry.rpreps) or _preps(verb, entry.rpreps) or [
        h for c in verb.children if c.dep_ == "dative" for h in _dative(c)]  # "give Tanzania a grant"
    if not recips and entry.plover == "PROTEST":
        recips = _purpose_targets(verb)  # "began a hunger strike to protest against X"
    cand = _make(entry, words, noun, actors, recips, verb, rule=f"light:{verb.lemma_}+{' '.join(entry.pattern)}")
    return _declared(cand, verb)


DECLARE_VERBS = frozenset("declare announce unveil".split())
PROPOSE_VERBS = frozenset("propose offer suggest".split())


def _declared(cand: Candidate, verb: "Token") -> Candidate:
    """A declared ceasefire or an announced withdrawal is a verbal concession (PLOVER
    CONCEDE: "declarations (but not implementations) of ceasefires and withdrawals"); a
    proposed one is an offer (AGREE)."""
    if cand.event == "RETREAT" and verb.lemma_.lower() in DECLARE_VERBS:
        return replace(cand, event="CONCEDE", mode=None, cameo="080", rule=cand.rule + "+declared")
    if cand.event == "RETREAT" and verb.lemma_.lower() in PROPOSE_VERBS:
        return replace(cand, event="AGREE", mode=None, cameo="036", rule=cand.rule + "+proposed")
    return cand


def _plain(
    tok: "Token",
    lex: Lexicon,
    entry: Trigger,
    words: tuple["Token", ...],
    consumed: set[int],
    *,
    rule: str,
    subject_from: "Token | None" = None,
    modal_from: "Token | None" = None,
) -> Candidate:
    passive = _is_passive(tok)
    actors: list[int] = []
    recips: list[int] = []
    mode = entry.mode
    unknown = False  # an attack whose perpetrator the text does not name ("a roadside bomb killed ...")
    subj_tok = _subject_token(subject_from or tok)
    reduced = _reduced_relative(tok) if subject_from is None else None
    if tok.dep_ == "acl" and tok.tag_ == "VBN" and subject_from is None:
        # "civilians imprisoned by the regime": the noun is the patient, the agent acts
        actors = _agent(tok)
        recips = _heads(tok.head)
    elif reduced is not None:
        actors = _agent(tok)  # the same, read by the parser as a main verb
        recips = _heads(reduced)
    elif passive and tok.lemma_.lower() in STATIVE_PASSIVES and not _agent(tok):
        # "Israel is opposed to French mediation": a state, not a passive; the subject acts
        actors = [h for c in tok.children if c.dep_ == "nsubjpass" for h in _heads(c)]
        recips = _preps(tok, ("to",))
    elif passive or (tok.dep_ == "conj" and _reduced_relative(tok.head) is not None):
        actors = _agent(tok)
        recips = [h for c in tok.children if c.dep_ == "nsubjpass" for h in _heads(c)]
        if not recips and tok.dep_ == "conj" and (patient := _reduced_relative(tok.head)) is not None:
            recips = _heads(patient)  # "the civilians imprisoned for ... were released by Putin"
        if entry.plover == "ASSAULT" and any(c.dep_ == "nsubjpass" and _is_weapon(c) for c in tok.children):
            # "a mortar bomb was fired at Israel from Gaza": the weapon is what was used, the
            # target follows the verb's own preposition
            recips = _preps(tok, entry.rpreps)
            unknown = True
        if entry.plover == "ASSAULT":
            # "killed by an Israeli air strike", "wounded in Turkish artillery shelling": the
            # attack noun names the actor and is this event, not a second one
            for prep in tok.children:
                if prep.dep_ == "agent" or (prep.dep_ == "prep" and prep.lower_ == "in" and not actors):
                    for g in prep.children:
                        noun = lex.match_noun(g) if g.dep_ == "pobj" else None
                        if g.dep_ == "pobj" and (g.lemma_.lower() in INSTRUMENT_NOUNS or (noun and noun[0].plover == "ASSAULT")):
                            consumed.add(g.i)
                            actors = actors or _agent_phrase(g)
                            mode = mode or (noun[0].mode if noun else None)
                            unknown = unknown or _is_weapon(g)
        if not actors and subject_from is not None:
            actors = _subjects(subject_from)
    else:
        if subj_tok is not None:
            noun = lex.match_noun(subj_tok) if subj_tok.pos_ == "NOUN" else None
            if noun is not None and noun[0].plover == entry.plover:
                # "A US drone strike killed ...": the event noun's modifiers are the actor.
                consumed.add(subj_tok.i)
                actors = _noun_actors(subj_tok, noun[0], noun[1])
                mode = mode or noun[0].mode
                unknown = entry.plover == "ASSAULT"
            elif entry.plover == "ASSAULT" and subj_tok.pos_ == "NOUN" and _is_weapon(subj_tok):
                actors = _agent_phrase(subj_tok)  # "a Russian missile hit ...", "a car bomb killed ..."
                unknown = True
            else:
                actors = _heads(subj_tok)
        matched = {w.i for w in words}
        obj = direct_object(tok) or _shifted_object(tok)
        if obj is not None and lex.match_noun(obj) is not None:
            consumed.add(obj.i)  # "attend a summit", "rejected the demand": one event, not two
        if entry.obj_is_recipient and obj is not None and obj.i not in matched:
            recips = _heads(obj)
        recips += [h for c in tok.children if c.dep_ == "dative" for h in _dative(c)]
        # a pattern's own preposition may still introduce the recipient ("called on Rouhani")
        recips += _preps(tok, entry.rpreps, skip={i for i in matched if tok.doc[i].lower_ not in entry.rpreps})
        if obj is not None:
            recips += _preps(obj, entry.rpreps, skip=matched)
        if obj is None and not recips and entry.plover in OWNED_OBJECT_TYPES and len(words) > 1 \
                and words[-1].dep_ == "prep":
            # "called for an emergency meeting of the Arab League": the pattern's own object
            obj = next((g for g in words[-1].children if g.dep_ == "pobj"), None)
            if obj is not None:
                recips = [obj.i]
        if not recips and obj is not None and not entry.obj_is_recipient and entry.plover in OWNED_OBJECT_TYPES \
                and obj.dep_ == "dobj":
            # "suspended imports of Japanese seafood", "froze the assets of Iranian officials",
            # "ratified Sweden's bid": whoever owns the thing acted on receives the act
            recips = [obj.i]
        if entry.plover == "AID" and not recips and obj is not None and obj.dep_ == "dobj" and any(
                c.dep_ == "prep" and c.lower_ == "with" for c in (*tok.children, *obj.children)):
            recips = _heads(obj)  # "supplied Haftar's forces with drones": the one supplied receives
        if entry.swap:
            # "received aid from Poland", "received assurances from the US" ("from" on the object)
            givers = _preps(tok, ("from", "by")) or (_preps(obj, ("from", "by")) if obj is not None else [])
            actors, recips = givers, actors
        elif entry.hostswap and obj is not None:
            actors, recips = _heads(obj), actors
        if entry.sym:
            actors, recips = actors + recips, []
    if entry.plover == "PROTEST":
        # "blocked a road to show disapproval for X", "in defiance of X": the purpose names
        # whom the protest is against; the road or square is only where it happens
        recips = _purpose_targets(tok) or recips
    if entry.plover == "MOBILIZE" and _peace_mission(tok):
        # "will send 1,000 police officers to lead a security mission in Haiti": forces sent on
        # a mission to help another country are aid (CAMEO 074), not a build-up
        entry = replace(entry, plover="AID", mode=None, cameo="074", context=("peacekeeping",))
        rule += "+mission"
        mode = None
        recips = recips or [h for t in tok.subtree if t.dep_ == "prep" and t.lower_ in ("in", "to")
                            for g in t.children if g.dep_ == "pobj" and g.ent_type_ == "GPE" for h in _heads(g)]
    if not recips and entry.plover == "MOBILIZE":
        # "mobilized reservists for a possible war against Iraq": whom the force is aimed at
        recips = [h for t in tok.subtree if t.dep_ == "prep" and t.lower_ == "against" and t.i != tok.i
                  for g in t.children if g.dep_ == "pobj" for h in _heads(g)]
        # "deployed troops to the border with Ukraine": the neighbour faces the build-up
        recips = recips or [h for t in tok.subtree if t.dep_ == "prep" and t.lower_ == "with"
                            and t.head.lemma_.lower() in ("border", "frontier")
                            for g in t.children if g.dep_ == "pobj" for h in _heads(g)]
        # "deployed warships around Taiwan": a named place the force surrounds
        holders = [tok] + ([obj] if (obj := direct_object(tok)) is not None else [])
        recips = recips or [h for x in holders for t in x.children if t.dep_ == "prep"
                            and t.lower_ in ("around", "near", "off", "toward", "towards")
                            for g in t.children if g.dep_ == "pobj" and g.ent_type_ in ("GPE", "LOC") for h in _heads(g)]
    if not recips and entry.plover == "THREATEN":
        recips = _threat_targets(tok)
    if entry.plover == "THREATEN" and tok.lemma_.lower() in ("warn", "caution") and _states_a_fact(tok):
        return replace(_make(entry, words, tok, actors, recips, modal_from or tok, rule=rule), event="")
    if not recips and entry.plover == "ACCUSE":
        comp = _ccomp(tok)  # "alleged that Iran had supplied the drones"
        if comp is not None:
            recips = _subjects(comp)
        else:
            # "complained to Japan": with no "about"/"over", whom one complains to is the target
            recips = _preps(tok, ("to",))
    if unknown and not actors:
        # "rockets were fired at Israel from Lebanon": with nobody named, where the attack
        # came from stands for the attacker (as CAMEO coders code it)
        actors = [h for h in _preps(tok, ("from",)) if tok.doc[h].ent_type_ in ("GPE", "LOC")]
    if entry.plover == "ASSAULT" and _into_the_sea(tok) and all(tok.doc[r].lemma_.lower() in _SEA for r in recips):
        recips = []
        # "fired a ballistic missile into the sea": a weapons test, not an attack
        entry = replace(entry, plover="MOBILIZE", mode="weapons", cameo="152")
        rule += "+test"
        mode = "weapons"
    cand = _make(entry, words, tok, actors, recips, modal_from or tok, rule=rule)
    # PLOVER sector UNK: "generic unidentified actors (e.g. actor for 'two civilians were
    # killed by a bomb')"; the coder gives it the country where the attack happened.
    return replace(cand, mode=mode, default_actor_sector="UNK" if unknown and not actors else None)


def _control(
    tok: "Token",
    entry: Trigger,
    words: tuple["Token", ...],
    comp: "Token",
    lex: Lexicon,
    consumed: set[int],
) -> Iterator[Candidate]:
    """A verb with an infinitival complement: "agreed to meet", "threatened to impose"."""
    inner = _complement_event(comp, lex, consumed)
    ctrl = entry.ctrl
    if ctrl in ("future", "plain", "deny"):
        if inner is None:
            return
        inner_entry, inner_words, inner_tok = inner
        consumed.update(w.i for w in inner_words)
        cand = _plain(inner_tok, lex, inner_entry, inner_words, consumed, rule=f"xcomp:{tok.lemma_}+{' '.join(inner_entry.pattern)}", subject_from=tok, modal_from=tok)
        if not cand.actors:
            cand = replace(cand, actors=tuple(_subjects(tok)))
        if ctrl == "future":
            cand = replace(cand, future=True)
        if ctrl == "deny":
            cand = replace(cand, negated=True)
        yield cand
        return
    # agree / threaten / reject / request: the control verb is the event, the complement its content.
    actors = _subjects(tok)
    recips: list[int] = []
    inner_type = None
    if ctrl == "reject" and comp.lemma_.lower() in PERMIT_VERBS:
        # "refused to allow Palestinian trucks to cross": the one not allowed is refused
        permit_obj = direct_object(comp)
        inner_comp = next((c for c in comp.children if c.dep_ in ("ccomp", "xcomp")), None)
        if permit_obj is not None and permit_obj.dep_ == "dobj":
            recips = _heads(permit_obj)
        elif inner_comp is not None:
            recips = _subjects(inner_comp)
    if ctrl == "request":
        obj = direct_object(tok)
        if comp.dep_ == "ccomp":
            recips = _subjects(comp)
        else:
            recips = _heads(obj) if obj is not None else _preps(tok, entry.rpreps)
    if inner is not None:
        inner_entry, inner_words, inner_tok = inner
        inner_type = inner_entry.plover
        inner_obj = direct_object(inner_tok)
        if not recips:
            recips = _preps(inner_tok, inner_entry.rpreps, skip={w.i for w in inner_words})
            if not recips and inner_obj is not None:
                # "promised to continue military aid to Mozambique"
                recips = _preps(inner_obj, inner_entry.rpreps)
            if not recips and inner_entry.obj_is_recipient and inner_obj is not None:
                recips = _heads(inner_obj)
            if not recips and inner_obj is not None and inner_obj.dep_ == "dobj" \
                    and (inner_entry.plover in OWNED_OBJECT_TYPES or ctrl == "threaten"):
                recips = [inner_obj.i]  # "threatened to block Sweden's bid"
        for w in inner_words:
            consumed.add(w.i)
    if ctrl in ("agree", "threaten"):
        # "promised Lebanon to ...", "threatened Iraq to ...": the object is the recipient
        own = [h for c in tok.children if c.dep_ in ("dative", "dobj") for h in _heads(c)]
        recips = own or recips
    if not recips:
        recips = _preps(tok, entry.rpreps)
    if ctrl == "threaten":
        # "threatened to strike unless Israel rescinded ...": the condition names the target
        recips = _condition_subjects(tok, comp) or recips
    mode = _content_mode(ctrl, inner_type)
    trigger_words = (*words, *(inner[1] if inner else ()))
    cand = _make(entry, trigger_words, tok, actors, recips, tok, rule=f"ctrl:{tok.lemma_}+{inner_type or comp.lemma_}")
    if ctrl == "request" and tok.lemma_.lower() in ("order", "tell", "instruct") and comp.lemma_.lower() in ("leave", "depart", "quit"):
        # "ordered the French ambassador to leave the country": an expulsion, not a request
        yield replace(cand, event="SANCTION", mode="expel", cameo="1663", rule=cand.rule + "+expel")
        return
    context = cand.context
    if inner is not None and inner[0].context:
        context = tuple(dict.fromkeys((*context, *inner[0].context)))
    cand = replace(cand, mode=mode or cand.mode, context=context)
    refrain = any(c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ == "never") for c in comp.children)
    if ctrl == "agree" and inner_type is not None and QUAD[inner_type] == 4 and inner_type != "PROTEST" and not refrain:
        # "vowed to retaliate": a promise of force is a threat; "... unless Nairobi withdrew"
        cond = _condition_subjects(tok, comp)
        cand = replace(cand, event="THREATEN", cameo="130", mode=_content_mode("threaten", inner_type),
                       rule=cand.rule + "+hostile",
                       recipients=tuple(r for r in dict.fromkeys(cond) if r not in cand.actors) or cand.recipients)
    elif ctrl == "agree" and inner_type in ("RETREAT", "CONCEDE") and len(cand.actors) < 2:
        # "agreed to release the prisoners": a promised concession stays CONCEDE (manual); two
        # sides agreeing to reopen their border or extend a truce make an agreement
        cand = replace(cand, event="CONCEDE", cameo="080", mode=None, rule=cand.rule + "+concession")
    if ctrl == "agree" and refrain and not _hostile_act(comp, lex, inner_type):
        # "vowed not to return the Golan": a promise not to do something is a refusal.
        cand = replace(cand, event="REJECT", cameo="120", mode=_content_mode("reject", inner_type),
                       rule=cand.rule + "+not")
    yield cand


def _hostile_act(comp: "Token", lex: Lexicon, inner_type: str | None) -> bool:
    """"agreed not to use force": a promise to refrain from force is an agreement, not a
    refusal (a promise not to cooperate would be)."""
    if inner_type is not None and QUAD.get(inner_type) == 4:
        return True
    obj = direct_object(comp)
    return obj is not None and obj.lemma_.lower() in ("force", "violence", "weapon", "arm", "attack")


def _complement_event(comp: "Token", lex: Lexicon, consumed: set[int], depth: int = 0):
    """The event the infinitival complement expresses, if any: (entry, words, head token).
    Looks through nested aspect and intent verbs ("prepared to resume shelling")."""
    match = lex.match_verb(comp)
    inner = _xcomp(comp)
    if match is not None and match[0].plover is None and inner is not None and depth < 3:
        consumed.add(comp.i)
        return _complement_event(inner, lex, consumed, depth + 1)
    obj = direct_object(comp)
    if obj is not None:
        noun = lex.match_noun(obj)
        if noun is not None and (match is None or match[0].light or match[0].plover is None):
            consumed.add(obj.i)
            return noun[0], (comp, *noun[1]), comp
    if match is not None and match[0].plover is not None:
        return match[0], match[1], comp
    return None


def _content_mode(ctrl: str | None, inner: str | None) -> str | None:
    """PLOVER modes name the content of a threat, request or rejection."""
    if inner is None:
        return None
    if ctrl == "threaten":
        return {"ASSAULT": "violence", "SANCTION": "restrict", "COERCE": "arrest",
                "MOBILIZE": "violence", "PROTEST": "restrict"}.get(inner)
    if ctrl in ("request", "reject"):
        return {"CONSULT": "meet", "AGREE": "meet", "AID": "assist", "COOPERATE": "assist",
                "SUPPORT": "assist", "RETREAT": "yield", "CONCEDE": "yield"}.get(inner, "change")
    return None


# ---------------------------------------------------------------- nouns


def _noun_candidate(tok: "Token", lex: Lexicon) -> Candidate | None:
    """An event noun codes an event only when the text says who did it."""
    match = lex.match_noun(tok)
    if match is None:
        return None
    entry, words = match
    governor = tok.head
    actors: list[int] = []
    rule = f"noun:{' '.join(entry.pattern)}"
    if tok.dep_ == "compound":
        return None  # "riot police", "protest leaders": a modifier, not an event
    if tok.dep_ == "pobj" and governor.lower_ in ("in", "of") and governor.head.dep_ == "dobj" and (
            governor.head.ent_type_ in ("MONEY", "QUANTITY", "CARDINAL") or governor.head.pos_ == "NUM") \
            and _is_light(governor.head.head):
        # "announced $100 million in humanitarian assistance": the amount stands for the aid
        amount = governor.head
        governor = amount.head
        tok_dep = "dobj"
    else:
        tok_dep = tok.dep_
    if tok_dep in ("dobj", "attr") and _is_light(governor) and not any(
            c.dep_ in ("oprd", "ccomp") for c in governor.children):
        actors = _subjects(governor)
        rule = f"light:{governor.lemma_}+{' '.join(entry.pattern)}"
        modal = governor
        words = (governor, *words)
    elif tok.dep_ == "nsubjpass" and _is_light(governor):
        actors = _agent(governor)  # "evidence against Russia was presented by the US"
        rule = f"light:{governor.lemma_}+{' '.join(entry.pattern)}"
        modal = governor
        words = (governor, *words)
    else:
        modal = governor if tok.dep_ in ("nsubj", "nsubjpass") else tok
    if not actors:
        actors = _noun_actors(tok, entry, words)
    if not actors and entry.plover in ("CONSULT", "AGREE") and tok.dep_ == "pobj" and tok.head.lower_ in ("for", "to", "at", "into"):
        # "negotiators returned to Geneva for talks": who goes to the talks holds them.
        verb = tok.head.head
        if verb.pos_ in ("VERB", "AUX"):
            actors = _subjects(verb)
            modal = verb  # "is expected to travel to Riyadh for talks": the talks are future too
    recips = _preps(tok, entry.rpreps)
    if tok.dep_ in ("dobj", "attr") and not recips:
        recips = _preps(governor, entry.rpreps)
    if not recips and entry.plover == "PROTEST":
        recips = _purpose_targets(tok) or _purpose_targets(governor)
    default_sector = None
    if not actors:
        if entry.plover != "PROTEST":
            return None
        if tok.dep_ == "pobj" and tok.head.lower_ in ("at", "during", "near", "outside"):
            return None  # "said at a rally in Pennsylvania": where something else happened
        default_sector = "CVL"
    cand = _make(entry, words, tok, actors, recips, modal, rule=rule)
    if rule.startswith("light:"):
        cand = _declared(cand, governor)
    if any(c.lower_ in ("no", "without") for c in tok.children if c.dep_ == "det"):
        cand = replace(cand, negated=True)
    return replace(cand, default_actor_sector=default_sector)


def _purpose_targets(tok: "Token") -> list[int]:
    """Whom a protest is against, from its purpose clause ("to protest President Assad's
    failure", "to demand reforms by Suharto's government", "in defiance of Chinese authorities")."""
    out: list[int] = []
    for child in tok.children:
        if child.dep_ in ("advcl", "xcomp", "acl") and child.pos_ in ("VERB", "AUX"):
            obj = direct_object(child)
            if obj is not None:
                out += _heads(obj)
            out += [h for p in child.children if p.dep_ == "prep" and p.lower_ in ("against", "at", "by")
                    for g in p.children if g.dep_ == "pobj" for h in _heads(g)]
        elif child.dep_ == "prep" and child.lower_ == "in":
            for g in child.children:
                if g.dep_ == "pobj" and g.lower_ in ("defiance", "protest", "opposition"):
                    out += [h for p in g.children if p.dep_ == "prep" and p.lower_ in ("of", "against", "to")
                            for gg in p.children if gg.dep_ == "pobj" for h in _heads(gg)]
    return out


def _noun_actors(tok: "Token", entry: Trigger, words: tuple["Token", ...]) -> list[int]:
    """Possessors, nationality/name modifiers and "by" agents of an event noun."""
    pattern_words = {w.i for w in words}
    actors: list[int] = []
    for child in tok.children:
        if child.i in pattern_words:
            # "US drone attacks": a pattern word's own modifier names the actor
            actors += [h for g in child.children if g.dep_ in ("compound", "amod", "nmod", "poss")
                       and (g.pos_ == "PROPN" or g.ent_type_ in ("NORP", "GPE", "ORG")) for h in _heads(g)]
            continue
        if child.dep_ == "poss" and child.lower_ not in ("its", "their", "his", "her", "our"):
            actors += _heads(child)
        elif child.dep_ in ("compound", "amod", "nmod") and (child.pos_ == "PROPN" or child.ent_type_ in ("NORP", "GPE", "ORG")):
            actors += _heads(child)
        elif child.dep_ in ("compound", "nmod") and any(
                g.dep_ in ("compound", "amod", "nmod") and (g.pos_ == "PROPN" or g.ent_type_ in ("NORP", "GPE", "ORG"))
                for g in child.children):
            actors.append(child.i)  # "US Predator attacks": the modifier's own modifier names the actor
        elif child.dep_ == "prep" and child.lower_ in ("by", "from") and entry.plover not in VERBAL:
            # "an air strike by government forces" names the actor; "support from Moscow" is
            # usually reported opinion, not a coded act, so verbal types need a possessor.
            actors += [h for g in child.children if g.dep_ == "pobj" for h in _heads(g)]
        elif child.dep_ == "prep" and child.lower_ == "between":
            actors += [h for g in child.children if g.dep_ == "pobj" for h in _heads(g)]
        elif child.dep_ == "poss":
            actors.append(child.i)  # pronoun possessor: resolved through article memory
    if not actors:
        # "a general strike called by opposition parties", "an attack carried out by the group"
        actors = [h for c in tok.children if c.dep_ == "acl" and c.tag_ == "VBN"
                  and c.lemma_.lower() in ORGANISING_VERBS for h in _agent(c)]
    if not actors:
        actors = _claimed_by(tok)
    return actors


ORGANISING_VERBS = frozenset("call organise organize stage launch carry conduct lead mount order plan claim".split())


CLAIM_VERBS = frozenset("claim take accept admit".split())


def _claimed_by(tok: "Token") -> list[int]:
    """Whoever claims responsibility for an attack is its actor: "al-Shabab claimed
    responsibility for the attack", "an attack claimed by al Shabaab" (the claim itself is a
    statement PLOVER does not code)."""
    for child in tok.children:
        if child.dep_ == "acl" and child.lemma_.lower() == "claim":
            agents = _agent(child)
            if agents:
                return agents
    prep = tok.head
    if tok.dep_ != "pobj" or prep.lower_ != "for" or prep.head.lemma_.lower() not in ("responsibility", "credit"):
        return []
    verb = prep.head.head
    return _subjects(verb) if verb.lemma_.lower() in CLAIM_VERBS else []


# ---------------------------------------------------------------- roles


def _ccomp(tok: "Token") -> "Token | None":
    for child in tok.children:
        if child.dep_ == "ccomp" and child.pos_ in ("VERB", "AUX"):
            return child
    return None


def _to_clause(tok: "Token") -> "Token | None":
    """"called on Russia to explain": the parser sometimes hangs the infinitive as an advcl."""
    for child in (*tok.children, *(g for c in tok.children if c.dep_ == "prep" for g in c.children)):
        if child.dep_ == "advcl" and child.pos_ in ("VERB", "AUX") and any(
                a.dep_ == "aux" and a.lower_ == "to" for a in child.children):
            return child
    return None


def _xcomp(tok: "Token") -> "Token | None":
    for child in tok.children:
        if child.dep_ == "xcomp" and child.pos_ in ("VERB", "AUX"):
            return child
    # "agreed to talks", "called for the release": not infinitives, handled as plain verbs.
    return None


# Types whose object, when it is a thing, belongs to the recipient. Not force, build-ups or
# aid, where the object's owner is the actor's own ("fired Iranian-made missiles").
OWNED_OBJECT_TYPES = frozenset("SANCTION REJECT SUPPORT AGREE REQUEST ACCUSE COOPERATE COERCE".split())


# Participles that after "be" name a stance of the subject, not something done to it.
STATIVE_PASSIVES = frozenset("oppose".split())
# Documents whose clause says what their issuer does: "issued a declaration demanding ...".
DOCUMENT_NOUNS = frozenset(
    "statement declaration letter resolution communique communiqué report decree motion note "
    "message petition bill order ruling verdict".split())


def _reduced_relative(tok: "Token") -> "Token | None":
    """The patient of a reduced relative the parser read as the main verb: in "the
    civilians imprisoned for acting against Moscow were released", "imprisoned" gets
    "civilians" as its subject and "released" becomes its subjectless conjunct."""
    if tok.pos_ != "VERB" or tok.tag_ not in ("VBD", "VBN"):
        return None
    subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.pos_ not in ("NOUN", "PROPN") or subj.i > tok.i:
        return None
    if any(c.dep_ in ("aux", "auxpass", "dobj", "ccomp", "xcomp") for c in tok.children):
        return None
    for conj in tok.children:
        if conj.dep_ == "conj" and conj.i > tok.i and any(c.dep_ == "auxpass" for c in conj.children) \
                and not any(c.dep_ in ("nsubj", "nsubjpass", "cc") for c in conj.children) \
                and not any(c.dep_ == "cc" for c in tok.children):
            return subj
    return None


_SEA = frozenset("sea ocean water waters coast".split())


def _peace_mission(tok: "Token") -> bool:
    """A force sent "to lead/join a ... mission", "to help ...", "to keep the peace"."""
    for c in tok.children:
        if c.dep_ in ("advcl", "xcomp") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children):
            if c.lemma_.lower() in ("help", "assist", "support", "protect", "keep", "restore", "stabilise", "stabilize"):
                return True
            obj = direct_object(c)
            if obj is not None and obj.lemma_.lower() in ("mission", "force", "peacekeeping"):
                return True
    return False


def _into_the_sea(tok: "Token") -> bool:
    return any(p.dep_ == "prep" and p.lower_ in ("into", "toward", "towards", "in", "off")
               and any(g.dep_ == "pobj" and g.lemma_.lower() in _SEA for g in p.children) for p in tok.children)


def _states_a_fact(tok: "Token") -> bool:
    """"UN agencies warned that famine was imminent": a warning that foretells no act of the
    speaker's is a statement, not a threat (a threat says what will or could be done)."""
    comp = _ccomp(tok)
    if comp is None or direct_object(tok) is not None:
        return False
    modal = any(c.dep_ in ("aux", "auxpass") and (c.lower_ in FUTURE_AUX | HYPOTHETICAL_AUX or c.lemma_ == "will")
                for c in comp.children)
    return not modal


def _threat_targets(tok: "Token") -> list[int]:
    """Whom a threat is aimed at when the verb has no object: "warned that Russia could use
    nuclear weapons if Ukraine ...", "warned the group would strike deep inside Israel",
    "vowed retaliation after U.S. and British strikes"."""
    comp = _ccomp(tok)
    if comp is not None:
        cond = _condition_subjects(comp)
        if cond:
            return cond
        subj = _subject_token(comp)
        if subj is None or not (subj.pos_ in ("PROPN", "PRON") or any(
                c.pos_ == "PROPN" or c.ent_type_ in ("NORP", "GPE", "ORG") for c in subj.children)):
            return []  # "rising sea levels threaten the Maldives": no party makes the threat
        obj = direct_object(comp)
        if obj is not None and obj.dep_ == "dobj" and obj.pos_ == "PROPN":
            return _heads(obj)
        return _preps(comp, ("against", "on", "inside", "into", "at"))
    # "vowed revenge for the Israeli strike": the attack avenged names the target
    for prep in tok.children:
        if prep.dep_ == "prep" and prep.lower_ in ("after", "for", "over"):
            for g in prep.children:
                if g.dep_ == "pobj" and (g.lemma_.lower() in INSTRUMENT_NOUNS or g.lemma_.lower() in ("killing", "assassination")):
                    return [h for c in g.children if c.dep_ in ("amod", "compound", "nmod", "poss")
                            and (c.pos_ == "PROPN" or c.ent_type_ in ("NORP", "GPE", "ORG")) for h in _heads(c)]
    return []


def _shifted_object(tok: "Token") -> "Token | None":
    """A heavy object moved after an "as" phrase: "denounced as an ugly crime Serbia's
    suppression of ...", which the parser reads as an apposition to the "as" object."""
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ == "as":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    for appos in pobj.children:
                        if appos.dep_ == "appos" and appos.pos_ in ("NOUN", "PROPN"):
                            return appos
    return None


def _is_passive(tok: "Token") -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)


def _subject_token(tok: "Token") -> "Token | None":
    """The subject of a verb, inherited through conjunction, control and relative clauses."""
    seen = 0
    while tok is not None and seen < 6:
        seen += 1
        for child in tok.children:
            if child.dep_ == "nsubj" or (child.dep_ == "nsubjpass" and any(c.dep_ == "xcomp" for c in tok.children)):
                # "Obama is scheduled to attend": a raising passive's subject is the agent
                if child.lower_ in RELATIVE and tok.dep_ == "relcl":
                    return tok.head
                return child
        if tok.dep_ == "acl" and tok.tag_ != "VBN" and tok.head.lemma_.lower() in DOCUMENT_NOUNS \
                and tok.head.dep_ in ("dobj", "nsubjpass") and tok.head.head.pos_ in ("VERB", "AUX"):
            tok = tok.head.head  # "issued a declaration demanding that ...": the issuer demands
            continue
        if tok.dep_ == "relcl" or (tok.dep_ == "acl" and tok.tag_ != "VBN"):
            # "troops stationed near ..." names a patient, not an agent, so VBN is skipped
            return tok.head
        if tok.dep_ in ("conj", "xcomp", "advcl", "acomp") and tok.head.i != tok.i:
            tok = tok.head  # "acomp": "X is ready to ..." has its subject on "is"
            continue
        return None
    return None


def _subjects(tok: "Token") -> list[int]:
    subj = _subject_token(tok)
    return _heads(subj) if subj is not None else []


def _agent(tok: "Token") -> list[int]:
    return [h for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
            for h in _agent_phrase(g)]


# Passive agents that are weapons or attacks, not actors: whoever used them is ("shot down
# by a missile fired by Houthi rebels", "killed by an Israeli air strike").
INSTRUMENT_NOUNS = frozenset(
    "missile rocket bomb shell mortar drone bullet grenade mine strike airstrike raid shelling "
    "fire gunfire artillery explosive device attack bombing barrage salvo projectile round "
    "shot blast explosion tank warplane jet helicopter gunship aircraft plane vessel warship".split())
# Agents that are no one: accidents and nature ("killed by the crash", "by a landslide").
NON_AGENTS = frozenset(
    "crash accident earthquake quake flood flooding storm landslide mudslide avalanche "
    "collapse disease virus fire blaze heatwave cyclone hurricane typhoon tornado lightning "
    "stampede tsunami drought famine".split())


# Instruments of political violence: an attack with one of these and no named user is
# still an attack, by an unidentified actor. Shootings and stabbings are left out: with
# nobody named they are as often crime as politics.
WEAPON_NOUNS = frozenset(
    "bomb bombing missile rocket mortar shell shelling grenade airstrike strike raid ambush "
    "attack ied landmine mine minefield drone artillery".split())
_BLAST_NOUNS = frozenset("explosion blast device detonation".split())
_BLAST_MODS = WEAPON_NOUNS | frozenset("car suicide roadside explosive improvised booby".split())


def _is_weapon(g: "Token") -> bool:
    """A weapon or attack noun ("a roadside bomb", "a car bomb explosion"); an unqualified
    "explosion" may be an accident, so it needs a weapon word with it."""
    lemma = base_lemma(g)
    if lemma in WEAPON_NOUNS:
        return True
    return lemma in _BLAST_NOUNS and any(c.lemma_.lower() in _BLAST_MODS for c in g.children
                                         if c.dep_ in ("compound", "amod", "nmod"))


def _agent_phrase(g: "Token") -> list[int]:
    lemma = g.lemma_.lower()
    if lemma in NON_AGENTS and not any(c.dep_ in ("poss", "amod", "compound") and c.ent_type_ in ("NORP", "GPE")
                                       for c in g.children):
        return []
    if lemma not in INSTRUMENT_NOUNS:
        return _heads(g)
    by = [h for c in g.children if c.dep_ == "prep" and c.lower_ == "by" for x in c.children if x.dep_ == "pobj"
          for h in _heads(x)]
    if by:
        return by  # "an air strike by government forces"
    for child in g.children:
        if child.dep_ == "acl" and child.tag_ == "VBN":
            # "a missile fired by Houthi rebels", "a missile believed to be fired by rebels"
            used_by = _agent(child) or [h for x in child.children if x.dep_ == "xcomp" for h in _agent(x)]
            if used_by:
                return used_by
    if any(c.dep_ in ("poss", "amod", "compound", "nmod") and (c.pos_ == "PROPN" or c.ent_type_ in ("NORP", "GPE", "ORG"))
           for c in g.children):
        return [g.i]  # "a Sri Lankan navy vessel": the phrase names whose weapon it was
    return []


def _preps(tok: "Token", preps: tuple[str, ...], *, skip: set[int] | frozenset[int] = frozenset()) -> list[int]:
    out: list[int] = []
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ in preps and child.i not in skip:
            objs = [g for g in child.children if g.dep_ == "pobj" and g.i not in skip]
            if not objs and (dangling := _dangling_object(child)) is not None:
                objs = [dangling]
            for grand in objs:
                out += _heads(grand)
    return out


_NOMINAL = frozenset("NOUN PROPN NUM ADJ DET PRON".split())


def _dative(tok: "Token") -> list[int]:
    """The recipient of a dative: "gave Iraq ..." or "gave ... to Iraq" (the "to" is
    the dative; its object, or the phrase after it when the parser left it empty)."""
    if tok.pos_ != "ADP":
        return _heads(tok)
    objs = [g for g in tok.children if g.dep_ == "pobj"]
    if not objs and (dangling := _dangling_object(tok)) is not None:
        objs = [dangling]
    return [h for g in objs for h in _heads(g)]


def _dangling_object(prep: "Token") -> "Token | None":
    """The noun phrase right after a preposition the parser left without an object.

    "granted asylum to five officers holed up in ...": the parser makes "officers" the
    subject of "holed" and leaves "to" empty; the phrase after the preposition is still
    its object."""
    if any(c.dep_ in ("pobj", "pcomp") for c in prep.children) or prep.i + 1 >= len(prep.doc):
        return None
    node = prep.doc[prep.i + 1]
    if node.pos_ not in _NOMINAL:
        return None
    while node.head.i != node.i and node.head.pos_ in _NOMINAL and node.head.i > prep.i and node.dep_ != "conj":
        node = node.head
    if node.pos_ not in ("NOUN", "PROPN") or node.dep_ not in ("nsubj", "nsubjpass"):
        return None
    clause = node.head
    return node if clause.head.i == prep.head.i and clause.i > node.i else None


def _heads(tok: "Token") -> list[int]:
    """A phrase head and its conjuncts ("Iran and Iraq" -> both)."""
    out = [tok.i]
    for child in tok.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
            out += _heads(child)
        elif child.dep_ == "appos" and any(g.dep_ == "conj" for g in child.children):
            # "The US, Russia, and Switzerland": a list the parser read as an apposition
            out += _heads(child)
    return out


# ---------------------------------------------------------------- modality


def _modality(tok: "Token") -> tuple[bool, bool, bool]:
    """(negated, future, hypothetical) from the auxiliaries and markers of the trigger's clause."""
    negated = future = hypothetical = False
    clause = tok
    for child in clause.children:
        low = child.lower_
        if child.dep_ == "neg" or (child.dep_ == "advmod" and low in ("never",)):
            negated = True
        if child.dep_ in ("aux", "auxpass"):
            if low in FUTURE_AUX or child.lemma_ == "will":
                future = True
            elif low in HYPOTHETICAL_AUX:
                hypothetical = True
            elif low == "going":
                future = True
    # "would" inside a reported clause is the future in the past ("said it would withdraw").
    if hypothetical and _reported(tok) and any(c.lower_ == "would" for c in tok.children):
        hypothetical, future = False, True
    # "if ..." conditions anywhere up the clause chain.
    node = tok
    for _ in range(4):
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in node.children):
            hypothetical = True
        advcl_if = any(
            c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
            for c in node.children
        )
        if advcl_if and any(c.lower_ in ("would", "could", "might") for c in node.children):
            hypothetical = True
        if node.head.i == node.i:
            break
        node = node.head
    return negated, future, hypothetical


def _reported(tok: "Token") -> bool:
    node = tok
    for _ in range(3):
        if node.dep_ == "ccomp" and node.head.lemma_.lower() in SAY_VERBS:
            return True
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def _attribution(tok: "Token") -> int | None:
    """Who is reported as saying it: "X said (that) ...", "..., X said", "according to X"."""
    node = tok
    for _ in range(4):
        if node.dep_ in ("ccomp", "parataxis") and node.head.lemma_.lower() in SAY_VERBS:
            subj = _subject_token(node.head)
            return subj.i if subj is not None else None
        for child in node.children:
            if child.dep_ in ("parataxis", "ccomp", "advcl") and child.lemma_.lower() in SAY_VERBS and child.i > tok.i:
                subj = _subject_token(child)
                if subj is not None:
                    return subj.i
            if child.dep_ == "prep" and child.lower_ == "according":
                for grand in child.subtree:
                    if grand.dep_ == "pobj":
                        return grand.i
        if node.head.i == node.i:
            return None
        node = node.head
    return None


# ---------------------------------------------------------------- assembly


def _make(
    entry: Trigger,
    words: tuple["Token", ...],
    anchor: "Token",
    actors: list[int],
    recips: list[int],
    modal: "Token",
    *,
    rule: str,
) -> Candidate:
    negated, future, hypothetical = _modality(modal)
    if modal is not anchor:
        n2, f2, h2 = _modality(anchor)
        negated, future, hypothetical = negated or n2, future or f2, hypothetical or h2
    conditional = _has_condition(modal) or _has_condition(anchor)
    actor_set = tuple(dict.fromkeys(actors))
    recip_set = tuple(r for r in dict.fromkeys(recips) if r not in actor_set)
    return Candidate(
        event=entry.plover or "",
        mode=entry.mode,
        cameo=entry.cameo,
        context=entry.context,
        trigger=tuple(sorted({w.i for w in words})),
        anchor=anchor.i,
        actors=actor_set,
        recipients=recip_set,
        attribution=_attribution(anchor),
        negated=negated,
        future=future,
        hypothetical=hypothetical,
        rule=rule,
        conditional=conditional,
    )


def _conditions(*nodes: "Token") -> list["Token"]:
    """The "if"/"unless" clauses hanging off these words."""
    return [c for n in nodes for c in n.children if c.dep_ == "advcl"
            and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)]


def _condition_subjects(*nodes: "Token") -> list[int]:
    """Who a condition is about ("... unless Nairobi withdrew its troops"): its subjects."""
    return [h for c in _conditions(*nodes) for h in _subjects(c)]


def _has_condition(tok: "Token") -> bool:
    """The clause carries an "if"/"unless" condition."""
    return bool(_conditions(tok))


# Types whose object or complement is their content, not a separate event:
# "rejected a US request to ...", "welcomed the agreement", "accused Y of attacking Z".
VERBAL = frozenset("AGREE SUPPORT CONCEDE REQUEST ACCUSE REJECT THREATEN".split())
_NOT_CONTENT = frozenset("nsubj nsubjpass csubj aux auxpass neg advmod punct cc conj advcl npadvmod mark parataxis agent expl prt".split())
# Event nouns under these prepositions are background to the reported event.
BACKGROUND_PREPS = frozenset("after following since amid during before despite ahead".split())
# An event noun under these is the topic of another act ("a summit on the unrest").
TOPIC_PREPS = frozenset("on over about regarding concerning against".split())


def _drop_suppressed(cands: list[Candidate], sent: "Span") -> list[Candidate]:
    """Drop candidates that are only the content, motive or background of another event."""
    doc = sent.doc
    content: set[int] = set()
    protest_purpose: set[int] = set()
    for cand in cands:
        anchor = doc[cand.anchor]
        if cand.event in VERBAL or cand.rule.startswith(("obligation:", "allegation:")):
            roots = [c for c in anchor.children if c.dep_ not in _NOT_CONTENT]
            if cand.rule.startswith("obligation:"):
                roots = [c for c in anchor.children if c.dep_ not in ("nsubj", "aux", "punct")]
            for root in roots:
                if root.i in cand.actors:
                    continue
                content.update(t.i for t in root.subtree if t.i != anchor.i)
        if cand.event == "PROTEST":
            # The demand a protest makes is its topic, not another event (PLOVER manual).
            heads = [anchor, anchor.head] if anchor.pos_ == "NOUN" else [anchor]
            for head in heads:
                for child in head.children:
                    if child.dep_ in ("advcl", "xcomp", "acl", "prep"):
                        protest_purpose.update(t.i for t in child.subtree)
    for cand in cands:
        if cand.rule.startswith("permission:"):
            # what was not allowed did not happen
            anchor = doc[cand.anchor]
            for child in anchor.children:
                if child.dep_ not in ("nsubj", "aux", "neg", "punct", "advmod"):
                    content.update(t.i for t in child.subtree)
    for tok in sent:
        if tok.lemma_.lower() in DESIRE_VERBS:
            for child in tok.children:
                if child.dep_ in ("ccomp", "xcomp") and (
                        any(g.dep_ in ("nsubj", "nsubjpass") for g in child.children)
                        or any(c.dep_ == "dobj" for c in tok.children)):
                    content.update(t.i for t in child.subtree)  # someone else's wished-for act
    demanded = {c.anchor for c in cands if c.rule.startswith("obligation:")}
    refused = {c.anchor for c in cands if c.rule.startswith("permission:")}
    # "reaffirmed their support at a summit", "blew himself up at a rally": an event noun
    # after "at" is the setting of the verb's event, not a second event
    triggered = {i for c in cands for i in c.trigger}
    setting = {c.anchor for c in cands if doc[c.anchor].pos_ == "NOUN" and doc[c.anchor].dep_ == "pobj"
               and doc[c.anchor].head.lower_ == "at"
               and ({doc[c.anchor].head.head.i, doc[c.anchor].head.head.head.i} & (triggered - set(c.trigger)))}
    kept = []
    merged: dict[int, list[int]] = {}
    for cand in cands:
        if cand.anchor in content and not cand.rule.startswith("obligation:"):
            continue
        if cand.anchor in demanded and not cand.rule.startswith("obligation:"):
            continue  # "Sudan must return the helicopter": the return is only demanded
        if cand.anchor in refused and not cand.rule.startswith("permission:"):
            continue  # "never permitted observers": the refusal, not a negated RETREAT
        if cand.anchor in setting:
            continue
        if _unrealised(doc[cand.anchor]):
            continue  # "a law allowing the government to ban", "its commitment to defend"
        head = _repeated_participle(cand, cands, doc)
        if head is not None:
            # "stormed the town, killing 12": the killing is the storming's toll, and its
            # victims are the storming's recipients
            merged.setdefault(head, []).extend(cand.recipients)
            continue
        if cand.anchor in protest_purpose and cand.event in ("REQUEST", "ACCUSE", "PROTEST"):
            continue
        if _in_background(doc[cand.anchor]) or _denied(doc[cand.anchor]) or _describes_participant(doc[cand.anchor]):
            continue
        if doc[cand.anchor].dep_ == "relcl" and sent.root.lemma_.lower() in OBITUARY_VERBS:
            continue  # "de Klerk, who freed Mandela, died at 85": a life recalled, not news
        kept.append(cand)
    if merged:
        kept = [replace(c, recipients=tuple(dict.fromkeys(
                    (*c.recipients, *(r for r in merged[c.anchor] if r not in c.actors)))))
                if c.anchor in merged else c for c in kept]
    return kept


OBITUARY_VERBS = frozenset("die bury mourn remember honour honor eulogize".split())
# Nouns whose "to" clause names an act not (yet) done: "a plan to withdraw", "the right to strike".
UNREALISED_NOUNS = frozenset(
    "law bill plan commitment ability right decision proposal attempt bid effort threat promise "
    "pledge readiness willingness intention intent plot scheme order power authority mandate "
    "permission".split())


def _unrealised(tok: "Token") -> bool:
    """A verb event inside a clause that modifies an abstract noun ("its commitment to
    defend its members", "a law allowing the government to ban broadcasters")."""
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    node = tok
    for _ in range(3):
        if node.dep_ == "acl" and node.head.lemma_.lower() in UNREALISED_NOUNS:
            return True
        if node.dep_ not in ("xcomp", "ccomp", "acl") or node.head.i == node.i:
            return False
        node = node.head
    return False


def _repeated_participle(cand: Candidate, cands: list[Candidate], doc) -> int | None:
    """A participle clause that repeats its head's event type ("shelled the town, killing 12",
    "imposed sanctions, freezing assets") adds no event: the anchor of the event it repeats."""
    tok = doc[cand.anchor]
    if tok.dep_ != "advcl" or tok.tag_ != "VBG":
        return None
    for o in cands:
        if o is not cand and o.event == cand.event and (o.anchor == tok.head.i or tok.head.i in o.trigger):
            return o.anchor
    return None


_QUANTITIES = frozenset("thousand hundred dozen ten score million".split())


def _crowd(tok: "Token") -> bool:
    """A crowd that may protest: "protesters", "students", "thousands" (but "thousands of
    pilgrims" are pilgrims)."""
    lemma = tok.lemma_.lower()
    if lemma in _QUANTITIES:
        counted = [g for p in tok.children if p.dep_ == "prep" and p.lower_ == "of" for g in p.children if g.dep_ == "pobj"]
        return not counted or any(_crowd(g) or g.ent_type_ == "NORP" for g in counted)  # "thousands of Nigerians"
    return lemma in CROWD_NOUNS


def _protest_context(tok: "Token") -> bool:
    """A march or gathering "on parliament", "against the law", "demanding higher pay"."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("on", "against", "outside"):
            return True
        if c.dep_ in ("advcl", "xcomp") and c.lemma_.lower() in ("demand", "protest", "call", "denounce", "condemn", "oppose", "chant"):
            return True
    # "converging for a rally to protest ...": a protest word in the verb's own phrases
    return any(t.lemma_.lower() in ("protest", "rally", "demonstration", "demonstrate") and t.i != tok.i
               for t in tok.subtree if clause_head(t.head).i == tok.i or t.head.i == tok.i)


def _in_background(tok: "Token") -> bool:
    """An event noun reported as background: "after violent protests", "in response to unrest"."""
    if tok.pos_ != "NOUN":
        return False
    node = tok
    for _ in range(4):
        head = node.head
        if head.i == node.i or head.pos_ in ("VERB", "AUX"):
            return False
        if head.dep_ == "prep" or head.pos_ == "ADP":
            word = head.lower_
            if word in BACKGROUND_PREPS or (word in TOPIC_PREPS and node.i == tok.i):
                return True
            if word == "to" and head.head.lower_ in ("response", "prior", "up", "run-up", "lead-up"):
                return True  # "in response to", "prior to", "in the run-up to"
            if word == "of" and head.head.lower_ in ("wake", "aftermath", "ahead", "eve", "anniversary"):
                return True  # "ahead of the general strike", "on the eve of the summit"
            if word == "in" and tok.lower_ in ("protest", "protests", "response", "retaliation"):
                return True
        node = head
    return False


def _describes_participant(tok: "Token") -> bool:
    """A perfect-tense relative clause describes a participant's past ("the group that has
    seized parts of Iraq"): background, not the reported event."""
    return tok.dep_ == "relcl" and any(c.dep_ == "aux" and c.lemma_ == "have" for c in tok.children)


def _denied(tok: "Token") -> bool:
    """"X denied attacking Z": what is denied or dismissed is not coded (but in "X accused Y,
    a charge Y denied", the denial comes after and the parser's attachment is wrong)."""
    node = tok
    for _ in range(4):
        head = node.head
        if head.i == node.i:
            return False
        if head.lemma_.lower() in ("deny", "dismiss") and node.dep_ in ("ccomp", "pcomp", "xcomp", "dobj") \
                and head.i < node.i:
            return True
        node = head
    return False
