"""Check-worthiness features of one sentence or clause.

Two parts, both used by the fitted linear model in ``scoring``: a few dozen interpretable
cues (quantities, dates, names, attribution, hedges, ...) whose weights become the claim's
``reasons``, and a small lexical component (lower-cased words and word pairs).
"""

from __future__ import annotations

import itertools
import math
import re

from claimdesk.core.dates import MONTHS

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*%?|[$€£%?]")
_CAP_WORD = re.compile(r"(?<![.!?]\s)(?<!^)(?<![\"“‘(])\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")


def _words(*items: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(items) + r")\b", re.I)


_NUMBER_WORDS = _words(
    "hundreds?",
    "thousands?",
    "millions?",
    "billions?",
    "trillions?",
    "dozens?",
    "half",
    "twice",
    "double[sd]?",
    "tripled?",
    "quadrupled?",
    "percent",
    "per cent",
    "percentage",
    "majority",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "first",
    "second",
    "third",
    "tenth",
)
_DIGIT = re.compile(r"\d")
_MONEY = re.compile(
    r"[$€£]|\b(?:dollars?|euros?|pounds|budget|tax(?:es)?|deficit|debt|spending)\b", re.I
)
_PERCENT = re.compile(r"%|\bper ?cent\b", re.I)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)s?\b")
_DATE_WORDS = re.compile(
    r"\b(?:"
    + "|".join(m for m in MONTHS if len(m) > 3)
    + r")\b|\b(?:last|this|next) (?:year|month|"
    r"week|decade|century)\b|\b\d+ (?:years?|months?|weeks?|days?) ago\b|\bsince\b|\byesterday\b",
    re.I,
)
_PERSON_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|St)\.\s*[A-Z]|\b(?:President|Senator|"
    r"Congressman|Congresswoman|Governor|Minister|Prime Minister|Secretary|Ambassador|Mayor|Judge|"
    r"Justice|Chancellor|King|Queen|Prince|General|Admiral|Speaker|Chairman|Director|CEO|Pope|Leader"
    r")\s+[A-Z][a-z]",
)
_ORG = re.compile(
    r"\b(?:[A-Z][a-z]+\s+)*(?:Ministry|Department|Congress|Senate|Parliament|Government|Agency|"
    r"Company|Corporation|Corp|Inc|Ltd|University|Party|Bank|Council|Commission|Court|Association|"
    r"Union|Nations|Army|Forces|Police|Institute|Organi[sz]ation|Committee|Office|Administration|"
    r"Federal Reserve|Pentagon|White House|Kremlin|Treasury|Bureau|Board|Authority|Service)s?\b"
    r"|\b(?:NATO|EU|UN|FBI|CIA|NSA|IRS|EPA|WHO|IMF|OPEC|NASA|CDC|FDA|GOP|NRA|ISIS|ISIL|OECD)\b"
    r"|\b(?:ministry|government|parliament|congress|senate|administration|agency|department)\b",
)
_QUOTE = re.compile(r"[\"“][^\"“”]{12,}[\"”]")
_ATTRIBUTION = _words(
    "according to",
    "said",
    "says",
    "stated",
    "told",
    "reported",
    "announced",
    "claimed",
    "confirmed",
    "declared",
    "testified",
    "wrote",
    "tweeted",
    "as stated by",
)
_ASSERTION = _words(
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "voted",
    "passed",
    "signed",
    "increased",
    "decreased",
    "rose",
    "fell",
    "grew",
    "dropped",
    "doubled",
    "tripled",
    "cut",
    "raised",
    "lost",
    "won",
    "created",
    "killed",
    "spent",
    "cost",
    "paid",
    "funded",
    "approved",
    "rejected",
    "banned",
    "recalled",
    "occupied",
    "invaded",
    "launched",
    "sold",
    "bought",
    "purchased",
    "agreed",
    "accused",
    "criticized",
    "criticised",
    "imposed",
    "earned",
    "owns",
    "employs",
    "receives",
    "supported",
    "opposed",
    "introduced",
    "closed",
    "opened",
    "shipped",
    "hired",
    "fired",
)
_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|higher|lower|larger|smaller|bigger|greater|faster|slower|cheaper)\s+than\b|"
    r"\b(?:than|compared (?:to|with)|versus|record|largest|biggest|highest|lowest|smallest|fastest|"
    r"most|least|top|only|increase|decrease|rise|fall|growth|decline)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(?:i|we) (?:think|believe|feel|hope|guess|suppose|want|love|like)\b"
    r"|\bin my (?:opinion|view)\b|"
    r"\b(?:should|must|ought to|need to|needs to|have to|has to)\b|\b(?:great|wonderful|terrible|"
    r"horrible|disgrace(?:ful)?|ridiculous|amazing|incredible|tremendous|beautiful|awful|fantastic|"
    r"sad|shameful|outrageous|shocking|disaster|seriousness|gravity|"
    r"complexit(?:y|ies)|deep-rooted|underscores?|highlights?|testament|clearly|obviously|"
    r"unfortunately|sadly|fortunately|truly|really|honestly|frankly)\b",
    re.I,
)
_HEDGE = _words(
    "maybe",
    "perhaps",
    "might",
    "may",
    "could",
    "possibly",
    "probably",
    "likely",
    "unlikely",
    "seems?",
    "appears?",
    "allegedly",
    "reportedly",
    "apparently",
    "sort of",
    "kind of",
    "i guess",
    "somewhat",
    "rather",
)
_PREDICTION = _words(
    "will",
    "won't",
    "going to",
    "gonna",
    "would",
    "plan to",
    "plans to",
    "intend",
    "intends",
    "promise",
    "promises",
    "tomorrow",
    "future",
)
_FIRST_PERSON = _words("i", "me", "my", "mine", "i'm", "i've", "i'll", "i'd")
_WE = _words("we", "us", "our", "ours", "we're", "we've", "we'll")
_SECOND_PERSON = _words("you", "your", "yours", "you're", "you've", "you'll")
_PROCEDURAL = re.compile(
    r"\b(?:thank(?:s| you)|welcome|ladies and gentlemen|good (?:evening|morning|night)|applause|"
    r"let me|let's|let us|excuse me|go ahead|okay|ok|yes|no|well|please|congratulations|"
    r"laughter|crosstalk|folks)\b",
    re.I,
)
_NEGATION = _words("not", "never", "no", "nobody", "nothing", "none", "n't", "neither")
_PAST = re.compile(r"\b[a-z]{3,}ed\b")
_QUESTION_START = re.compile(
    r"^\W*(?:who|what|when|where|why|how|which|is|are|do|does|did|can|could|would|should|will|"
    r"isn't|aren't|don't|doesn't|didn't|won't|wouldn't)\b",
    re.I,
)

#: Readable names of the interpretable cues, used as ``reasons``.
CUE_NAMES: dict[str, str] = {
    "quantity": "quantity",
    "percentage": "percentage",
    "money": "money or budget",
    "date": "date",
    "named_person": "named person",
    "named_organisation": "named organisation",
    "named_entity": "named entity",
    "attributed_quote": "attributed quote",
    "attribution": "attribution",
    "assertion_verb": "verb of assertion",
    "past_tense": "past event",
    "comparison": "comparison",
    "opinion": "opinion",
    "hedge": "hedge",
    "prediction": "prediction",
    "question": "question",
    "first_person": "first person",
    "we": "first person plural",
    "second_person": "second person",
    "procedural": "small talk",
    "negation": "negation",
    "short": "too short",
    "length": "length",
}
CUES: tuple[str, ...] = tuple(CUE_NAMES)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; numbers collapse to ``<num>``."""
    out = []
    for tok in _TOKEN.findall(text):
        out.append("<num>" if tok[0].isdigit() else tok.lower().replace("’", "'"))
    return out


def lexical_terms(text: str) -> set[str]:
    """Words and adjacent word pairs (``a_b``) of ``text``."""
    toks = tokens(text)
    terms = set(toks)
    terms.update(f"{a}_{b}" for a, b in itertools.pairwise(toks))
    return terms


def cues(text: str) -> dict[str, float]:
    """Interpretable cue values in [0, 1] for ``text`` (a sentence or a clause)."""
    n = len(_TOKEN.findall(text))
    caps = len(_CAP_WORD.findall(text)) + len(_ACRONYM.findall(text))
    stripped = text.rstrip("\"'”’) ")

    def count(pattern: re.Pattern[str], cap: int) -> float:
        return min(len(pattern.findall(text)), cap) / cap

    values = {
        "quantity": 1.0 if _DIGIT.search(text) else 0.5 * count(_NUMBER_WORDS, 1),
        "percentage": count(_PERCENT, 1),
        "money": count(_MONEY, 1),
        "date": max(count(_YEAR, 1), count(_DATE_WORDS, 1)),
        "named_person": count(_PERSON_TITLE, 1),
        "named_organisation": count(_ORG, 1),
        "named_entity": min(caps, 4) / 4,
        "attributed_quote": count(_QUOTE, 1),
        "attribution": count(_ATTRIBUTION, 1),
        "assertion_verb": count(_ASSERTION, 2),
        "past_tense": count(_PAST, 2),
        "comparison": count(_COMPARISON, 1),
        "opinion": count(_OPINION, 2),
        "hedge": count(_HEDGE, 1),
        "prediction": count(_PREDICTION, 1),
        "question": 1.0 if stripped.endswith("?") else 0.5 if _QUESTION_START.match(text) else 0.0,
        "first_person": count(_FIRST_PERSON, 2),
        "we": count(_WE, 2),
        "second_person": count(_SECOND_PERSON, 2),
        "procedural": count(_PROCEDURAL, 2),
        "negation": count(_NEGATION, 1),
        "short": 1.0 if n < 6 else 0.0,
        "length": min(math.log1p(n) / math.log1p(60), 1.0),
    }
    return values
