"""Query cleaning, tokenisation, alignment and passage splitting (pure core)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from claimdesk.core import matching
from claimdesk.core.match_text import clean_query, query_terms, stem, terms
from claimdesk.core.matching import Candidate, CorpusStats
from claimdesk.core.sources_formats import split_passages

TWEET = (
    "How are butterflies surviving the #AustralianFires? Footage by @JulieFavell "
    "pic.twitter.com/0eJtwJyS1J https://t.co/abc — Center for Bio Div (@CenterForBioDiv) "
    "January 14, 2020"
)


def test_tweet_noise_is_removed_and_the_signature_name_kept() -> None:
    cleaned = clean_query(TWEET)
    assert "pic.twitter" not in cleaned and "t.co" not in cleaned
    assert "@" not in cleaned and "#" not in cleaned and "2020" not in cleaned
    assert "Australian Fires" in cleaned and "Julie Favell" in cleaned
    assert cleaned.endswith("Center for Bio Div")


def test_terms_fold_case_accents_numbers_and_plurals() -> None:
    assert terms("Cafés, 3,000 Homicides") == ["cafe", "3000", "homicid"]
    assert stem("butterflies") == "butterfly"
    assert query_terms("the THE a and") == []


def test_rank_aligns_the_claim_inside_the_passage_and_says_why() -> None:
    passage = "Some preamble here. The mayor of Riverton earns 200000 euros a year. Then more."
    query = matching.prepare("Riverton mayor earns 200000 euros")
    stats = CorpusStats(10, 8.0, {"mayor": 1, "riverton": 1, "earn": 1, "200000": 1, "euro": 1})
    [m] = matching.rank(query, [Candidate(1, 1, passage, "Mayor pay")], stats, limit=5)
    assert passage[m.match_start : m.match_end] == "mayor of Riverton earns 200000 euros"
    assert any(w.startswith("shared terms") for w in m.why)
    assert "same numbers: 200000" in m.why
    assert 0.0 <= m.score <= 1.0


def test_one_row_per_source_and_stable_ties() -> None:
    query = matching.prepare("bridge repairs")
    stats = CorpusStats(4, 3.0, {"bridg": 2, "repair": 2})
    candidates = [
        Candidate(1, 10, "bridge repairs", external_id="b"),
        Candidate(2, 10, "bridge repairs today", external_id="b"),
        Candidate(3, 20, "bridge repairs", external_id="a"),
    ]
    ranked = matching.rank(query, candidates, stats, limit=5)
    assert [m.candidate.source_id for m in ranked] == [20, 10]
    assert ranked[1].candidate.passage_id == 1


def test_select_terms_prefers_rare_terms_within_the_budget() -> None:
    df = {"common": 900, "rare": 3, "mid": 50, "absent": 0}
    chosen = matching.select_terms(["common", "rare", "mid", "absent"], df, postings_budget=100)
    assert chosen == ["rare", "mid"]


@given(st.text(max_size=300))
def test_prepare_and_rank_never_raise(text: str) -> None:
    query = matching.prepare(text)
    stats = CorpusStats(2, 5.0, {t: 1 for t in query.terms})
    for m in matching.rank(query, [Candidate(1, 1, text or "x")], stats, limit=3):
        assert 0 <= m.match_start <= m.match_end <= len(text or "x")
        assert 0.0 <= m.score <= 1.0


@given(st.text(alphabet=st.sampled_from("ab .\n!?"), max_size=3000))
def test_passages_are_non_empty_ordered_spans(text: str) -> None:
    spans = split_passages(text, max_chars=100)
    last = 0
    for start, end in spans:
        piece = text[start:end]
        assert piece and piece == piece.strip()
        assert last <= start < end <= len(text)
        assert end - start <= 100
        last = end
    assert "".join(text[s:e] for s, e in spans).replace(" ", "").replace("\n", "") == (
        text.replace(" ", "").replace("\n", "")
    )
