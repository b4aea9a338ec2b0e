"""Research views for the read-only SQL console, and PostgreSQL roles that may read them

``research_*`` views (researchers and admins) show articles, claims, published verdicts,
tags, sources that are not sensitive and confirmed evidence; ``admin_*`` views (admins)
add work in progress, comments, assignments, users without passwords and the audit log.
No view holds a password hash, a session or token hash or an ``auth_secret`` value. The
columns are documented in ``claimdesk.store.research_views``.

PostgreSQL: NOLOGIN roles ``claimdesk_sql_researcher`` and ``claimdesk_sql_admin`` get
SELECT on their views only; the console runs a query as one of them (SET LOCAL ROLE).
Roles are server-wide, so they are made only when missing and never dropped here (other
claimdesk databases on the server may use them); when the migrating user may not create
roles, the views are still made and the console falls back to a name check (see
``claimdesk.store.readonly_sql``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESEARCH_VIEWS = {
    "research_articles": """SELECT a.id, a.uuid, a.url, a.canonical_url, a.title,
        a.publisher, a.author, a.published_at, a.language, a.current_version_id,
        a.created_at FROM article AS a""",
    "research_article_versions": """SELECT v.id, v.article_id, v.number, v.text,
        v.content_hash, v.final_url, v.fetched_at, v.created_at FROM article_version AS v""",
    "research_claims": """SELECT c.id, c.uuid, c.article_id, c.version_id,
        c.start AS start_offset, c."end" AS end_offset, c.quote, c.statement,
        cl.name AS claimant, cl.kind AS claimant_kind, c.claim_date,
        c.score AS checkworthiness, c.status, c.anchor_state, c.language,
        c.duplicate_of_id, c.created_at, c.updated_at
        FROM claim AS c LEFT JOIN claimant AS cl ON cl.id = c.claimant_id""",
    "research_verdicts": """SELECT v.id, v.uuid, v.claim_id, v.label_name AS label,
        v.rating_value, v.best_rating, v.worst_rating, v.rationale, v.state,
        v.supersedes_id, v.approved_at, v.published_at
        FROM verdict AS v WHERE v.published_at IS NOT NULL
        AND v.state IN ('published', 'superseded')""",
    "research_tags": """SELECT ct.claim_id, t.name AS tag
        FROM claim_tag AS ct JOIN tag AS t ON t.id = ct.tag_id""",
    "research_sources": """SELECT s.id, s.uuid, s.kind, s.collection, s.url, s.title,
        s.publisher, s.published_at, s.language, s.claim_reviewed, s.rating_text,
        s.rating_value, s.rating_best, s.rating_worst, s.reviewer, s.text, s.created_at
        FROM source AS s WHERE NOT s.sensitive""",
    "research_evidence": """SELECT e.id, e.uuid, e.claim_id, e.source_id, e.passage_id,
        e.stance, e.match_start, e.match_end, e.score, e.note, e.created_at
        FROM evidence AS e JOIN source AS s ON s.id = e.source_id
        WHERE e.state = 'confirmed' AND NOT s.sensitive""",
    "research_rating_labels": """SELECT s.name AS scale, l.name AS label, l.rating_value,
        l.description, l.position
        FROM rating_label AS l JOIN rating_scale AS s ON s.id = l.scale_id""",
}
ADMIN_VIEWS = {
    "admin_verdicts": """SELECT v.id, v.uuid, v.claim_id, v.label_name AS label,
        v.rating_value, v.rationale, v.state, v.proposer_id, v.approver_id, v.supersedes_id,
        v.proposed_at, v.approved_at, v.published_at FROM verdict AS v""",
    "admin_evidence": """SELECT e.id, e.uuid, e.claim_id, e.source_id, e.passage_id,
        e.state, e.stance, e.score, e.note, e.created_by_id, e.created_at, e.updated_at
        FROM evidence AS e""",
    "admin_sources": """SELECT s.id, s.uuid, s.kind, s.collection, s.url, s.title,
        s.publisher, s.sensitive, s.text, s.created_at FROM source AS s""",
    "admin_claims": """SELECT c.id, c.assignee_id, c.reasons, c.model_version, c.row_version
        FROM claim AS c""",
    "admin_comments": """SELECT c.id, c.claim_id, c.author_id, c.body, c.created_at
        FROM comment AS c""",
    "admin_assignments": """SELECT a.id, a.claim_id, a.user_id, a.assigned_by_id,
        a.created_at, a.ended_at FROM assignment AS a""",
    "admin_users": """SELECT u.id, u.uuid, u.email, u.display_name, u.role, u.disabled,
        u.created_at FROM auth_user AS u""",
    "admin_events": """SELECT e.id, e.actor_type, e.actor_id, e.actor_label, e.entity_type,
        e.entity_id, e.action, e.before, e.after, e.created_at FROM event AS e""",
}
RESEARCHER_ROLE = "claimdesk_sql_researcher"
ADMIN_ROLE = "claimdesk_sql_admin"

_MAKE_ROLE = """DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {role} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database's migration made it at the same moment
END $$"""
_JOIN_ROLE = """DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 160000 THEN
        -- PostgreSQL 16 gives the creator of a role ADMIN on it but not SET: ask for SET
        EXECUTE 'GRANT {role} TO CURRENT_USER WITH SET TRUE, INHERIT FALSE';
    ELSIF NOT pg_has_role(current_user, '{role}', 'MEMBER') THEN
        GRANT {role} TO CURRENT_USER;
    END IF;
EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
    NULL;  -- the console falls back to its name check
END $$"""


def _role_powers() -> tuple[bool, bool]:
    """(superuser, may create roles) for the migrating user."""
    row = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT rolsuper, rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def upgrade() -> None:
    for name, sql in (RESEARCH_VIEWS | ADMIN_VIEWS).items():
        op.execute(f"CREATE VIEW {name} AS {sql}")
    if op.get_bind().dialect.name != "postgresql":
        return
    superuser, may_create_roles = _role_powers()
    if not may_create_roles:
        return
    for role in (RESEARCHER_ROLE, ADMIN_ROLE):
        op.execute(_MAKE_ROLE.format(role=role))
        if not superuser:  # a superuser may SET ROLE to any role already
            op.execute(_JOIN_ROLE.format(role=role))
    for name in RESEARCH_VIEWS:
        op.execute(f"GRANT SELECT ON {name} TO {RESEARCHER_ROLE}, {ADMIN_ROLE}")
    for name in ADMIN_VIEWS:
        op.execute(f"GRANT SELECT ON {name} TO {ADMIN_ROLE}")


def downgrade() -> None:
    # Dropping a view drops its grants; the server-wide roles stay for other databases.
    for name in reversed(list(RESEARCH_VIEWS | ADMIN_VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
