"""The desk's rating scale: the labels a verdict can carry.

The active scale is ``DeskSettings.active_scale_id``. On first use a default scale is made:
True, Mostly true, Mixed, Misleading, Mostly false, False (ClaimReview ``ratingValue`` 5 to 1,
best 5, worst 1) and Unverifiable (no rating value). Each label has a colour, but the colour
is never the only signal: the name is always shown beside it. The model column for "needs
evidence" is ``RatingLabel.requires_evidence``; this module and the API call it
``needs_evidence``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from claimdesk.services import events
from claimdesk.services.events import Actor
from claimdesk.store import locks
from claimdesk.store.models import DeskSettings, RatingLabel, RatingScale

DEFAULT_SCALE_NAME = "Desk scale"
MAX_LABEL_NAME = 100
MAX_DESCRIPTION = 2000
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class LabelDefault:
    name: str
    rating_value: float | None
    colour: str
    needs_evidence: bool
    description: str


DEFAULT_LABELS = (
    LabelDefault(
        "True", 5, "#2e7d5b", True, "Accurate, and nothing important is left out or distorted."
    ),
    LabelDefault(
        "Mostly true",
        4,
        "#6a9f58",
        True,
        "Accurate on the whole, but a detail is wrong or something useful is missing.",
    ),
    LabelDefault(
        "Mixed",
        3,
        "#b58a1b",
        True,
        "Partly accurate and partly not, in roughly equal measure.",
    ),
    LabelDefault(
        "Misleading",
        2,
        "#c0692b",
        True,
        "The facts may be right but they are used to leave a wrong impression.",
    ),
    LabelDefault(
        "Mostly false",
        2,
        "#b8493a",
        True,
        "Contains a grain of truth, but the central point is wrong.",
    ),
    LabelDefault(
        "False", 1, "#8e2c3c", True, "Wrong: the evidence shows the opposite or nothing like it."
    ),
    LabelDefault(
        "Unverifiable",
        None,
        "#6b7280",
        False,
        "Cannot be checked with the information anyone can get at the moment.",
    ),
)
"""Misleading and Mostly false share 2: both are mostly wrong, in different ways."""


class ScaleError(ValueError):
    """A label edit was refused; ``str(error)`` says why in words (HTTP 422)."""


class LabelNotFound(LookupError):
    """No label with that id on the active scale (HTTP 404)."""


@dataclass(frozen=True)
class ScaleView:
    scale: RatingScale
    labels: list[RatingLabel]  # in position order

    def label_named(self, name: str) -> RatingLabel | None:
        """The label called ``name`` (case and surrounding spaces aside), or None."""
        wanted = " ".join(name.split()).casefold()
        return next((lb for lb in self.labels if lb.name.casefold() == wanted), None)


def _labels(session: Session, scale_id: int) -> list[RatingLabel]:
    query = (
        select(RatingLabel)
        .where(RatingLabel.scale_id == scale_id)
        .order_by(col(RatingLabel.position), col(RatingLabel.id))
    )
    return list(session.exec(query))


def active_scale(session: Session) -> ScaleView:
    """The desk's active scale and its labels; makes (and commits) the default scale and
    the desk settings row the first time, so call it before making other changes in the
    same transaction. Safe when two callers do this at once (the second reads the first's)."""
    found = _active(session)
    if found is not None:
        return found
    try:
        _make_default(session)
        session.commit()
    except IntegrityError:  # another caller made it between our read and our write
        session.rollback()
    found = _active(session)
    if found is None:  # pragma: no cover - the default was just made or read
        raise RuntimeError("the desk has no rating scale")
    return found


def _active(session: Session) -> ScaleView | None:
    desk = session.exec(select(DeskSettings).order_by(col(DeskSettings.id))).first()
    if desk is None or desk.active_scale_id is None:
        return None
    scale = session.get(RatingScale, desk.active_scale_id)
    if scale is None:  # pragma: no cover - a foreign key keeps it
        return None
    return ScaleView(scale, _labels(session, desk.active_scale_id))


def _make_default(session: Session) -> None:
    locks.serialise(session, "desk-settings")
    if _active(session) is not None:
        return
    scale = session.exec(select(RatingScale).where(RatingScale.name == DEFAULT_SCALE_NAME)).first()
    if scale is None:
        scale = RatingScale(name=DEFAULT_SCALE_NAME, best_rating=5, worst_rating=1)
        session.add(scale)
        session.flush()
        for position, default in enumerate(DEFAULT_LABELS):
            session.add(
                RatingLabel(
                    scale_id=scale.id,  # type: ignore[arg-type]
                    name=default.name,
                    description=default.description,
                    rating_value=default.rating_value,
                    colour=default.colour,
                    requires_evidence=default.needs_evidence,
                    position=position,
                )
            )
    desk = session.exec(select(DeskSettings).order_by(col(DeskSettings.id))).first()
    if desk is None:
        desk = DeskSettings()
        session.add(desk)
    desk.active_scale_id = scale.id
    session.flush()
    events.record(
        session,
        actor=events.SYSTEM,
        entity_type="rating_scale",
        entity_id=scale.id,
        action="made_default",
        after={"name": scale.name, "labels": [d.name for d in DEFAULT_LABELS]},
    )


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ScaleError("A label needs a name.")
    if len(name) > MAX_LABEL_NAME:
        raise ScaleError(f"A label name is at most {MAX_LABEL_NAME} characters.")
    if any(not ch.isprintable() for ch in name):
        raise ScaleError("A label name cannot hold control characters.")
    return name


def _check_rating(scale: RatingScale, value: float | None) -> None:
    if value is None:
        return
    low, high = sorted((scale.worst_rating, scale.best_rating))
    if not low <= value <= high:
        raise ScaleError(
            f"A rating value must lie between the scale's worst ({scale.worst_rating:g})"
            f" and best ({scale.best_rating:g})."
        )


def _check_colour(colour: str) -> str:
    if not _COLOUR.fullmatch(colour):
        raise ScaleError("A colour is written #rrggbb, e.g. #2e7d5b.")
    return colour.lower()


def _check_description(description: str | None) -> str | None:
    if description is None:
        return None
    if "\x00" in description:
        raise ScaleError("A description cannot hold NUL characters.")
    if len(description) > MAX_DESCRIPTION:
        raise ScaleError(f"A description is at most {MAX_DESCRIPTION} characters.")
    return description.strip() or None


_UNSET: Any = object()


def edit_label(
    session: Session,
    *,
    label_id: int,
    actor: Actor,
    name: str | None = None,
    position: int | None = None,
    colour: str | None = None,
    description: str | None = _UNSET,
    rating_value: float | None = _UNSET,
    needs_evidence: bool | None = None,
) -> RatingLabel:
    """Change a label of the active scale; only the arguments given change. Commits, with
    an Event holding what changed. ``position`` moves the label to that place (0 first) and
    renumbers the others. A verdict already given keeps its own copy of the label.

    Raises LabelNotFound, and ScaleError for a blank, duplicate or overlong name, a colour
    not written #rrggbb, a rating value outside the scale's worst…best, or a description
    over MAX_DESCRIPTION characters.
    """
    view = active_scale(session)
    label = next((lb for lb in view.labels if lb.id == label_id), None)
    if label is None:
        raise LabelNotFound(f"The rating scale has no label {label_id}.")
    before = _label_fields(label)
    try:
        if name is not None:
            new_name = _name(name)
            other = view.label_named(new_name)
            if other is not None and other.id != label.id:
                raise ScaleError(f"The scale already has a label called {other.name!r}.")
            label.name = new_name
        if colour is not None:
            label.colour = _check_colour(colour)
        if description is not _UNSET:
            label.description = _check_description(description)
        if rating_value is not _UNSET:
            _check_rating(view.scale, rating_value)
            label.rating_value = rating_value
        if needs_evidence is not None:
            label.requires_evidence = needs_evidence
        if position is not None:
            _move(view.labels, label, position)
    except ScaleError:
        session.rollback()  # nothing half-changed stays in the session
        raise
    after = _label_fields(label)
    if after == before:
        return label
    events.record(
        session,
        actor=actor,
        entity_type="rating_label",
        entity_id=label.id,
        action="edited",
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    session.commit()
    return label


def add_label(
    session: Session,
    *,
    actor: Actor,
    name: str,
    colour: str = "#6b7280",
    description: str | None = None,
    rating_value: float | None = None,
    needs_evidence: bool = True,
) -> RatingLabel:
    """Add a label at the end of the active scale; commits. Raises ScaleError as
    ``edit_label`` does."""
    view = active_scale(session)
    clean = _name(name)
    if view.label_named(clean) is not None:
        raise ScaleError(f"The scale already has a label called {clean!r}.")
    _check_rating(view.scale, rating_value)
    label = RatingLabel(
        scale_id=view.scale.id,  # type: ignore[arg-type]
        name=clean,
        colour=_check_colour(colour),
        description=_check_description(description),
        rating_value=rating_value,
        requires_evidence=needs_evidence,
        position=len(view.labels),
    )
    session.add(label)
    session.flush()
    events.record(
        session,
        actor=actor,
        entity_type="rating_label",
        entity_id=label.id,
        action="added",
        after=_label_fields(label),
    )
    session.commit()
    return label


def _move(labels: list[RatingLabel], label: RatingLabel, position: int) -> None:
    order = [lb for lb in labels if lb.id != label.id]
    order.insert(max(0, min(position, len(order))), label)
    for index, each in enumerate(order):
        each.position = index


def _label_fields(label: RatingLabel) -> dict[str, Any]:
    return {
        "name": label.name,
        "position": label.position,
        "colour": label.colour,
        "description": label.description,
        "rating_value": label.rating_value,
        "needs_evidence": label.requires_evidence,
    }
