"""From sentences to claim spans: strip labels and attributions, split multi-claim sentences
into clauses, find the claimant, score, and mark repeated claims."""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimdesk.core.cleaning import LABEL_PREFIX, is_table_row
from claimdesk.core.scoring import score_text
from claimdesk.core.segmentation import Sentence

_MIN_WORDS = 4
_WORD = re.compile(r"\w+")
_SPEECH = (
    r"(?:said|says|stated|states|told (?:reporters|journalists|\w+)|announced|added|claimed"
    r"|noted|wrote|insisted|argued|explained)"
)
_SOURCE_NOUN = (
    r"(?:(?:a|an|the|its|their|his|her)\s+)?(?:(?:joint|official|written|brief|short|new|recent)\s+)?"
    r"(?:statement|report|press release|communiqu[eé]|release|announcement|memo|letter|post|tweet"
    r"|spokesperson|spokesman|spokeswoman|filing|document|study|survey|analysis|data|figures)"
    r"\s+(?:released|issued|published|put out|posted|made|sent|shared|cited|seen)?\s*"
    r"(?:by|from|of)\s+"
)
# When a statement was made: "said on Tuesday", "said last week", "said yesterday".
_WHEN = (
    r"(?:\s+(?:on|last|this|late|early|earlier)\s+\w+"
    r"|\s+(?:yesterday|today|tonight|earlier|recently|later))?"
)
# Attribution after the claim: "..., according to X." / "..., as stated by X." /
# "..., said X." (an inverted "said X" always follows a comma: "while officials said the
# equipment was defensive" is a second claim, not an attribution).
_TRAILING = re.compile(
    r"(?:[,;]?\s+(?:according to|as (?:stated|reported|announced|confirmed|noted) by)"
    r"|[,;]\s*" + _SPEECH + r")"
    r"\s+(?P<who>(?:the |a |an )?(?!on |in |at |that |this |last |yesterday|today)"
    r"[^,.;!?\"“”]{2,80}(?:,\s*[A-Z][^,.;!?\"“”]{1,40})?)"
    r"[.!?]?[\"”’]?\s*$",
    re.I,
)
# "..., X said." / "..., X said on Tuesday." (subject before the verb)
_TRAILING_SUBJECT = re.compile(
    r"[,;]\s*[\"”’]?\s*(?P<who>(?:the |a )?[A-Za-z][\w.'’-]*(?:\s+[\w.'’-]+){0,5}?)\s+"
    + _SPEECH
    + _WHEN
    + r"[.!?]?\s*$",
    re.I,
)
# Attribution before the claim: "According to X, ..." / "X said (that) ..."
_LEADING = re.compile(
    r"^(?:according to|as (?:stated|reported) by)\s+(?P<who>[^,]{2,80}),\s*", re.I
)
_LEADING_SUBJECT = re.compile(
    r"^(?P<who>(?:The |A )?[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){0,5}?)\s+"
    + _SPEECH
    + _WHEN
    + r"\s+(?:that\s+)?",
)
# Connectives between two checkable clauses; the second clause starts after the connective.
_CONNECTIVE = re.compile(
    r",\s+(?:(?:ultimately|eventually|thereby|further)\s+)?(?:resulting in|leading to|eliciting|"
    r"prompting|causing|triggering|sparking|which led to)\s+"
    r"|,\s+(?:though|although|even though|while|whereas|but|yet)\s+|;\s+",
    re.I,
)


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    claimant: str | None
    score: float
    reasons: tuple[str, ...]


def _claimant(who: str) -> str:
    who = re.sub(r"^" + _SOURCE_NOUN, "", who.strip(), flags=re.I)
    return who.strip(" ,.;:\"“”'’")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:—–-|"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-|"):
        end -= 1
    return start, end


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _core(text: str, sentence: Sentence) -> tuple[int, int, str | None]:
    """The sentence without an opening label and without an explicit attribution."""
    start, end = sentence.start, sentence.end
    claimant = None
    label = LABEL_PREFIX.match(text, start, end)
    if label and _words(text[label.end() : end]) >= _MIN_WORDS:
        start = label.end()
    body = text[start:end]
    for pattern in (_TRAILING, _TRAILING_SUBJECT):
        match = pattern.search(body)
        if match and _words(body[: match.start()]) >= _MIN_WORDS:
            who = _claimant(match.group("who"))
            if who and _words(who) <= 10:
                claimant = who
                end = start + match.start()
                # keep a closing quotation mark that belongs to the claim
                if body[: match.start()].count('"') % 2 == 1 and body[match.start() :].startswith(
                    '"'
                ):
                    end += 1
                break
    body = text[start:end]
    for pattern in (_LEADING, _LEADING_SUBJECT):
        match = pattern.match(body)
        if match and _words(body[match.end() :]) >= _MIN_WORDS:
            claimant = claimant or _claimant(match.group("who"))
            start += match.end()
            break
    start, end = _trim(text, start, end)
    return start, end, claimant


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at connectives when both sides are long enough to check."""
    parts: list[tuple[int, int]] = []
    cursor = start
    for match in _CONNECTIVE.finditer(text, start, end):
        if (
            _words(text[cursor : match.start()]) >= _MIN_WORDS
            and _words(text[match.end() : end]) >= _MIN_WORDS
        ):
            parts.append((cursor, match.start()))
            cursor = match.end()
    parts.append((cursor, end))
    return [_trim(text, a, b) for a, b in parts]


def _clause_attribution(text: str, start: int, end: int) -> tuple[int, str | None]:
    """A later clause may name its own speaker: "..., while officials said the X was Y"."""
    match = _LEADING_SUBJECT.match(text[start:end])
    if match is None or _words(text[start + match.end() : end]) < _MIN_WORDS:
        return start, None
    return start + match.end(), _claimant(match.group("who"))


def candidates(text: str, sentences: list[Sentence]) -> list[Candidate]:
    """Every claim candidate of ``text``, in document order."""
    found: list[Candidate] = []
    for sentence in sentences:
        if _words(sentence.text) < _MIN_WORDS:
            continue
        if is_table_row(sentence.text):
            # a table row is checkable when it holds a figure; it is one claim, never split
            if any(c.isdigit() for c in sentence.text):
                a, b = _trim(text, sentence.start, sentence.end)
                row = score_text(sentence.text)
                found.append(Candidate(a, b, None, row.value, row.reasons))
            continue
        start, end, claimant = _core(text, sentence)
        if _words(text[start:end]) < _MIN_WORDS:
            continue
        whole = score_text(sentence.text)
        for a, b in _clauses(text, start, end):
            if a >= b:
                continue
            if (a, b) == (start, end):
                found.append(Candidate(a, b, claimant, whole.value, whole.reasons))
                continue
            a, own_claimant = _clause_attribution(text, a, b)
            part = score_text(text[a:b])
            reasons = part.reasons + tuple(r for r in whole.reasons if r not in part.reasons)
            who = own_claimant or claimant
            found.append(Candidate(a, b, who, (part.value + whole.value) / 2, reasons))
    return found


def duplicate_key(quote: str) -> str:
    return " ".join(_WORD.findall(quote.casefold()))
