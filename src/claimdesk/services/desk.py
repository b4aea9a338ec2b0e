"""The desk's own settings: who publishes its fact-checks, where, and whether they are public.

The organisation (name and URL) is the ClaimReview ``author``; the fact-check URL pattern
(``{uuid}`` is a claim's UUID) gives each ClaimReview its ``url`` and defaults to this
server's ``/fact-checks/{uuid}``; ``public_fact_checks`` lets people who are not signed in
read published fact-check pages. Changes are admin-only (``Permission.MANAGE_SETTINGS``, checked
by the callers) and recorded as an Event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from claimdesk.core.exports import DEFAULT_FACT_CHECK_PATH, DeskInfo, PatternError
from claimdesk.core.exports import check_url_pattern as _check_pattern
from claimdesk.core.exports.records import http_url
from claimdesk.services import events, rating_scale
from claimdesk.services.events import Actor
from claimdesk.store.models import DeskSettings
from claimdesk.store.types import utcnow

__all__ = ["DeskSettingsError", "DeskView", "desk_info", "get_desk", "update_desk"]

MAX_NAME = 200
MAX_URL = 2000


class DeskSettingsError(ValueError):
    """A setting that cannot be stored; ``str(error)`` is fit to show a person."""


@dataclass(frozen=True)
class DeskView:
    organisation_name: str
    organisation_url: str | None
    fact_check_url_pattern: str | None
    public_fact_checks: bool


DEFAULT = DeskView("claimdesk", None, None, False)


def _row(session: Session) -> DeskSettings | None:
    return session.exec(select(DeskSettings).order_by(col(DeskSettings.id))).first()


def get_desk(session: Session) -> DeskView:
    """The desk's settings (the defaults on a desk that has none stored yet)."""
    row = _row(session)
    if row is None:
        return DEFAULT
    return DeskView(
        organisation_name=row.organisation_name,
        organisation_url=row.organisation_url,
        fact_check_url_pattern=row.fact_check_url_pattern,
        public_fact_checks=row.public_fact_checks,
    )


def desk_info(session: Session, *, base_url: str) -> DeskInfo:
    """What exports need of the desk; without a URL pattern of its own, fact-check URLs
    are ``base_url`` followed by ``/fact-checks/{uuid}``."""
    desk = get_desk(session)
    pattern = desk.fact_check_url_pattern or base_url.rstrip("/") + DEFAULT_FACT_CHECK_PATH
    return DeskInfo(desk.organisation_name, desk.organisation_url, pattern)


def _name(value: str) -> str:
    if "\x00" in value:
        raise DeskSettingsError("The organisation name cannot hold a NUL character.")
    name = " ".join(value.split())
    if not name:
        raise DeskSettingsError("The organisation needs a name (it signs every ClaimReview).")
    if len(name) > MAX_NAME:
        raise DeskSettingsError(f"The organisation name is too long (at most {MAX_NAME}).")
    return name


def _url(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > MAX_URL or http_url(text) is None:
        raise DeskSettingsError(
            "The organisation URL must be an http:// or https:// address without spaces "
            f"(at most {MAX_URL} characters)."
        )
    return text


def _pattern(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > MAX_URL:
        raise DeskSettingsError(f"The fact-check URL pattern is too long (at most {MAX_URL}).")
    try:
        return _check_pattern(text)
    except PatternError as exc:
        raise DeskSettingsError(str(exc)) from None


def update_desk(
    session: Session,
    *,
    actor: Actor,
    organisation_name: str,
    organisation_url: str | None,
    fact_check_url_pattern: str | None,
    public_fact_checks: bool,
) -> DeskView:
    """Store the desk's settings (an empty URL or pattern clears it) and commit.

    Raises DeskSettingsError for a value that cannot be stored; nothing is changed then.
    """
    wanted = DeskView(
        organisation_name=_name(organisation_name),
        organisation_url=_url(organisation_url),
        fact_check_url_pattern=_pattern(fact_check_url_pattern),
        public_fact_checks=bool(public_fact_checks),
    )
    rating_scale.active_scale(session)  # makes the desk's row on a new desk
    row = _row(session)
    if row is None:  # pragma: no cover - active_scale made it
        raise RuntimeError("the desk has no settings row")
    before = get_desk(session)
    if before == wanted:
        return before
    row.organisation_name = wanted.organisation_name
    row.organisation_url = wanted.organisation_url
    row.fact_check_url_pattern = wanted.fact_check_url_pattern
    row.public_fact_checks = wanted.public_fact_checks
    row.updated_at = utcnow()
    session.add(row)
    events.record(
        session,
        actor=actor,
        entity_type="desk_settings",
        entity_id=row.id,
        action="updated",
        before=asdict(before),
        after=asdict(wanted),
    )
    session.commit()
    return wanted
