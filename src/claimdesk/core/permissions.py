"""Roles and what each may do. Routes declare a permission; this table grants it.

reviewer   create/edit/split/dismiss claims, link evidence, propose verdicts, comment
editor     all of reviewer, plus approve, return and publish verdicts, export, rating scale
researcher read-only: articles and claims, search, the API, exports of published verdicts,
           read-only SQL over the research views
admin      users, tokens, settings (and everything else, to support the desk)
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REVIEWER = "reviewer"
    EDITOR = "editor"
    RESEARCHER = "researcher"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"  # articles, claims, sources: what every signed-in person sees
    READ_WORK = "read_work"  # work in progress: unpublished verdicts, comments, history
    OWN_TOKENS = "own_tokens"  # create and revoke one's own API tokens
    INGEST = "ingest"
    EDIT_CLAIMS = "edit_claims"
    LINK_EVIDENCE = "link_evidence"
    PROPOSE_VERDICT = "propose_verdict"
    COMMENT = "comment"
    APPROVE_VERDICT = "approve_verdict"
    PUBLISH = "publish"
    EXPORT = "export"
    EXPORT_PUBLISHED = "export_published"
    MANAGE_SCALE = "manage_scale"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    QUERY_SQL = "query_sql"  # the read-only SQL console (researchers and admins)


_BASE = frozenset({Permission.READ, Permission.OWN_TOKENS, Permission.EXPORT_PUBLISHED})
_REVIEWER = _BASE | {
    Permission.READ_WORK,
    Permission.INGEST,
    Permission.EDIT_CLAIMS,
    Permission.LINK_EVIDENCE,
    Permission.PROPOSE_VERDICT,
    Permission.COMMENT,
}
_EDITOR = _REVIEWER | {
    Permission.APPROVE_VERDICT,
    Permission.PUBLISH,
    Permission.EXPORT,
    Permission.MANAGE_SCALE,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.RESEARCHER: _BASE | {Permission.QUERY_SQL},
    Role.REVIEWER: _REVIEWER,
    Role.EDITOR: _EDITOR,
    Role.ADMIN: frozenset(Permission),
}


def parse_role(value: str) -> Role:
    """The role named ``value``; raises ValueError listing the roles there are."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}: choose one of {names}") from None


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
