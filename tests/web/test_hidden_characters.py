"""A right-to-left override in a claim is shown as a visible marker, never sent to the browser."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from jinja2 import Environment
from markupsafe import Markup

from claimdesk.core.extraction import extract_from_text
from claimdesk.services import articles
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.web.text_display import install_text_safety

RLO = "\u202e"
ZWSP = "\u200b"
# Displayed with the override obeyed, "rose 5% to 2024" would read backwards from the mark on.
ARTICLE = (
    f"The ministry said the national debt rose {RLO}by 12% in 2024{ZWSP}, the largest rise "
    "in a decade.\n\nThe budget office said spending on schools fell by 3% in 2023."
)


def _article(db: Database) -> tuple[int, int, int]:
    """The article's id, a claim holding the override and a claim without hidden characters."""
    extraction = extract_from_text(ARTICLE, title=f"Debt {RLO}report")
    with db.session(write=True) as s:
        result = articles.ingest(s, extraction=extraction, actor=SYSTEM, min_score=0.0)
        flagged = next(c for c in result.claims if RLO in c.quote)
        other = next(c for c in result.claims if "schools" in c.quote)
        return int(result.article.id), int(flagged.id), int(other.id)  # type: ignore[arg-type]


def test_hidden_characters_are_shown_as_markers_and_flagged(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    article_id, flagged_id, other_id = _article(db)
    browser = login("reviewer")
    pages = {
        "home": browser.get("/").text,
        "article": browser.get(f"/articles/{article_id}").text,
        "detail": browser.get(f"/articles/{article_id}/claims/{flagged_id}").text,
        "fragment": browser.get(
            f"/articles/{article_id}/claims/{flagged_id}", headers={"HX-Request": "true"}
        ).text,
        "other": browser.get(f"/articles/{article_id}/claims/{other_id}").text,
    }
    for name, html in pages.items():
        assert RLO not in html, name
        assert ZWSP not in html, name
    assert "Debt ⟨RLO U+202E⟩report" in pages["home"]
    assert "rose ⟨RLO U+202E⟩by 12% in 2024⟨ZWSP U+200B⟩" in pages["article"]
    for name in ("detail", "fragment"):
        assert 'class="badge hidden-characters"' in pages[name], name
    assert 'class="badge hidden-characters"' not in pages["other"]


def test_finalize_marks_plain_text_and_leaves_markup_alone() -> None:
    """Plain strings get markers and are escaped once; Markup is neither touched nor re-escaped;
    ``|e`` prints exact text (for a form field sent back); other values print as they are."""
    env = Environment(autoescape=True)
    install_text_safety(env)
    page = env.from_string("{{ plain }}|{{ markup }}|{{ plain|e }}|{{ number }}|{{ nothing }}")
    html = page.render(plain=f"<b>{RLO}</b>", markup=Markup("&lt;i&gt;"), number=3, nothing=None)
    assert html == f"&lt;b&gt;⟨RLO U+202E⟩&lt;/b&gt;|&lt;i&gt;|&lt;b&gt;{RLO}&lt;/b&gt;|3|None"
