"""Acceptance tests of extraction on the seed article (read from ../shared, never copied)."""

from __future__ import annotations

import pytest

from claimdesk.core.extraction import DECISION_THRESHOLD, Extraction, extract


@pytest.fixture(scope="module")
def seed(seed_bytes: bytes) -> Extraction:
    return extract(seed_bytes, filename="seed-article.txt")


def _claim_with(seed: Extraction, phrase: str) -> int:
    hits = [i for i, c in enumerate(seed.claims) if phrase in c.quote]
    assert hits, f"no claim covers {phrase!r}"
    return hits[0]


def test_offsets_hold(seed: Extraction) -> None:
    for c in seed.claims:
        assert 0 <= c.start < c.end <= len(seed.text)
        assert seed.text[c.start : c.end] == c.quote
        assert c.quote == c.quote.strip()
        assert 0.0 <= c.score <= 1.0


def test_page_noise_is_gone(seed: Extraction) -> None:
    for noise in ("top of page", "bottom of page", "Ad for subscribing"):
        assert noise not in seed.text
        assert all(noise not in c.quote for c in seed.claims)


def test_duplicated_title_becomes_the_title(seed: Extraction) -> None:
    assert seed.title is not None and seed.title.startswith("France Recalls Ambassador")
    assert seed.title not in seed.text
    assert all("Recalls Ambassador" not in c.quote for c in seed.claims)


def test_breaking_news_label_is_outside_the_claim(seed: Extraction) -> None:
    i = _claim_with(seed, "recall its ambassador to Azerbaijan")
    assert not seed.claims[i].quote.startswith("BREAKING")
    assert seed.claims[i].quote.startswith("France")


KEY_PHRASES = (
    "recall its ambassador",
    "unilateral actions damaging to the relationship between our two countries",
    "hostilities in 2020",
    "offensive in September 2023",
    "complete occupation of Artsakh",
    "precision rifles from a French arms manufacturer, PGM",
    "radar systems and night vision goggles",
)


@pytest.mark.parametrize("phrase", KEY_PHRASES)
def test_key_claims_are_found_and_check_worthy(seed: Extraction, phrase: str) -> None:
    claim = seed.claims[_claim_with(seed, phrase)]
    assert claim.reasons


def test_occupation_is_its_own_span(seed: Extraction) -> None:
    claim = seed.claims[_claim_with(seed, "complete occupation of Artsakh")]
    assert claim.quote.startswith("the complete occupation of Artsakh")


def test_closing_opinion_ranks_below_every_factual_claim(seed: Extraction) -> None:
    opinion = seed.claims[_claim_with(seed, "shows the seriousness")]
    assert opinion.score < DECISION_THRESHOLD
    assert "opinion" in opinion.reasons
    for phrase in KEY_PHRASES:
        assert seed.claims[_claim_with(seed, phrase)].score > opinion.score, phrase


def test_every_key_claim_passes_the_threshold(seed: Extraction) -> None:
    """`claimdesk extract` without --min-score, and so `ingest`, keeps all of them."""
    failing = [
        p for p in KEY_PHRASES if seed.claims[_claim_with(seed, p)].score < DECISION_THRESHOLD
    ]
    assert failing == []


def test_claimant_from_according_to(seed: Extraction) -> None:
    claim = seed.claims[_claim_with(seed, "held discussions with Ambassador")]
    assert claim.claimant == "the foreign ministry"
    assert "according to" not in claim.quote
    claim = seed.claims[_claim_with(seed, "conveyed his disappointment")]
    assert claim.claimant == "the foreign ministry"


def test_metadata(seed: Extraction) -> None:
    assert seed.metadata["input_type"] == "text"
    assert seed.metadata["encoding"] == "utf-8"
