"""Re-anchoring claims after an article changes: every claim lands on its own words, the
words with a few changed, or becomes an orphan; never on other words."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from claimdesk.core.anchoring import QUOTE_MIN, Anchor, Reanchored, reanchor

OLD = (
    "The city council approved a budget of 12.5 million euros on 3 March 2026.\n\n"
    "Councillor Ana Ruiz said the new tram line will cost 40% more than planned. "
    "Unemployment rose to 5.1% in May, the statistics office said. "
    "Unemployment rose to 5.4% in June, the statistics office said.\n\n"
    "What a wonderful day for the city."
)
BUDGET = "The city council approved a budget of 12.5 million euros on 3 March 2026."
TRAM = "the new tram line will cost 40% more than planned"
MAY = "Unemployment rose to 5.1% in May"
JUNE = "Unemployment rose to 5.4% in June"
DAY = "What a wonderful day for the city."


def anchor(text: str, quote: str, nth: int = 0) -> Anchor:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    return Anchor(start, end, quote, text[max(0, start - 32) : start], text[end : end + 32])


def exact(new: str, result: Reanchored) -> None:
    assert result.state != "orphaned"
    assert new[result.start : result.end] == result.quote
    assert new[: result.start].endswith(result.prefix)
    assert new[result.end :].startswith(result.suffix)


def test_unchanged_text_keeps_every_claim_where_it_was() -> None:
    claims = [anchor(OLD, q) for q in (BUDGET, TRAM, MAY, JUNE, DAY)]
    for claim, result in zip(claims, reanchor(OLD, OLD, claims), strict=True):
        assert (result.state, result.start, result.end) == ("anchored", claim.start, claim.end)
        exact(OLD, result)


def test_the_acceptance_edit_keeps_survivors_on_their_words_and_orphans_the_deleted() -> None:
    new = (
        "Correction: an earlier version misstated the budget. Officials met on Monday.\n\n"
        "The city council approved a budget of 13 million euros on 3 March 2026.\n\n"
        "Councillor Ana Ruiz said the new tram line will cost 40% more than planned. "
        "Unemployment rose to 5.4% in June, the statistics office said.\n\n"
        "What a wonderful day for the city."
    )
    budget, tram, may, june, day = reanchor(
        OLD, new, [anchor(OLD, q) for q in (BUDGET, TRAM, MAY, JUNE, DAY)]
    )
    assert budget.state == "changed"
    assert budget.quote == "The city council approved a budget of 13 million euros on 3 March 2026."
    exact(new, budget)
    for result, quote in ((tram, TRAM), (june, JUNE), (day, DAY)):
        assert (result.state, result.quote) == ("moved", quote)
        exact(new, result)
    # the May sentence is gone: the June one starts with the same words but is not it
    assert (may.state, may.start, may.end, may.quote) == ("orphaned", 0, 0, MAY)
    assert may.prefix == anchor(OLD, MAY).prefix


def test_a_deleted_sentence_does_not_land_on_a_similar_neighbour() -> None:
    old = "Prices rose 5% in May. Prices rose 6% in June. Rents were flat."
    new = "Prices rose 6% in June. Rents were flat."
    (may,) = reanchor(old, new, [anchor(old, "Prices rose 5% in May.")])
    assert may.state == "orphaned"


def test_a_repeated_quote_whose_copy_was_deleted_is_orphaned_not_moved_to_the_other() -> None:
    old = "Minister A said taxes fell. Minister B said taxes fell. The end."
    new = "Minister B said taxes fell. The end."
    first, second = reanchor(
        old, new, [anchor(old, "taxes fell."), anchor(old, "taxes fell.", nth=1)]
    )
    assert first.state == "orphaned"
    assert second.state == "moved" and second.start == new.index("taxes fell.")


def test_a_moved_paragraph_takes_its_claim_along() -> None:
    old = "First paragraph about roads.\n\nSecond paragraph: the bridge cost 4 million.\n\nEnd."
    new = "Second paragraph: the bridge cost 4 million.\n\nFirst paragraph about roads.\n\nEnd."
    (bridge,) = reanchor(old, new, [anchor(old, "the bridge cost 4 million.")])
    assert bridge.state in ("moved", "anchored")
    exact(new, bridge)
    assert bridge.quote == "the bridge cost 4 million."


def test_a_short_quote_found_only_in_new_unrelated_text_is_orphaned() -> None:
    old = "Officials said the plan costs 40%. Nothing else."
    new = "Nothing else. Elsewhere, a survey found 40%."
    (share,) = reanchor(old, new, [anchor(old, "40%")])
    assert share.state == "orphaned"


def test_words_changed_at_the_edges_of_a_claim_snap_to_whole_words() -> None:
    old = "Intro text here. Inflation reached 7 percent last year, officials said. Outro."
    new = "Intro text here. Inflation reached 7.4 percent last year, officials said. Outro."
    (claim,) = reanchor(old, new, [anchor(old, "Inflation reached 7 percent last year")])
    assert claim.state == "changed" and claim.quote == "Inflation reached 7.4 percent last year"
    exact(new, claim)
    assert claim.similarity >= QUOTE_MIN


def test_a_claim_rewritten_beyond_recognition_is_orphaned() -> None:
    old = "Intro. The tram will cost 40% more than planned. Outro."
    new = "Intro. Nobody knows yet what the tram will finally cost. Outro."
    (claim,) = reanchor(old, new, [anchor(old, "The tram will cost 40% more than planned.")])
    assert claim.state == "orphaned"


def test_an_orphan_comes_back_only_where_its_words_return_with_their_context() -> None:
    old = "Intro. Outro."
    orphan = Anchor(0, 0, "the bridge cost 4 million", "Budget news today: ", ". More later")
    back = "Intro. Budget news today: the bridge cost 4 million. More later. Outro."
    (found,) = reanchor(old, back, [orphan])
    assert found.state == "moved" and found.quote == orphan.quote
    exact(back, found)
    elsewhere = "Intro. A rumour: the bridge cost 4 million? Outro."
    (still,) = reanchor(old, elsewhere, [orphan])
    assert still.state == "orphaned"


def test_two_claims_never_share_one_new_span() -> None:
    old = "Alpha said taxes fell sharply this year. Beta said taxes fell sharply this year."
    new = "Gamma said taxes fell sharply this year."
    results = reanchor(
        old,
        new,
        [anchor(old, "taxes fell sharply this year.", nth) for nth in (0, 1)],
    )
    kept = [(r.start, r.end) for r in results if r.state != "orphaned"]
    assert len(kept) == len(set(kept))


def test_a_blank_quote_is_an_orphan() -> None:
    (result,) = reanchor("a b", "a b", [Anchor(1, 2, " ")])
    assert result.state == "orphaned"


# --- properties --------------------------------------------------------------------------

VOCABULARY = [
    "council", "budget", "tram", "rose", "fell", "by", "5%", "12.5", "million", "in",
    "May", "June", "the", "said", "officials", "euros", "“new”", "e\u0301", "Zürich",
]  # fmt: skip
sentence = st.lists(st.sampled_from(VOCABULARY), min_size=3, max_size=9).map(
    lambda words: " ".join(words).capitalize() + "."
)
# Inserted sentences use other words: one written where a deleted one stood would otherwise
# be, as far as any text can tell, that sentence edited (the ground truth would be a guess).
NEW_WORDS = ["weather", "sunny", "later", "Meanwhile", "rain", "42"]
inserted = st.lists(st.sampled_from(NEW_WORDS), min_size=3, max_size=9).map(
    lambda words: " ".join(words).capitalize() + "."
)


@dataclass
class Piece:
    origin: int | None  # the old sentence it came from, None for a new one
    text: str
    changed: bool = False


@st.composite
def edited_document(draw: st.DrawFn) -> tuple[list[str], list[str], list[Piece], list[str]]:
    """Distinct sentences, an edit script over them, and the separators of both texts."""
    sentences = draw(st.lists(sentence, min_size=2, max_size=12, unique=True))
    pieces = [Piece(i, s) for i, s in enumerate(sentences)]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["insert", "delete", "change", "move"]))
        at = draw(st.integers(0, len(pieces) - 1)) if pieces else 0
        if kind == "insert":
            pieces.insert(at, Piece(None, draw(inserted)))
        elif pieces and kind == "delete":
            del pieces[at]
        elif pieces and kind == "change":
            words = pieces[at].text.rstrip(".").split(" ")
            words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(VOCABULARY))
            pieces[at] = Piece(pieces[at].origin, " ".join(words) + ".", True)
        elif pieces and kind == "move":
            pieces.insert(draw(st.integers(0, len(pieces) - 1)), pieces.pop(at))
    texts = [p.text for p in pieces]
    assume(len(set(texts)) == len(texts))  # every sentence of the new text tells apart too
    # a new or changed sentence that reads exactly like an old one is that one, as far as
    # any text can tell: the ground truth would be unknowable
    assume(not any(p.text in sentences for p in pieces if p.origin is None or p.changed))
    separator = st.sampled_from([" ", "\n\n", " ", "\n"])
    old_seps = draw(st.lists(separator, min_size=len(sentences), max_size=len(sentences)))
    new_seps = draw(st.lists(separator, min_size=len(pieces), max_size=len(pieces)))
    return sentences, old_seps, pieces, new_seps


def _join(parts: list[str], seps: list[str]) -> tuple[str, list[tuple[int, int]]]:
    text, spans = "", []
    for part, sep in zip(parts, seps, strict=True):
        spans.append((len(text), len(text) + len(part)))
        text += part + sep
    return text, spans


@settings(max_examples=300, deadline=None)
@given(edited_document(), st.data())
def test_property_claims_stay_in_their_own_sentence_or_are_orphaned(
    document: tuple[list[str], list[str], list[Piece], list[str]], data: st.DataObject
) -> None:
    sentences, old_seps, pieces, new_seps = document
    old, old_spans = _join(sentences, old_seps)
    new, new_spans = _join([p.text for p in pieces], new_seps)
    home = {p.origin: new_spans[i] for i, p in enumerate(pieces) if p.origin is not None}
    changed = {p.origin for p in pieces if p.changed}
    order = [p.origin for p in pieces if p.origin is not None]
    moved = order != sorted(order)
    claims: list[tuple[int, Anchor]] = []
    for i, (start, end) in enumerate(old_spans):
        # a whole sentence, or some of its words
        words = sentences[i].split(" ")
        first = data.draw(st.integers(0, len(words) - 1))
        last = data.draw(st.integers(first, len(words) - 1))
        offset = start + len(" ".join(words[:first])) + (1 if first else 0)
        quote = " ".join(words[first : last + 1])
        assert old[offset : offset + len(quote)] == quote
        a, b = offset, offset + len(quote)
        claims.append((i, Anchor(a, b, quote, old[max(0, a - 32) : a], old[b : b + 32])))
        del end
    results = reanchor(old, new, [c for _, c in claims])
    spans = [(r.start, r.end) for r in results if r.state != "orphaned"]
    assert len(spans) == len(set(spans)) or len({c.quote for _, c in claims}) < len(claims)
    for (origin, claim), result in zip(claims, results, strict=True):
        if result.state == "orphaned":
            assert (result.start, result.end, result.quote) == (0, 0, claim.quote)
            # without moves, a sentence that survived unchanged always keeps its claim
            assert origin not in home or origin in changed or moved
            continue
        landed = next(
            k for k, (lo, hi) in enumerate(new_spans) if lo <= result.start < result.end <= hi
        )  # never across sentences
        if pieces[landed].origin != origin:
            # a claim landed in another sentence: only where the text cannot tell, i.e. its
            # own sentence was deleted or edited, and it landed in an edited sentence that
            # reads at least as much like the claim's as like the one it was edited from
            piece = pieces[landed]
            gone = origin not in home or origin in changed
            assert piece.changed and gone, "a claim landed in another sentence"
            assert piece.origin is not None
            assert fuzz.ratio(sentences[origin], piece.text) >= fuzz.ratio(
                sentences[piece.origin], piece.text
            )
        assert new[result.start : result.end] == result.quote
        if result.state in ("anchored", "moved"):
            assert result.quote == claim.quote
        else:
            assert result.similarity >= QUOTE_MIN
        if pieces[landed].origin == origin and origin not in changed:
            assert result.quote == claim.quote


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.sampled_from("ab .\n\u00e9\u200b"), max_size=60),
    st.text(st.sampled_from("ab .\n\u00e9\u200b"), max_size=20),
    st.data(),
)
def test_property_any_edit_gives_exact_spans_or_orphans(
    old: str, inserted: str, data: st.DataObject
) -> None:
    assume(old.strip())
    cut = data.draw(st.integers(0, len(old)))
    removed = data.draw(st.integers(0, len(old) - cut))
    new = old[:cut] + inserted + old[cut + removed :]
    start = data.draw(st.integers(0, len(old) - 1))
    end = data.draw(st.integers(start + 1, len(old)))
    claim = Anchor(start, end, old[start:end], old[max(0, start - 32) : start], old[end : end + 32])
    (result,) = reanchor(old, new, [claim])
    if result.state == "orphaned":
        assert (result.start, result.end, result.quote) == (0, 0, claim.quote)
        return
    assert new[result.start : result.end] == result.quote
    assert new[: result.start].endswith(result.prefix)
    if result.state == "changed":
        assert result.similarity >= QUOTE_MIN
    else:
        assert result.quote == claim.quote
