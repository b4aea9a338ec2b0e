"""The review JSON API's answers as the OpenAPI schema describes them (``web.api_claims``
builds them as dicts; these models document them, and the schema fuzz test checks that
the answers match)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from claimdesk.web.api_research import _CLAIM_EXAMPLE, ErrorOut, VerdictOut

_DETAIL_FIELDS = [
    "id",
    "uuid",
    "article_id",
    "status",
    "row_version",
    "statement",
    "quote",
    "start",
    "end",
    "anchor_state",
    "version_id",
    "claimant",
    "assignee_id",
    "verdict",
    "published_verdict",
    "tags",
]
_CLAIM_DETAIL_EXAMPLE: dict[str, Any] = {
    **{k: v for k, v in _CLAIM_EXAMPLE.items() if k in _DETAIL_FIELDS},
    "evidence": [
        {
            "id": 5,
            "uuid": "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928",
            "source_id": 12,
            "stance": "refutes",
            "note": "Table 3 gives the adopted figure.",
            "state": "confirmed",
            "source_title": "Council budget 2026",
            "source_url": "https://council.example/budget-2026",
            "passage_id": 31,
            "score": 0.82,
            "created_by": "reviewer@desk.example",
            "created_at": "2026-03-05T09:40:00+00:00",
        }
    ],
}


class EvidenceOut(BaseModel):
    id: int
    uuid: str
    source_id: int
    stance: str | None
    note: str | None
    state: str
    source_title: str | None
    source_url: str | None
    passage_id: int | None
    score: float | None
    created_by: str | None
    created_at: str = Field(description="ISO 8601, UTC.")


class ClaimDetailOut(BaseModel):
    """A claim with its latest verdict (``verdict``), the one the public sees now
    (``published_verdict``) and all its evidence. ``start``/``end`` are null for an orphan
    (its words are gone from the article's latest version)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CLAIM_DETAIL_EXAMPLE]})
    id: int
    uuid: str
    article_id: int
    status: str
    row_version: int = Field(description="Send it back with an action or evidence.")
    statement: str
    quote: str
    start: int | None
    end: int | None
    anchor_state: str
    version_id: int
    claimant: str | None
    assignee_id: int | None
    verdict: VerdictOut | None
    published_verdict: VerdictOut | None
    evidence: list[EvidenceOut]
    tags: list[str]


class HistoryEntryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 88,
                    "at": "2026-03-05T10:00:00+00:00",
                    "actor": "reviewer@desk.example",
                    "action": "propose",
                    "before": {"status": "in_review"},
                    "after": {
                        "status": "proposed",
                        "row_version": 4,
                        "verdict_id": 9,
                        "label": "False",
                        "verdict": "proposed",
                        "rationale": "The adopted budget shows a 12% overrun.",
                    },
                }
            ]
        }
    )
    id: int
    at: str = Field(description="ISO 8601, UTC.")
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class LabelOut(BaseModel):
    id: int
    name: str
    rating_value: float | None
    needs_evidence: bool
    colour: str
    position: int
    description: str | None


class RatingScaleOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Default",
                    "best_rating": 5,
                    "worst_rating": 1,
                    "labels": [
                        {
                            "id": 1,
                            "name": "False",
                            "rating_value": 1,
                            "needs_evidence": True,
                            "colour": "#b91c1c",
                            "position": 0,
                            "description": "The claim is inaccurate.",
                        }
                    ],
                }
            ]
        }
    )
    name: str
    best_rating: float
    worst_rating: float
    labels: list[LabelOut]


class ConflictOut(BaseModel):
    """A stale ``row_version``: someone changed the claim since it was read."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "The claim was changed by editor@desk.example at "
                    "2026-03-05T11:00:00+00:00 after you loaded it. Reload it to see the "
                    "change, then try again.",
                    "changed_by": "editor@desk.example",
                    "changed_at": "2026-03-05T11:00:00.120000+00:00",
                    "row_version": 7,
                }
            ]
        }
    )

    detail: str
    changed_by: str | None
    changed_at: str | None
    row_version: int = Field(description="The claim's current row_version.")


_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictOut, "description": "row_version is stale: reload and try again."}
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_CONFLICT,
    422: {
        "model": ErrorOut,
        "description": "The body cannot be used, or the workflow refuses the action "
        "(said in words).",
    },
}
