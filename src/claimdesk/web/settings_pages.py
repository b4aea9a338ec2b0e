"""Settings pages: the desk's rating scale for editors (edit each label, add one), and the
desk itself for admins (organisation, fact-check URL pattern, public fact-check pages).

One POST route takes either form: with a ``label_id`` it edits that label, without one it
adds a label. A refused value re-renders the page (htmx: the ``scale`` block) with 422, the
message beside the form, and everything the person typed kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from claimdesk.core.exports import DEFAULT_FACT_CHECK_PATH
from claimdesk.core.permissions import Permission
from claimdesk.services import desk, rating_scale
from claimdesk.services.accounts import Principal
from claimdesk.services.rating_scale import LabelNotFound, ScaleError, ScaleView
from claimdesk.web.auth import Require
from claimdesk.web.deps import SessionDep
from claimdesk.web.errors import MAX_ID
from claimdesk.web.rendering import is_htmx, render

router = APIRouter(prefix="/settings")
ScaleManager = Annotated[Principal, Depends(Require(Permission.MANAGE_SCALE))]
TEMPLATE = "settings/rating_scale.html"
NEW = "new"
MAX_ORDER = 10_000


@dataclass
class LabelForm:
    """A label form's values as text, as shown in (and sent back from) the page."""

    key: str  # the label id, or NEW
    name: str = ""
    order: str = ""  # 1 first
    colour: str = "#6b7280"
    description: str = ""
    rating_value: str = ""
    needs_evidence: bool = True


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _forms(view: ScaleView) -> list[LabelForm]:
    return [
        LabelForm(
            key=str(label.id),
            name=label.name,
            order=str(index),
            colour=label.colour,
            description=label.description or "",
            rating_value=_number_text(label.rating_value),
            needs_evidence=label.requires_evidence,
        )
        for index, label in enumerate(view.labels, start=1)
    ]


def _page(
    request: Request,
    session: Session,
    *,
    sent: LabelForm | None = None,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The scale page; ``sent`` (the form the person submitted) replaces the stored values
    of its label, or fills the add form."""
    view = rating_scale.active_scale(session)
    forms = [sent if sent is not None and f.key == sent.key else f for f in _forms(view)]
    new = sent if sent is not None and sent.key == NEW else LabelForm(key=NEW)
    context: dict[str, Any] = {
        "scale": view.scale,
        "forms": forms,
        "new": new,
        "error": error,
        "error_key": sent.key if sent is not None and error else None,
        "notice": notice,
    }
    return render(request, TEMPLATE, context, block="scale", status_code=status_code)


@router.get("/rating-scale", response_class=HTMLResponse)
def scale_page(
    request: Request, session: SessionDep, principal: ScaleManager, saved: str = ""
) -> HTMLResponse:
    notice = "Saved." if saved else None
    return _page(request, session, notice=notice)


def _order(value: str) -> int | None:
    """The 0-based position for a 1-based order typed in the form (blank: unchanged).
    Raises ScaleError for anything but a whole number from 1."""
    text = value.strip()
    if not text:
        return None
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ORDER:
        raise ScaleError("The order must be a whole number from 1 (1 comes first).")
    return int(text) - 1


def _rating(value: str) -> float | None:
    """The ClaimReview ratingValue typed (blank: none). Raises ScaleError for a value that
    is not a finite number."""
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ScaleError(f"The rating value must be a number, not {text!r}.") from None
    if not math.isfinite(number):
        raise ScaleError("The rating value must be a finite number.")
    return number


def _label_key(label_id: str) -> str:
    """NEW for a blank id, else the id; raises HTTPException 422 for one that is not."""
    text = label_id.strip()
    if not text:
        return NEW
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ID:
        raise HTTPException(422, "The label to change is not one the scale can have.")
    return text


@router.post("/rating-scale", response_class=HTMLResponse)
def scale_submit(
    request: Request,
    session: SessionDep,
    principal: ScaleManager,
    label_id: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    order: Annotated[str, Form(max_length=40)] = "",
    colour: Annotated[str, Form(max_length=40)] = "#6b7280",
    description: Annotated[str, Form(max_length=rating_scale.MAX_DESCRIPTION * 2)] = "",
    rating_value: Annotated[str, Form(max_length=40)] = "",
    needs_evidence: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Edit a label (``label_id`` given) or add one; 303 back without htmx, the refreshed
    block with it; 422 with the input kept when a value is refused."""
    sent = LabelForm(
        key=_label_key(label_id),
        name=name,
        order=order,
        colour=colour,
        description=description,
        rating_value=rating_value,
        needs_evidence=bool(needs_evidence),
    )
    rating_scale.active_scale(session)  # made before anything here can be refused
    try:
        values: dict[str, Any] = {
            "actor": principal.actor,
            "name": name,
            "colour": colour.strip(),
            "description": description,
            "rating_value": _rating(rating_value),
            "needs_evidence": sent.needs_evidence,
        }
        if sent.key == NEW:
            rating_scale.add_label(session, **values)
        else:
            values["position"] = _order(order)
            rating_scale.edit_label(session, label_id=int(sent.key), **values)
    except LabelNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except ScaleError as exc:
        session.rollback()
        return _page(request, session, sent=sent, error=str(exc), status_code=422)
    if not is_htmx(request):
        return RedirectResponse("/settings/rating-scale?saved=1", status_code=303)
    what = f"Added {' '.join(name.split())}." if sent.key == NEW else "Saved."
    return _page(request, session, notice=what)


# The desk: organisation, fact-check URL pattern, public fact-check pages (admins).

DeskManager = Annotated[Principal, Depends(Require(Permission.MANAGE_SETTINGS))]
DESK_TEMPLATE = "settings/desk.html"


@dataclass
class DeskForm:
    """The desk form's values as text, as shown in (and sent back from) the page."""

    organisation_name: str
    organisation_url: str
    fact_check_url_pattern: str
    public_fact_checks: bool


def _desk_page(
    request: Request,
    form: DeskForm,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "form": form,
        "error": error,
        "notice": notice,
        "default_pattern": str(request.base_url).rstrip("/") + DEFAULT_FACT_CHECK_PATH,
    }
    return render(request, DESK_TEMPLATE, context, block="desk", status_code=status_code)


@router.get("/desk", response_class=HTMLResponse)
def desk_page(
    request: Request, session: SessionDep, principal: DeskManager, saved: str = ""
) -> HTMLResponse:
    view = desk.get_desk(session)
    form = DeskForm(
        organisation_name=view.organisation_name,
        organisation_url=view.organisation_url or "",
        fact_check_url_pattern=view.fact_check_url_pattern or "",
        public_fact_checks=view.public_fact_checks,
    )
    return _desk_page(request, form, notice="Saved." if saved else None)


@router.post("/desk", response_class=HTMLResponse)
def desk_submit(
    request: Request,
    session: SessionDep,
    principal: DeskManager,
    organisation_name: Annotated[str, Form(max_length=desk.MAX_NAME * 2)] = "",
    organisation_url: Annotated[str, Form(max_length=desk.MAX_URL * 2)] = "",
    fact_check_url_pattern: Annotated[str, Form(max_length=desk.MAX_URL * 2)] = "",
    public_fact_checks: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Store the desk settings; 303 back without htmx, the refreshed block with it; 422
    with everything typed kept when a value is refused."""
    form = DeskForm(
        organisation_name, organisation_url, fact_check_url_pattern, bool(public_fact_checks)
    )
    try:
        desk.update_desk(
            session,
            actor=principal.actor,
            organisation_name=organisation_name,
            organisation_url=organisation_url,
            fact_check_url_pattern=fact_check_url_pattern,
            public_fact_checks=form.public_fact_checks,
        )
    except desk.DeskSettingsError as exc:
        session.rollback()
        return _desk_page(request, form, error=str(exc), status_code=422)
    if not is_htmx(request):
        return RedirectResponse("/settings/desk?saved=1", status_code=303)
    view = desk.get_desk(session)
    saved = DeskForm(
        view.organisation_name,
        view.organisation_url or "",
        view.fact_check_url_pattern or "",
        view.public_fact_checks,
    )
    return _desk_page(request, saved, notice="Saved.")
