"""The desk's rating scale: the default made once, and label edits checked."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from claimdesk.services import rating_scale
from claimdesk.services.events import SYSTEM
from claimdesk.services.rating_scale import LabelNotFound, ScaleError
from claimdesk.store.models import DeskSettings, RatingLabel, RatingScale

EXPECTED_DEFAULT = [
    ("True", 5, True),
    ("Mostly true", 4, True),
    ("Mixed", 3, True),
    ("Misleading", 2, True),
    ("Mostly false", 2, True),
    ("False", 1, True),
    ("Unverifiable", None, False),
]


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_default_scale_is_made_once(session: Session) -> None:
    view = rating_scale.active_scale(session)
    assert (view.scale.best_rating, view.scale.worst_rating) == (5, 1)
    assert [(lb.name, lb.rating_value, lb.requires_evidence) for lb in view.labels] == (
        EXPECTED_DEFAULT
    )
    assert [lb.position for lb in view.labels] == list(range(7))
    assert len({lb.colour for lb in view.labels}) == 7
    assert all(lb.description for lb in view.labels)
    again = rating_scale.active_scale(session)
    assert again.scale.id == view.scale.id
    assert (_count(session, RatingScale), _count(session, RatingLabel)) == (1, 7)
    assert _count(session, DeskSettings) == 1


def test_label_named_ignores_case_and_spacing(session: Session) -> None:
    view = rating_scale.active_scale(session)
    found = view.label_named("  mostly   TRUE ")
    assert found is not None and found.name == "Mostly true"
    assert view.label_named("Pants on fire") is None


def _label(session: Session, name: str) -> RatingLabel:
    found = rating_scale.active_scale(session).label_named(name)
    assert found is not None
    return found


def test_edit_a_label(session: Session) -> None:
    mixed = _label(session, "Mixed")
    edited = rating_scale.edit_label(
        session,
        label_id=mixed.id or 0,
        actor=SYSTEM,
        name=" Half true ",
        colour="#AA7711",
        description="Some of it holds.",
        rating_value=3.5,
        needs_evidence=False,
        position=0,
    )
    assert (edited.name, edited.colour, edited.rating_value, edited.requires_evidence) == (
        "Half true",
        "#aa7711",
        3.5,
        False,
    )
    names = [lb.name for lb in rating_scale.active_scale(session).labels]
    assert names[:3] == ["Half true", "True", "Mostly true"]
    assert [lb.position for lb in rating_scale.active_scale(session).labels] == list(range(7))
    cleared = rating_scale.edit_label(
        session, label_id=mixed.id or 0, actor=SYSTEM, rating_value=None, description=None
    )
    assert (cleared.rating_value, cleared.description) == (None, None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "x" * 101}, "at most 100"),
        ({"name": "false"}, "already has a label called 'False'"),
        ({"name": "a\x00b"}, "control characters"),
        ({"colour": "red"}, "#rrggbb"),
        ({"name": "Fine", "rating_value": 3.5, "colour": "red"}, "#rrggbb"),
        ({"rating_value": 6}, "between the scale's worst \\(1\\) and best \\(5\\)"),
        ({"rating_value": 0.5}, "between"),
        ({"description": "x" * 2001}, "at most 2000"),
    ],
)
def test_bad_label_edits_are_refused(session: Session, change: dict, message: str) -> None:
    mixed = _label(session, "Mixed")
    with pytest.raises(ScaleError, match=message):
        rating_scale.edit_label(session, label_id=mixed.id or 0, actor=SYSTEM, **change)
    assert _label(session, "Mixed").rating_value == 3  # nothing half-changed is left


def test_unknown_label(session: Session) -> None:
    rating_scale.active_scale(session)
    with pytest.raises(LabelNotFound):
        rating_scale.edit_label(session, label_id=999999, actor=SYSTEM, name="New")


def test_add_a_label(session: Session) -> None:
    added = rating_scale.add_label(
        session, actor=SYSTEM, name="Satire", colour="#336699", needs_evidence=False
    )
    assert added.position == 7
    with pytest.raises(ScaleError, match="already has"):
        rating_scale.add_label(session, actor=SYSTEM, name="SATIRE")
