"""The review workbench in a real browser: a reviewer takes a claim of the seed article from
a text selection to a proposed verdict, an editor returns it once, then approves and
publishes it; two people editing one claim at once; the same flow without JavaScript; the
queue and the review screen at desktop and phone widths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from e2e.conftest import LiveServer, sign_in

SEED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "seed-article.txt"
# Sentences of the seed article that the demo library matches; neither is a claim yet.
RIFLES = (
    "Recent agreements between Armenia and France include a deal for the purchase of "
    "precision rifles from a French arms manufacturer, PGM, though specific details regarding "
    "the transaction remain undisclosed."
)
RADARS = (
    "France's announcement of the sale of defense equipment, including radar systems and "
    "night vision goggles, to Armenia in October 2023"
)
CLAIM_URL = re.compile(r"/articles/(\d+)/claims/(\d+)(#.*)?$")


@pytest.fixture(scope="module")
def seed_article(live_server: LiveServer) -> str:
    """The seed article, ingested through the command line; its id."""
    if not SEED.exists():
        pytest.skip(f"{SEED} is absent (the shared data lives beside the repository)")
    return live_server.claimdesk("ingest", str(SEED)).stdout.split("\t")[0]


@pytest.fixture
def results(pytestconfig: pytest.Config) -> Path:
    """test-results/, where the review screenshots go."""
    path = Path(pytestconfig.getoption("--output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Desk:
    """People at the desk, each in a browser context of their own, signed in with a role."""

    server: LiveServer
    new_context: CreateContextCallback

    def person(self, role: str, **options: Any) -> Page:
        page = self.new_context(**options).new_page()
        sign_in(page, self.server, role)
        return page


@pytest.fixture
def desk(live_server: LiveServer, new_context: CreateContextCallback) -> Desk:
    return Desk(live_server, new_context)


def select_words(page: Page, words: str) -> None:
    """Select ``words`` in the article text with the mouse, dragging from their last letter
    back to their first (a drag that starts on a claim's link would drag the link)."""
    first, last = page.evaluate(
        """words => {
          const box = document.getElementById('article-text');
          const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
          const nodes = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
          const start = nodes.map(n => n.data).join('').indexOf(words);
          if (start < 0) throw new Error('words not in the article: ' + words);
          function letter(pos, scroll) {
            for (const n of nodes) {
              if (pos < n.data.length) {
                if (scroll) n.parentElement.scrollIntoView({block: 'center'});
                const range = document.createRange();
                range.setStart(n, pos);
                range.setEnd(n, pos + 1);
                const r = range.getBoundingClientRect();
                return {x: r.left, y: r.top + r.height / 2, w: r.width};
              }
              pos -= n.data.length;
            }
          }
          letter(start, true);
          return [letter(start), letter(start + words.length - 1)];
        }""",
        words,
    )
    page.mouse.move(last["x"] + last["w"], last["y"])
    page.mouse.down()
    page.mouse.move(first["x"] + 30, first["y"], steps=4)
    page.mouse.move(first["x"], first["y"], steps=4)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()") == words


def claim_id(page: Page) -> str:
    match = CLAIM_URL.search(page.url)
    assert match, page.url
    return match.group(2)


def expect_history(page: Page, steps: list[tuple[str, str]], since: datetime) -> None:
    """The open claim's history lists ``steps`` (role, words of the entry) in this order,
    each with the person's email and a time no earlier than ``since``."""
    entries = page.locator("#history li")
    expect(entries.last).to_be_visible()
    texts = entries.all_inner_texts()
    times = entries.locator("time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    position = 0
    for role, words in steps:
        email = f"{role}@demo.claimdesk.invalid"
        while position < len(texts) and not (email in texts[position] and words in texts[position]):
            position += 1
        assert position < len(texts), f"no history entry '{email} … {words}' in order: {texts}"
        at = datetime.fromisoformat(times[position])
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        now = datetime.now(UTC)
        assert since - timedelta(minutes=1) <= at <= now + timedelta(minutes=1), texts[position]
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d · ", texts[position]), texts[position]
        position += 1


def propose_from_keyboard(page: Page, key: str, rationale: str) -> None:
    """Pick a verdict label with a number key, type the rationale, and submit with Tab
    and Enter on the "Propose verdict" button."""
    page.keyboard.press(key)
    form = page.locator("#claim-detail .verdict-form")
    expect(form.locator(f'input[name="label"][data-key="{key}"]')).to_be_checked()
    expect(form.get_by_label("Rationale")).to_be_focused()
    page.keyboard.type(rationale)
    page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Propose verdict")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#claim-detail")).to_have_attribute("data-status", "proposed")


def test_a_claim_goes_from_a_selection_to_published(
    desk: Desk, live_server: LiveServer, seed_article: str
) -> None:
    began = datetime.now(UTC)
    reviewer = desk.person("reviewer")
    reviewer.locator(f'#article-list a[href="/articles/{seed_article}"]').click()
    expect(reviewer.locator("h1")).to_contain_text("France Recalls Ambassador to Azerbaijan")

    select_words(reviewer, RIFLES)
    expect(reviewer.get_by_role("button", name="New claim (c)")).to_be_visible()
    reviewer.keyboard.press("c")
    expect(reviewer).to_have_url(CLAIM_URL)
    panel = reviewer.locator("#claim-detail")
    expect(panel.locator("blockquote.quote")).to_have_text(RIFLES)
    expect(panel).to_have_attribute("data-status", "new")
    claim = claim_id(reviewer)
    # The words nobody had claimed before are now highlighted as this claim (the rest are
    # the innermost span of the extractor's shorter claim).
    highlight = reviewer.locator(f'#article-text .claim-hl[data-claim-id="{claim}"]')
    expect(highlight).to_have_text(
        ", though specific details regarding the transaction remain undisclosed."
    )
    expect(highlight).to_have_class(re.compile(r"\bselected\b"))

    reviewer.keyboard.press("/")
    search = reviewer.locator("#source-q")
    expect(search).to_be_focused()
    reviewer.keyboard.type("PGM rifles bought by Armenia")
    best = reviewer.locator("#source-results .match").first
    expect(best).to_contain_text("Sniper rifles for the Armenian army")
    best.get_by_label("Stance").select_option("supports")
    best.get_by_label("Note").fill("Names PGM and the rifles; says the terms were not published.")
    best.get_by_label("Note").press("Enter")
    evidence = panel.locator("#evidence .evidence")
    expect(evidence).to_have_count(1)
    expect(evidence).to_contain_text("Sniper rifles for the Armenian army")
    expect(evidence).to_contain_text("supports")
    expect(evidence).to_contain_text("confirmed")

    panel.get_by_role("button", name="Start review").click()  # no shortcut for this one
    expect(panel).to_have_attribute("data-status", "in_review")
    propose_from_keyboard(reviewer, "1", "The library says so.")
    expect(panel.locator(".verdict-line")).to_contain_text("True")

    editor = desk.person("editor")
    editor.goto(reviewer.url.split("#")[0])
    editor_panel = editor.locator("#claim-detail")
    expect(editor_panel).to_have_attribute("data-status", "proposed")
    editor_panel.get_by_label("Return to the reviewer with a comment").fill(
        "Say which source shows the deal and that its terms were not made public."
    )
    editor_panel.get_by_role("button", name="Return").click()
    expect(editor_panel).to_have_attribute("data-status", "returned")

    # The reviewer's open panel hears of it from the live poller and shows the change.
    notice = panel.locator(".live-conflict")
    expect(notice).to_contain_text("Someone else changed this claim", timeout=8000)
    notice.get_by_role("link", name="show their change").click()
    expect(panel).to_have_attribute("data-status", "returned")
    expect(panel.locator("#comments")).to_contain_text("terms were not made public")
    propose_from_keyboard(
        reviewer,
        "1",
        "Sniper rifles for the Armenian army (demo library) confirms Armenia agreed to buy "
        "precision rifles from PGM; neither government published the number or the value.",
    )

    editor.reload()
    expect(editor_panel).to_have_attribute("data-status", "proposed")
    expect(editor_panel.locator(".rationale")).to_contain_text("neither government published")
    editor_panel.get_by_role("button", name="Approve").click()
    expect(editor_panel).to_have_attribute("data-status", "approved")
    editor_panel.get_by_role("button", name="Publish").click()
    expect(editor_panel).to_have_attribute("data-status", "published")
    expect(editor.locator(f'#article-text .claim-hl[data-claim-id="{claim}"]')).to_have_class(
        re.compile(r"\bstatus-published\b")
    )

    expect_history(
        editor,
        [
            ("reviewer", "created"),
            ("reviewer", "evidence linked"),
            ("reviewer", "start → in review"),
            ("reviewer", "propose → proposed (True)"),
            ("editor", "return → returned"),
            ("reviewer", "propose → proposed (True)"),
            ("editor", "approve → approved"),
            ("editor", "publish → published"),
        ],
        began,
    )


def test_two_people_editing_one_claim_get_the_conflict_with_their_input_kept(
    desk: Desk, live_server: LiveServer, seed_article: str
) -> None:
    first = desk.person("reviewer")
    first.goto(f"{live_server.base_url}/articles/{seed_article}")
    first.locator("#article-text a.claim-hl", has_text="Efforts to facilitate dialogue").click()
    expect(first).to_have_url(CLAIM_URL)
    url = first.url
    second = desk.person("editor")
    second.goto(url)
    second_panel = second.locator("#claim-detail")
    expect(second_panel.locator("blockquote.quote")).to_contain_text("Efforts to facilitate")

    comment = second_panel.get_by_label("Comment", exact=True)
    comment.fill("Half-written: the talks did make some progress in 2024")
    first_panel = first.locator("#claim-detail")
    first_panel.get_by_label("Statement").fill("Talks between Azerbaijan and Armenia stalled.")
    first_panel.get_by_role("button", name="Save statement").click()
    expect(first_panel.locator(".problem")).to_have_count(0)
    expect(first_panel.get_by_label("Statement")).to_have_value(
        "Talks between Azerbaijan and Armenia stalled."
    )

    notice = second_panel.locator(".live-conflict")
    expect(notice).to_contain_text("Someone else changed this claim", timeout=8000)
    expect(comment).to_have_value("Half-written: the talks did make some progress in 2024")

    mine = "Dialogue between Azerbaijan and Armenia has made almost no progress."
    second_panel.get_by_label("Statement").fill(mine)
    second_panel.get_by_role("button", name="Save statement").click()
    problem = second.get_by_role("alert")
    expect(problem).to_contain_text("changed this claim")
    expect(problem).to_contain_text("reviewer@demo.claimdesk.invalid")
    expect(second.locator("#claim-detail").get_by_label("Statement")).to_have_value(mine)


def test_the_same_flow_works_without_javascript(
    desk: Desk, live_server: LiveServer, seed_article: str
) -> None:
    began = datetime.now(UTC)
    reviewer = desk.person("reviewer", java_script_enabled=False)
    reviewer.goto(f"{live_server.base_url}/articles/{seed_article}")
    quote_form = reviewer.locator("details.quote-claim")
    quote_form.locator("summary").click()
    quote_form.get_by_label("Exact words from the text above").fill(RADARS)
    quote_form.get_by_role("button", name="Add claim").click()
    expect(reviewer).to_have_url(CLAIM_URL)
    panel = reviewer.locator("#claim-detail")
    expect(panel.locator("blockquote.quote")).to_have_text(RADARS)

    panel.locator("#source-q").fill("radar systems sold to Armenia")
    panel.get_by_role("button", name="Search").click()
    expect(reviewer).to_have_url(re.compile(r"\?q=radar\+systems"))
    best = panel.locator(
        "#source-results .match", has_text="France and Armenia sign radar contract"
    )
    best.get_by_label("Stance").select_option("supports")
    best.get_by_label("Note").fill("The contract for three GM200 radars, 23 October 2023.")
    best.get_by_role("button", name="Link").click()
    expect(panel.locator("#evidence .evidence")).to_contain_text("France and Armenia sign radar")

    panel.get_by_role("button", name="Start review").click()
    expect(panel).to_have_attribute("data-status", "in_review")
    propose_by_form(panel, "True", "The ministry signed for radars.")

    editor = desk.person("editor", java_script_enabled=False)
    editor.goto(reviewer.url.split("?")[0].split("#")[0])
    editor_panel = editor.locator("#claim-detail")
    editor_panel.get_by_label("Return to the reviewer with a comment").fill(
        "Name the source and what it says about the goggles."
    )
    editor_panel.get_by_role("button", name="Return").click()
    expect(editor_panel).to_have_attribute("data-status", "returned")

    reviewer.reload()
    expect(panel).to_have_attribute("data-status", "returned")
    propose_by_form(
        panel,
        "Mostly true",
        "France and Armenia sign radar contract (demo library): three GM200 radars, signed on "
        "23 October 2023; the goggles are not in the library.",
    )
    editor.reload()
    editor_panel.get_by_role("button", name="Approve").click()
    expect(editor_panel).to_have_attribute("data-status", "approved")
    editor_panel.get_by_role("button", name="Publish").click()
    expect(editor_panel).to_have_attribute("data-status", "published")
    expect_history(
        editor,
        [
            ("reviewer", "created"),
            ("reviewer", "evidence linked"),
            ("reviewer", "start → in review"),
            ("reviewer", "propose → proposed (True)"),
            ("editor", "return → returned"),
            ("reviewer", "propose → proposed (Mostly true)"),
            ("editor", "approve → approved"),
            ("editor", "publish → published"),
        ],
        began,
    )


def propose_by_form(panel: Locator, label: str, rationale: str) -> None:
    form = panel.locator(".verdict-form")
    form.locator(f'input[name="label"][value="{label}"]').check()
    form.get_by_label("Rationale").fill(rationale)
    form.get_by_role("button", name="Propose verdict").click()
    expect(panel).to_have_attribute("data-status", "proposed")
    expect(panel.locator(".verdict-line")).to_contain_text(label)


SIZES = [(1280, 800), (360, 740), (400, 800)]


def test_queue_and_review_screen_fit_desktop_and_phone(
    desk: Desk, live_server: LiveServer, seed_article: str, results: Path
) -> None:
    page = desk.person("reviewer")
    page.goto(f"{live_server.base_url}/articles/{seed_article}")
    page.locator("#article-text a.claim-hl", has_text="President Emmanuel Macron held").click()
    expect(page).to_have_url(CLAIM_URL)
    page.locator("#claim-detail").get_by_role("button", name="Start review").click()
    expect(page.locator("#claim-detail")).to_have_attribute("data-status", "in_review")
    claim_page = page.url
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.base_url + "/")
        expect(page.locator("#article-list")).to_be_visible()
        page.screenshot(path=str(results / f"review-queue-{width}x{height}.png"), full_page=True)
        inside_width(page, width)
        page.goto(claim_page)
        panel = page.locator("#claim-detail")
        expect(panel.locator("blockquote.quote")).to_be_visible()
        page.screenshot(path=str(results / f"review-claim-{width}x{height}.png"))
        inside_width(page, width)
        box = panel.bounding_box()
        assert box is not None
        assert 0 <= box["y"] < height, f"the open claim starts at y={box['y']} ({width}x{height})"
        quote = panel.locator("blockquote.quote").bounding_box()
        assert quote is not None and quote["y"] < height, "the quote is below the fold"
        fits_its_panel(panel, width)


def fits_its_panel(panel: Locator, width: int) -> None:
    """Nothing in the review panel is wider than the panel (a long email, the tag form), and
    each verdict label's radio button sits right beside its key and name."""
    overflow = panel.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the panel scrolls sideways by {overflow}px at width {width}"
    for choice in panel.locator(".verdict-form .label-choice").all():
        radio, key = choice.locator("input").bounding_box(), choice.locator("kbd").bounding_box()
        assert radio is not None and key is not None
        gap = key["x"] - (radio["x"] + radio["width"])
        assert radio["width"] < 24 and 0 <= gap < 16, f"radio {radio}, key {key} at {width}px"


def inside_width(page: Page, width: int) -> None:
    """The top bar's account and "Sign out" button are within the page's width."""
    for element in (page.locator(".whoami span"), page.get_by_role("button", name="Sign out")):
        box = element.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
