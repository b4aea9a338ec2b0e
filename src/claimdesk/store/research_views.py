"""The views the read-only SQL console queries, documented (made by migration 0009).

Researchers read the ``research_*`` views: articles and claims as the workbench shows them,
verdicts only once published, confirmed evidence from sources that are not sensitive, no
people. Admins read those and the ``admin_*`` views: work in progress (every verdict,
evidence in every state, sensitive sources), comments, assignments, users and the audit
log. No view holds a secret: password hashes, session and token hashes and ``auth_secret``
appear in none of them.

On PostgreSQL a query runs as the role of its audience (``claimdesk_sql_researcher`` or
``claimdesk_sql_admin``: NOLOGIN roles with SELECT on their views only); on SQLite an
authorizer lets a query read these views and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

RESEARCHER = "researcher"
ADMIN = "admin"
PG_ROLES = {RESEARCHER: "claimdesk_sql_researcher", ADMIN: "claimdesk_sql_admin"}
"""PostgreSQL roles, shared by every claimdesk database of a server (a role is server-wide,
its privileges are per database): migration 0009 creates them when they are missing."""


@dataclass(frozen=True)
class ResearchView:
    name: str
    audience: str  # researcher: researchers and admins; admin: admins only
    about: str
    columns: tuple[tuple[str, str], ...]
    whole_tables: tuple[str, ...] = ()
    """Tables whose rows the view shows (or that hold nothing to hide): counting their rows
    tells nothing the view does not. SQLite reports ``count(*)`` over a plain view, or over
    a LEFT JOIN it can skip, as a read of no column of the table, outside the view."""


_ID = ("id", "the row's integer key")
_UUID = ("uuid", "stable identifier (PostgreSQL: with dashes; SQLite: 32 hex digits)")

VIEWS: tuple[ResearchView, ...] = (
    ResearchView(
        "research_articles",
        RESEARCHER,
        "Every article on the desk.",
        (
            _ID,
            _UUID,
            ("url", "the address it was ingested from"),
            ("canonical_url", "its canonical address, when the page named one"),
            ("title", "headline"),
            ("publisher", "who published it"),
            ("author", "byline"),
            ("published_at", "publication date"),
            ("language", "BCP-47 language tag"),
            ("current_version_id", "research_article_versions.id of the newest text"),
            ("created_at", "when it was first ingested (UTC)"),
        ),
        whole_tables=("article",),
    ),
    ResearchView(
        "research_article_versions",
        RESEARCHER,
        "Each ingested version of an article's cleaned text; claim offsets refer to it.",
        (
            _ID,
            ("article_id", "research_articles.id"),
            ("number", "1 for the first version, then 2, 3, …"),
            ("text", "the cleaned body text"),
            ("content_hash", "SHA-256 of the text"),
            ("final_url", "the address after redirects"),
            ("fetched_at", "when it was fetched (UTC)"),
            ("created_at", "when it was ingested (UTC)"),
        ),
        whole_tables=("article_version",),
    ),
    ResearchView(
        "research_claims",
        RESEARCHER,
        "Every claim: its span of the article, statement, claimant and workflow status.",
        (
            _ID,
            _UUID,
            ("article_id", "research_articles.id"),
            ("version_id", "research_article_versions.id its offsets refer to"),
            ("start_offset", "where the quote starts in that version's text"),
            ("end_offset", "where it ends (exclusive)"),
            ("quote", "the article's words"),
            ("statement", "the claim as the desk worded it"),
            ("claimant", "who made the claim (name), if known"),
            ("claimant_kind", "person / organisation / unknown"),
            ("claim_date", "when the claim was made"),
            ("checkworthiness", "the check-worthiness score, 0 to 1"),
            ("status", "new, in_review, proposed, approved, published, returned, dismissed"),
            ("anchor_state", "anchored / re-anchored / orphan"),
            ("language", "BCP-47 language tag"),
            ("duplicate_of_id", "research_claims.id of the claim this one repeats"),
            ("created_at", "when it was found (UTC)"),
            ("updated_at", "when it last changed (UTC)"),
        ),
        whole_tables=("claim", "claimant"),  # claimants are names the claims show
    ),
    ResearchView(
        "research_verdicts",
        RESEARCHER,
        "Published verdicts (a correction's earlier verdict stays, as superseded).",
        (
            _ID,
            _UUID,
            ("claim_id", "research_claims.id"),
            ("label", "the rating label, as published"),
            ("rating_value", "the label's ClaimReview ratingValue"),
            ("best_rating", "the scale's best rating"),
            ("worst_rating", "the scale's worst rating"),
            ("rationale", "the written rationale"),
            ("state", "published, or superseded by a correction"),
            ("supersedes_id", "research_verdicts.id of the verdict this one corrects"),
            ("approved_at", "when an editor approved it (UTC)"),
            ("published_at", "when it was published (UTC)"),
        ),
    ),
    ResearchView(
        "research_tags",
        RESEARCHER,
        "Tags on claims, one row per claim and tag.",
        (("claim_id", "research_claims.id"), ("tag", "the tag's name")),
        whole_tables=("claim_tag", "tag"),
    ),
    ResearchView(
        "research_sources",
        RESEARCHER,
        "The source library without sensitive sources: documents, statements, datasets "
        "and earlier fact-checks (with their publisher's rating).",
        (
            _ID,
            _UUID,
            ("kind", "document, statement, dataset or factcheck"),
            ("collection", "the collection it was imported into"),
            ("url", "its address"),
            ("title", "its title"),
            ("publisher", "who published it"),
            ("published_at", "publication date"),
            ("language", "BCP-47 language tag"),
            ("claim_reviewed", "fact-checks: the claim they rated"),
            ("rating_text", "fact-checks: their rating, as written"),
            ("rating_value", "fact-checks: their rating value"),
            ("rating_best", "fact-checks: their scale's best value"),
            ("rating_worst", "fact-checks: their scale's worst value"),
            ("reviewer", "fact-checks: who rated the claim"),
            ("text", "the source's text"),
            ("created_at", "when it was imported (UTC)"),
        ),
    ),
    ResearchView(
        "research_evidence",
        RESEARCHER,
        "Evidence a person confirmed, from sources that are not sensitive.",
        (
            _ID,
            _UUID,
            ("claim_id", "research_claims.id"),
            ("source_id", "research_sources.id"),
            ("passage_id", "the passage of the source, if one was matched"),
            ("stance", "supports / refutes / context"),
            ("match_start", "where the match starts in the passage"),
            ("match_end", "where it ends"),
            ("score", "the matcher's score, if it suggested the link"),
            ("note", "the reviewer's note"),
            ("created_at", "when it was linked (UTC)"),
        ),
    ),
    ResearchView(
        "research_rating_labels",
        RESEARCHER,
        "The rating scales' labels.",
        (
            ("scale", "the scale's name"),
            ("label", "the label's name"),
            ("rating_value", "its ClaimReview ratingValue"),
            ("description", "what it means"),
            ("position", "its place on the scale"),
        ),
        whole_tables=("rating_label", "rating_scale"),
    ),
    ResearchView(
        "admin_verdicts",
        ADMIN,
        "Every verdict in every state (proposed, approved, returned, published, …).",
        (
            _ID,
            _UUID,
            ("claim_id", "research_claims.id"),
            ("label", "the rating label"),
            ("rating_value", "the label's ClaimReview ratingValue"),
            ("rationale", "the written rationale"),
            ("state", "proposed, approved, returned, published, superseded"),
            ("proposer_id", "admin_users.id of who proposed it"),
            ("approver_id", "admin_users.id of who approved it"),
            ("supersedes_id", "admin_verdicts.id of the verdict it corrects"),
            ("proposed_at", "(UTC)"),
            ("approved_at", "(UTC)"),
            ("published_at", "(UTC)"),
        ),
        whole_tables=("verdict",),
    ),
    ResearchView(
        "admin_evidence",
        ADMIN,
        "Every evidence link: suggested, confirmed and rejected, sensitive sources too.",
        (
            _ID,
            _UUID,
            ("claim_id", "research_claims.id"),
            ("source_id", "admin_sources.id"),
            ("passage_id", "the passage matched, if any"),
            ("state", "suggested / confirmed / rejected"),
            ("stance", "supports / refutes / context"),
            ("score", "the matcher's score"),
            ("note", "the reviewer's note"),
            ("created_by_id", "admin_users.id of who linked it"),
            ("created_at", "(UTC)"),
            ("updated_at", "(UTC)"),
        ),
        whole_tables=("evidence",),
    ),
    ResearchView(
        "admin_sources",
        ADMIN,
        "Every source, sensitive ones too.",
        (
            _ID,
            _UUID,
            ("kind", "document, statement, dataset or factcheck"),
            ("collection", "its collection"),
            ("url", "its address"),
            ("title", "its title"),
            ("publisher", "who published it"),
            ("sensitive", "must not leave the desk"),
            ("text", "the source's text"),
            ("created_at", "(UTC)"),
        ),
        whole_tables=("source",),
    ),
    ResearchView(
        "admin_claims",
        ADMIN,
        "Claims' working fields: assignee, reasons for the score, edit counter.",
        (
            _ID,
            ("assignee_id", "admin_users.id of who works on it"),
            ("reasons", "why it scored as it did (JSON list)"),
            ("model_version", "the scorer that produced the score"),
            ("row_version", "edit counter (optimistic locking)"),
        ),
        whole_tables=("claim",),
    ),
    ResearchView(
        "admin_comments",
        ADMIN,
        "Comments on claims.",
        (
            _ID,
            ("claim_id", "research_claims.id"),
            ("author_id", "admin_users.id"),
            ("body", "the comment"),
            ("created_at", "(UTC)"),
        ),
        whole_tables=("comment",),
    ),
    ResearchView(
        "admin_assignments",
        ADMIN,
        "Who was assigned which claim, and when it ended.",
        (
            _ID,
            ("claim_id", "research_claims.id"),
            ("user_id", "admin_users.id"),
            ("assigned_by_id", "admin_users.id"),
            ("created_at", "(UTC)"),
            ("ended_at", "(UTC)"),
        ),
        whole_tables=("assignment",),
    ),
    ResearchView(
        "admin_users",
        ADMIN,
        "People on the desk, without their passwords.",
        (
            _ID,
            _UUID,
            ("email", "their sign-in address"),
            ("display_name", "their name"),
            ("role", "reviewer, editor, researcher or admin"),
            ("disabled", "may no longer sign in"),
            ("created_at", "(UTC)"),
        ),
        whole_tables=("auth_user",),
    ),
    ResearchView(
        "admin_events",
        ADMIN,
        "The audit log: who changed what, before and after.",
        (
            _ID,
            ("actor_type", "user / token / system"),
            ("actor_id", "admin_users.id (or the token's id)"),
            ("actor_label", "who, in words"),
            ("entity_type", "what kind of record changed"),
            ("entity_id", "its id"),
            ("action", "what happened"),
            ("before", "the fields before (JSON)"),
            ("after", "the fields after (JSON)"),
            ("created_at", "(UTC)"),
        ),
        whole_tables=("event",),
    ),
)


def views_for(role: str) -> tuple[ResearchView, ...]:
    """The views ``role`` may query: researchers the research views, admins all of them."""
    if role == ADMIN:
        return VIEWS
    if role == RESEARCHER:
        return tuple(v for v in VIEWS if v.audience == RESEARCHER)
    return ()


def is_research_view(name: str | None) -> bool:
    return bool(name) and any(view.name == name for view in VIEWS)
