"""HTML, Markdown and page-noise removal."""

from __future__ import annotations

from claimdesk.core.cleaning import clean_text
from claimdesk.core.decoding import sniff_kind
from claimdesk.core.extraction import extract

ARTICLE_HTML = """<!doctype html>
<html><head><title>Port strike ends | The Daily Example</title>
<link rel="canonical" href="https://news.example.org/port-strike">
<meta property="og:site_name" content="The Daily Example">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Port strike ends</h1>
<p>Dock workers in Rotterdam ended a 12-day strike on Monday after the port authority agreed
to raise wages by 7 percent, the union said.</p>
<p>The strike delayed more than 300 ships, according to the harbour master's office.</p>
<p>Many residents think the deal is a good one.</p>
</article><footer>© 2024 The Daily Example. All rights reserved.</footer></body></html>"""


def test_html_article_text_and_metadata() -> None:
    result = extract(ARTICLE_HTML.encode(), url="https://news.example.org/p?id=1")
    assert "12-day strike" in result.text
    assert "All rights reserved" not in result.text and "Home" not in result.text
    assert result.title == "Port strike ends"
    md = result.metadata
    assert md["input_type"] == "html"
    assert md["canonical_url"] == "https://news.example.org/port-strike"
    assert md["url"] == "https://news.example.org/p?id=1"
    assert md["author"] == "Jane Doe"
    assert md["published_at"] == "2024-03-05"
    assert md["publisher"] == "The Daily Example"
    claim = next(c for c in result.claims if "300 ships" in c.quote)
    assert claim.claimant == "the harbour master's office"


def test_markdown_is_stripped_without_rewriting_words() -> None:
    md = """# Water prices rise

*By* the desk. Prices rose by **15 percent** in [Lisbon](https://example.org/l) in 2023.

- The utility said costs doubled since 2019.
- `Tariffs` were frozen in _March_ 2022.

```python
print("code is not prose")
```
"""
    result = extract(md, filename="story.md")
    assert result.metadata["input_type"] == "markdown"
    assert result.title == "Water prices rise"
    assert "Prices rose by 15 percent in Lisbon in 2023." in result.text
    assert "The utility said costs doubled since 2019." in result.text
    assert "Tariffs were frozen in March 2022." in result.text
    for junk in ("**", "](", "```", "print(", "# "):
        assert junk not in result.text


def test_sniffing() -> None:
    assert sniff_kind("<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert sniff_kind("# Title\n\nSome [link](http://x.org) text.") == "markdown"
    assert sniff_kind("Plain words. Nothing else here.") == "text"


def test_noise_lines_and_metadata_lines() -> None:
    raw = "\n".join(
        [
            "Skip to main content",
            "Home | World | Politics | Business",
            "Exports fall sharply",
            "By Maria Lopez and Tom Reed",
            "Published March 5, 2024",
            "Exports fell 8 percent in February, the statistics office said.",
            "Advertisement",
            "Share this article",
            "Sign up for our daily newsletter",
            "Read more: How tariffs work",
            "Related stories",
            "The fall was the largest since 2009.",
            "© 2024 Example Media",
            "Back to top",
        ]
    )
    cleaned = clean_text(raw)
    assert cleaned.title == "Exports fall sharply"
    assert cleaned.text == (
        "Exports fell 8 percent in February, the statistics office said.\n"
        "The fall was the largest since 2009."
    )
    assert cleaned.metadata["byline"] == "Maria Lopez and Tom Reed"
    assert cleaned.metadata["published_at"] == "2024-03-05"


def test_glued_page_noise_at_the_end() -> None:
    raw = (
        "Turnout was 61 percent in 2022, the commission said.\nAd for our newsletterbottom of page"
    )
    assert clean_text(raw).text == "Turnout was 61 percent in 2022, the commission said."
    raw = "Turnout was 61 percent in 2022, the commission said.bottom of page"
    assert clean_text(raw).text == "Turnout was 61 percent in 2022, the commission said."


def test_sentences_mentioning_noise_words_are_kept() -> None:
    raw = "The minister said the advertisement budget doubled to $4 million in 2023."
    assert clean_text(raw).text == raw


def test_dateline_prefix_goes_to_metadata_not_the_claim() -> None:
    result = extract("PARIS (Reuters) — France said on Tuesday it sold 42 Rafale jets in 2023.")
    assert result.metadata["dateline"].startswith("PARIS")
    assert result.claims[0].quote.startswith("France said") or result.claims[0].quote.startswith(
        "it sold"
    )


def test_claimant_patterns() -> None:
    text = (
        "Inflation slowed to 2.1 percent in June, said the finance minister, Lena Park.\n"
        "According to the central bank, reserves rose by $3 billion in 2023.\n"
        "Unemployment fell to 4 percent last year, the labour ministry said."
    )
    claims = extract(text).claims
    assert claims[0].claimant == "the finance minister, Lena Park"
    assert claims[0].quote == "Inflation slowed to 2.1 percent in June"
    assert claims[1].claimant == "the central bank"
    assert claims[1].quote == "reserves rose by $3 billion in 2023."
    assert claims[2].claimant == "the labour ministry"


def test_repeated_claims_point_to_the_first() -> None:
    text = (
        "The bridge cost $40 million to build in 2019.\n\n"
        "Critics are asking questions. Is it worth it?\n\n"
        "The bridge cost $40 million to build in 2019."
    )
    claims = extract(text).claims
    firsts = [i for i, c in enumerate(claims) if "bridge cost" in c.quote]
    assert len(firsts) == 2
    assert claims[firsts[0]].duplicate_of is None
    assert claims[firsts[1]].duplicate_of == firsts[0]
    assert claims[firsts[1]].start > claims[firsts[0]].start


def test_questions_and_opinions_score_low() -> None:
    text = (
        "Isn't it time we asked ourselves what kind of city we want?\n"
        "I think this is a wonderful plan and we should all support it.\n"
        "The council approved a budget of $2.3 billion for 2024, up 6 percent from 2023."
    )
    claims = {c.quote[:10]: c for c in extract(text).claims}
    fact = claims["The counci"]
    assert fact.score > claims["Isn't it t"].score and fact.score > claims["I think th"].score
    assert "question" in claims["Isn't it t"].reasons
    assert "quantity" in fact.reasons


def test_attribution_with_a_time_and_verbs_that_are_not_attributions() -> None:
    text = (
        "France has recalled its ambassador to Baku for consultations, "
        "the foreign ministry said on Tuesday.\n\n"
        'The ministry accused Baku of "unilateral actions" that it said were harming '
        "relations between the two countries in 2024.\n\n"
        "Baku said the sales would fuel a new war, while French officials said the equipment "
        "was purely defensive."
    )
    claims = extract(text, kind="text").claims
    assert claims[0].claimant == "the foreign ministry"
    assert claims[0].quote.endswith("for consultations")
    assert all(c.claimant != "on Tuesday" for c in claims)
    harming = next(c for c in claims if "unilateral actions" in c.quote)
    assert harming.claimant is None or "harming" not in harming.claimant
    assert all(c.claimant != "the equipment was purely defensive" for c in claims)


def test_leading_subject_attribution_with_lowercase_words() -> None:
    text = (
        "Azerbaijan's foreign ministry said the arms sales would double the risk of war in 2025."
        "\n\nFrench officials said on Monday that 3 radar systems were delivered in 2024."
    )
    claims = extract(text, kind="text").claims
    assert claims[0].claimant == "Azerbaijan's foreign ministry"
    assert claims[0].quote.startswith("the arms sales")
    assert claims[1].claimant == "French officials"
    assert claims[1].quote.startswith("3 radar systems")


def test_a_later_clause_keeps_its_own_speaker() -> None:
    text = (
        "Baku said the sales of 3 radar systems would fuel a new war in 2025, while French "
        "officials said the equipment was purely defensive and cost 20 million euros."
    )
    claims = extract(text, kind="text").claims
    assert claims[0].claimant == "Baku"
    second = next(c for c in claims if "purely defensive" in c.quote)
    assert second.claimant == "French officials"
    assert second.quote.startswith("the equipment")
