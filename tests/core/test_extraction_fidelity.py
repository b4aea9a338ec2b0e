"""Cleaning keeps what the page says: literal text that looks like markup, table rows, every
sentence of plain text; and leaves out link lists, teasers and widgets by the page's structure."""

from __future__ import annotations

from claimdesk.core.cleaning import clean_text
from claimdesk.core.extraction import extract
from claimdesk.core.markup import html_to_text, markdown_to_text


def _page(body: str, title: str = "Harbour council votes on ferry fares") -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/local">Local</a></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>Example Gazette</footer></body></html>"
    )


FILLER = (
    "<p>The council met on Thursday evening in the old customs house to discuss the ferry "
    "service, which carries about 2,400 passengers a day across the bay.</p>"
    "<p>Several residents spoke during the public session, and the meeting ran for more than "
    "three hours before the final vote was taken by the members present.</p>"
)


def test_text_that_looks_like_markup_is_kept_and_real_tags_are_not() -> None:
    html = _page(
        "<p>Fares rose because &lt;Harbour Lights&gt; was part of the 2019 deal, and the "
        "clause &lt;b&gt; stays, <b>the mayor</b> said in a statement on Friday.</p>" + FILLER
    )
    result = extract(html, kind="html")
    sentence = (
        "Fares rose because <Harbour Lights> was part of the 2019 deal, and the clause <b> stays,"
        " the mayor said in a statement on Friday."
    )
    assert sentence in result.text
    assert any("<Harbour Lights> was part of the 2019 deal" in c.quote for c in result.claims)


def test_html_table_rows_are_kept_one_per_line_and_a_row_with_a_figure_is_a_claim() -> None:
    rows = "".join(
        f"<tr><td>{pos}</td><td>{name}</td><td>{fare}</td><td>{trips}</td></tr>"
        for pos, name, fare, trips in (
            (1, "Northside Ferry", "4.20", 38),
            (2, "Bay Runner", "3.90", 31),
            (3, "Island Link", "5.10", 12),
        )
    )
    html = _page(
        FILLER + "<table><tr><th>Rank</th><th>Operator</th><th>Fare</th><th>Trips</th></tr>"
        f"{rows}</table>"
    )
    result = extract(html, kind="html")
    assert "| 1 | Northside Ferry | 4.20 | 38 |" in result.text.split("\n")
    assert "| 3 | Island Link | 5.10 | 12 |" in result.text.split("\n")
    quotes = [c.quote for c in result.claims]
    assert "2 | Bay Runner | 3.90 | 31" in quotes
    assert not any("Rank" in q for q in quotes)  # the header row holds no figure


def test_table_rows_survive_cleaning_but_a_menu_line_does_not() -> None:
    raw = (
        "Fares by operator in 2024 were published on Monday by the port.\n"
        "| 1 | K. Lund | 5040 | 5 |\n"
        "| 2 | A. Berg | 4980 | 3 |\n"
        "Home | Local | Sport | Weather"
    )
    cleaned = clean_text(raw)
    assert cleaned.text.split("\n") == [
        "Fares by operator in 2024 were published on Monday by the port.",
        "| 1 | K. Lund | 5040 | 5 |",
        "| 2 | A. Berg | 4980 | 3 |",
    ]


def test_markdown_table_rows_are_kept() -> None:
    md = "# Fares\n\n| Rank | Operator | Fare |\n|---|---|---|\n| 1 | Bay Runner | 3.90 |\n"
    assert "| 1 | Bay Runner | 3.90 |" in markdown_to_text(md).text.split("\n")
    assert "| 1 | Bay Runner | 3.90 |" in extract(md, kind="markdown").text.split("\n")


def test_link_lists_and_teasers_are_left_out_but_linked_prose_stays() -> None:
    html = _page(
        FILLER + '<p>According to <a href="/p/a">the port authority annual report</a>, ferry use '
        "fell by 6 percent in 2023 while fuel costs rose.</p>"
        + '<p>- <a href="/s/1">Lighthouse keeper retires after forty years on the rock</a> '
        "The last keeper handed over the keys on Sunday.</p>"
        + '<ul><li><a href="/s/2">Bridge repairs delayed again</a></li>'
        '<li><a href="/s/3">New bus timetable for the north shore</a></li>'
        '<li><a href="/s/4">School term dates announced</a></li></ul>'
    )
    text = html_to_text(html).text
    assert "ferry use fell by 6 percent in 2023" in " ".join(text.split())
    assert "Lighthouse keeper" not in text and "handed over the keys" not in text
    assert "Bridge repairs" not in text and "bus timetable" not in text


def test_a_first_line_that_is_a_sentence_is_never_taken_as_the_title() -> None:
    for first in (
        'The mayor told the council: "We will not raise fares this year."',
        "Ferry fares rose by 8 percent in March (the third rise this year.)",
        "渡轮票价今年上涨了百分之八。",
        "Is the ferry really cheaper than the bridge toll?”",
    ):
        raw = f"{first}\nThe port said 2,400 people use the ferry each day."
        cleaned = clean_text(raw)
        assert cleaned.title is None, first
        assert cleaned.text == raw


def test_a_short_first_line_without_sentence_punctuation_is_the_title() -> None:
    cleaned = clean_text("Ferry Fares Rise Again\nThe port said 2,400 people use the ferry daily.")
    assert cleaned.title == "Ferry Fares Rise Again"
    assert cleaned.text == "The port said 2,400 people use the ferry daily."


def test_widgets_marked_by_the_page_are_left_out_whatever_their_length() -> None:
    long_pitch = " ".join(["Our reporters cover every council meeting so you do not have to."] * 6)
    html = _page(
        FILLER
        + f'<div class="newsletter-signup"><h3>The Bay Briefing</h3><p>{long_pitch}</p></div>'
        + '<div role="dialog"><p>We and our 312 partners store and access information on your '
        "device, such as cookies, to measure how 45 percent of readers use this site and to "
        "show personalised content, as described in detail in our policy.</p></div>"
        + "<figure><img src='f.jpg'><figcaption>The ferry Northside leaves the quay at dawn on "
        "Tuesday. (Photo: Sam Orr)</figcaption></figure>"
        + '<p class="photo-credit">Photograph by Sam Orr for the Example Gazette, taken in 2021 '
        "from the harbour wall near the old customs house.</p>"
        + '<div class="author-bio"><p>Lena Fisk is our transport editor and has covered the '
        "harbour for 11 years, after six years at a national weekly.</p></div>"
        + '<p aria-hidden="true">Listen to this article: 4 minutes and 12 seconds in total, '
        "narrated by an automated voice from our partner service.</p>"
    )
    text = extract(html, kind="html").text
    assert "2,400 passengers a day" in text
    for junk in ("Bay Briefing", "every council meeting", "312 partners", "leaves the quay",
                 "Photograph by", "transport editor", "automated voice"):  # fmt: skip
        assert junk not in text, junk


def test_wire_credits_ad_markers_and_published_lines() -> None:
    raw = "\n".join(
        [
            "Published: March 5, 2024 at 6:40 p.m. ET",
            "Ferry fares rose by 8 percent in March, the port authority said on Monday.",
            "Story continues below advertisement",
            "The council will vote again on 14 May.",
            "(Reporting by Ann Lee in Oslo; editing by Tom Cole)",
        ]
    )
    result = extract(raw, kind="text")
    assert result.text == (
        "Ferry fares rose by 8 percent in March, the port authority said on Monday.\n"
        "The council will vote again on 14 May."
    )
    assert result.metadata["dateline"] == "Published: March 5, 2024 at 6:40 p.m. ET"
    assert result.metadata["published_at"] == "2024-03-05"
    assert not any("Published" in c.quote for c in result.claims)
