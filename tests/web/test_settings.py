"""The rating-scale settings page: edit each label, add one, refusals keep the input."""

from __future__ import annotations

import html
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import col, select

from claimdesk.services import rating_scale
from claimdesk.services.rating_scale import ScaleView
from claimdesk.store.database import Database
from claimdesk.store.models import Event

Login = Callable[[str], TestClient]
HTMX = {"HX-Request": "true"}


def _scale(db: Database) -> ScaleView:
    with db.session() as s:
        view = rating_scale.active_scale(s)
        for label in view.labels:
            s.expunge(label)
        return view


def _form(view: ScaleView, label_name: str, changes: dict[str, str | None]) -> dict[str, str]:
    """The edit form of a label as the page fills it, with ``changes`` (None: left out)."""
    label = view.label_named(label_name)
    assert label is not None
    form: dict[str, str | None] = {
        "label_id": str(label.id),
        "name": label.name,
        "order": str(view.labels.index(label) + 1),
        "colour": label.colour,
        "description": label.description or "",
        "rating_value": "" if label.rating_value is None else f"{label.rating_value:g}",
    }
    if label.requires_evidence:
        form["needs_evidence"] = "on"
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_the_page_shows_every_label_and_the_scale_bounds(db: Database, login: Login) -> None:
    page = login("editor").get("/settings/rating-scale")
    assert page.status_code == 200
    names = [label.name for label in _scale(db).labels]
    assert names[0] == "True" and "Unverifiable" in names
    for name in names:
        assert f'value="{name}"' in page.text
    assert page.text.count('type="color"') == len(names) + 1  # and the add form
    assert "worst <strong>1</strong> to best <strong>5</strong>" in page.text
    assert 'href="/settings/rating-scale"' in page.text  # in the top bar
    assert 'href="/settings/rating-scale"' not in login("reviewer").get("/").text


def test_an_editor_edits_a_label_without_javascript(db: Database, login: Login) -> None:
    browser = login("editor")
    sent = browser.post(
        "/settings/rating-scale",
        data=_form(
            _scale(db),
            "Mixed",
            {
                "name": "Half true",
                "order": "1",
                "colour": "#AA5500",
                "description": "Some of it holds.",
                "rating_value": "3.5",
                "needs_evidence": None,
            },
        ),
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/settings/rating-scale?saved=1"
    view = _scale(db)
    first = view.labels[0]
    assert (first.name, first.colour, first.description, first.rating_value) == (
        "Half true",
        "#aa5500",
        "Some of it holds.",
        3.5,
    )
    assert first.requires_evidence is False
    assert [lb.position for lb in view.labels] == list(range(len(view.labels)))
    with db.session() as s:
        event = s.exec(
            select(Event).where(Event.entity_id == first.id).order_by(col(Event.id).desc())
        ).first()
    assert (
        event is not None and event.action == "edited" and event.actor_label == "editor@desk.test"
    )
    assert "Saved." in browser.get(sent.headers["location"]).text


def test_an_admin_adds_a_label_at_the_end(db: Database, login: Login) -> None:
    browser = login("admin")
    sent = browser.post(
        "/settings/rating-scale",
        data={"label_id": "", "name": "Satire", "colour": "#336699", "rating_value": ""},
    )
    assert sent.status_code == 303
    last = _scale(db).labels[-1]
    assert (last.name, last.colour, last.rating_value, last.requires_evidence) == (
        "Satire",
        "#336699",
        None,
        False,
    )
    block = browser.post(
        "/settings/rating-scale",
        data={"name": "Parody", "colour": "#336699", "needs_evidence": "on"},
        headers=HTMX,
    )
    assert block.status_code == 200
    assert block.text.strip().startswith('<div id="rating-scale"')
    assert "Added Parody." in block.text and "<html" not in block.text


def test_refused_values_answer_422_with_the_input_kept(db: Database, login: Login) -> None:
    browser = login("editor")
    before = [(lb.name, lb.rating_value, lb.colour, lb.position) for lb in _scale(db).labels]
    cases: dict[str, dict[str, str | None]] = {
        "between the scale's worst (1) and best (5)": {"rating_value": "9"},
        "must be a number": {"rating_value": "lots"},
        "written #rrggbb": {"colour": "red"},
        "whole number from 1": {"order": "first"},
        "already has a label called 'False'": {"name": "False"},
        "needs a name": {"name": "  "},
    }
    for message, change in cases.items():
        form = _form(_scale(db), "Mixed", {**change, "description": "Kept <as typed>"})
        for headers in ({}, HTMX):
            answer = browser.post("/settings/rating-scale", data=form, headers=headers)
            assert answer.status_code == 422, message
            text = html.unescape(answer.text)
            assert message in text, message
            assert "Kept <as typed>" in text, message
            for value in change.values():
                assert value is not None and f'value="{value}"' in text, message
            assert ("<html" in answer.text) == (not headers), message
    added = browser.post(
        "/settings/rating-scale", data={"name": "True", "colour": "#000000", "rating_value": "4"}
    )
    assert added.status_code == 422
    assert 'value="4"' in added.text
    assert "already has a label called 'True'" in html.unescape(added.text)
    after = [(lb.name, lb.rating_value, lb.colour, lb.position) for lb in _scale(db).labels]
    assert after == before
