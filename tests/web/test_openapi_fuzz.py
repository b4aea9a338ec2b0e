"""Schema-driven fuzzing of the JSON API: schemathesis reads ``/openapi.json`` from the app,
makes requests for every ``/api/`` operation (valid ones and deliberately wrong ones), and
checks each answer: never a 5xx, a status code the schema declares, the declared media type,
and a body that matches the declared schema.

It runs as an admin and as a researcher (published verdicts only, no evidence links, no
workflow actions: their 403s must be declared too) on a small desk where ids exist
(articles, claims new / in review / published, sources), on SQLite and PostgreSQL.
Nothing is excluded. Reproducible: derandomized, 25 examples per operation and role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
import schemathesis
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from claimdesk.config import Settings
from claimdesk.core.exports import FORMATS
from claimdesk.core.workflow import Action
from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Source
from claimdesk.web.app import create_app
from tests.factories import add_source
from tests.research_desk import build

ROLES = ("admin", "researcher")
EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_tokens(db: Database, users: dict[str, str]) -> dict[str, dict[str, str]]:
    """A seeded desk, and role -> Authorization header for ROLES."""
    with db.session(write=True) as s:
        build(s)
        add_source(s, title="Field notes", url="https://library.example/notes", collection="notes")
        made = {}
        for role in ROLES:
            user = accounts.get_user(s, users[role])
            _, secret = accounts.create_token(s, user=user, name="fuzz", actor=SYSTEM)
            made[role] = {"Authorization": f"Bearer {secret}"}
    return made


@dataclass
class Known:
    """Values that exist on the desk, for the fuzzer to use half the time: random ids are
    almost always 404, which would leave the answers for real claims untested."""

    db: Database
    path: dict[str, list[Any]]
    body: dict[str, list[Any]]

    def steer(self, case: schemathesis.Case, index: int) -> None:
        for name, choices in self.path.items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = choices[index % len(choices)]  # type: ignore[index]
        if not isinstance(case.body, dict):
            return
        for name, choices in self.body.items():
            if name in case.body:
                case.body[name] = choices[index % len(choices)]
        claim_id = (case.path_parameters or {}).get("claim_id")
        if "row_version" in case.body and index % 3 and isinstance(claim_id, int):
            with self.db.session() as s:
                claim = s.get(Claim, claim_id)
                if claim is not None:  # the current version, so the action may go through
                    case.body["row_version"] = claim.row_version


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], known: Known) -> None:
    @given(
        case=operation.as_strategy(generation_mode=mode),
        steer=st.booleans(),
        index=st.integers(min_value=0, max_value=1000),
    )
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case, steer: bool, index: int) -> None:
        if steer:
            known.steer(case, index)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_the_api_answers_as_its_schema_says(
    db: Database, fuzz_tokens: dict[str, dict[str, str]]
) -> None:
    app = create_app(Settings(database_url=str(db.engine.url), secret_key="test"), database=db)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13
    with db.session() as s:
        claims = [c.id for c in s.exec(select(Claim)).all()]
        sources = [x.id for x in s.exec(select(Source)).all()]
    known = Known(
        db,
        path={"claim_id": claims, "format": sorted(FORMATS)},
        body={
            "source_id": sources,
            "action": [a.value for a in Action],
            "label": ["False", "Mostly false", "Unverifiable"],
            "stance": ["supports", "refutes", "context"],
        },
    )
    failures = []
    for operation in operations:
        for role in ROLES:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz(operation, mode, fuzz_tokens[role], known)
                except KeyboardInterrupt:
                    raise
                except BaseException as exc:
                    failures.append(f"{operation.label} as {role} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)


def test_openapi_json_documents_every_api_route_with_a_summary_and_its_errors() -> None:
    """Served without signing in; only /api/ routes; every error a JSON {"detail"} body
    (never FastAPI's list-shaped 422, which the app does not send)."""
    app = create_app(Settings(database_url="sqlite://", secret_key="x"))
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    routes = {
        (method.lower(), context.path)
        for context in iter_route_contexts(app.routes)
        if (context.path or "").startswith("/api/")
        for method in (context.methods or set()) - {"HEAD"}
    }
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert documented == routes
    assert spec["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert not [name for name in schemas if name.startswith("Body_")]  # the HTML forms'
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            assert {"401", "503"} <= set(op["responses"]), (method, path)
            for code, answer in op["responses"].items():
                if code.startswith(("4", "5")):
                    body = answer["content"]["application/json"]["schema"]
                    target = schemas[body["$ref"].rsplit("/", 1)[1]]
                    assert target["required"][0] == "detail", (method, path, code)
    examples = ("ClaimList", "ClaimDetailOut", "ArticleList", "SourceList", "StatsOut")
    others = ("MeOut", "RatingScaleOut", "HistoryEntryOut", "SqlResult", "ConflictOut", "ErrorOut")
    for name in (*examples, *others):
        for example in schemas[name]["examples"]:
            jsonschema.validate(example, {"$ref": f"#/components/schemas/{name}", **spec})


def test_a_stale_write_and_each_export_answer_as_the_schema_declares(
    db: Database, fuzz_tokens: dict[str, dict[str, str]]
) -> None:
    """What the fuzzer first found undeclared: the 409 of a stale row_version (with who
    changed the claim) and the exports' own media types (CSV, JSON-LD, NDJSON)."""
    app = create_app(Settings(database_url=str(db.engine.url), secret_key="test"), database=db)
    with db.session() as s:
        claim_id = s.exec(select(Claim.id)).first()
    admin = fuzz_tokens["admin"]
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
        stale = client.post(
            f"/api/claims/{claim_id}/actions",
            json={"action": "start", "row_version": 0},
            headers=admin,
        )
        exports = {name: client.get(f"/api/exports/{name}", headers=admin) for name in FORMATS}
    assert stale.status_code == 409
    declared = spec["paths"]["/api/claims/{claim_id}/actions"]["post"]["responses"]["409"]
    schema = declared["content"]["application/json"]["schema"]
    jsonschema.validate(stale.json(), {**schema, **spec})
    assert stale.json()["changed_by"]
    media = spec["paths"]["/api/exports/{format}"]["get"]["responses"]["200"]["content"]
    for name, response in exports.items():
        assert response.status_code == 200, name
        assert response.headers["content-type"].split(";")[0] in media, name
