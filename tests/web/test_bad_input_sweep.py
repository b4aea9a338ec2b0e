"""Every route, every path parameter and form field, fed bad values: never a 500.

The routes come from the app's router (as in test_permissions_matrix), so a new route or a
new form field is swept without anyone listing it here. For each route hypothesis puts one
bad value (oversized, NUL, invalid UTF-8, huge or negative integers, odd Unicode) into one
path parameter, query parameter or form field, with odd bytes in the cookie and headers,
and checks that the answer is not a 5xx, carries the security headers, shows no internals,
and that a refused request (4xx) changed no row in any table. It runs as an admin (who
reaches every route) and anonymously, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import func as sql_func
from sqlalchemy import select
from sqlmodel import SQLModel

from claimdesk.config import Settings
from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.web.app import create_app
from claimdesk.web.auth import SESSION_COOKIE
from tests.factories import ingest_article

# Routes whose form is read by the route itself rather than declared as Form parameters.
UNDECLARED_FIELDS = {
    ("POST", "/articles/new"): ("url", "text", "kind"),
    ("POST", "/sql"): ("sql",),
    ("POST", "/api/sql"): ("sql",),  # or a JSON body {"sql": …}
}
# Unsafe routes that take no form at all.
BODILESS = {("POST", "/logout"), ("POST", "/tokens/{token_id}/revoke")}
# Routes where a refused request is still recorded: failed logins are kept (throttling, audit).
RECORDS_REFUSALS = {("POST", "/login"): {"auth_login_attempt", "event"}}
# The admin does not sign out in the middle of the sweep; the anonymous run covers /logout.
NOT_AS_ADMIN = {("POST", "/logout")}
VALID = {
    "email": "someone@desk.test",
    "password": "a long enough password",
    "role": "editor",
    "name": "laptop",
    "action": "noop",
    "next": "/",
    "url": "",
    "text": "",
    "kind": "auto",
}
# Fewer examples where each one costs a password hash.
EXAMPLES = {("POST", "/login"): 6}
HUGE_FIELD = "\x00" * (1024 * 1024 + 16)  # over the form parser's 1 MB default, and binary
CURATED: list[str | bytes] = [
    "",
    " ",
    "\x00",
    "a\x00b@desk.test",
    "x" * 321,
    "x" * 2001,
    HUGE_FIELD,
    "9" * 40,
    "-9223372036854775809",
    "2147483648",
    "0",
    "-1",
    "1e5",
    "1.5",
    "NaN",
    "\u00e9t\u00e9",
    "\u202eevil\u202c",
    "\ufeff",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    b"\xff\xfe\xfd",
    b"\xc3\x28",
    b"ok\x00\xff",
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40).filter(
    lambda s: not s.lstrip().lower().startswith("http")  # never fetch the network
)
BAD_VALUE = st.one_of(
    st.sampled_from(CURATED),
    TEXT,
    st.binary(max_size=24),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)
HEADER_BYTES = st.binary(max_size=40).map(
    lambda b: bytes(c for c in b if c >= 0x20 or c == 0x09)  # no CR, LF or NUL in a header
)
ODD_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Authorization": HEADER_BYTES.map(lambda b: b"Bearer " + b),
        "HX-Request": HEADER_BYTES,
        "Accept-Language": HEADER_BYTES,
        "Referer": HEADER_BYTES,
    },
)
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    form_fields: tuple[str, ...]
    json_fields: tuple[str, ...]
    public: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def inputs(self) -> tuple[tuple[str, str], ...]:
        return (
            *(("path", n) for n in self.path_params),
            *(("query", n) for n in self.query_params),
            *(("form", n) for n in self.form_fields),
            *(("json", n) for n in self.json_fields),
        )


def _routes() -> list[Route]:
    """Every route of the app with the inputs it takes, read from the router."""
    app = create_app(Settings(database_url="sqlite://", secret_key="x"))
    found = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue  # the /static mount: files, no inputs
        assert context.path is not None and context.methods is not None
        dependants = _walk(context.dependant)
        bodies = [f for d in dependants for f in d.body_params]
        models = [f.field_info.annotation for f in bodies if _is_model(f.field_info.annotation)]
        json_fields = tuple(name for model in models for name in model.model_fields)
        fields = _names([[f for f in bodies if not _is_model(f.field_info.annotation)]])
        public = not any("Require" in repr(d.call) for d in dependants)
        for method in sorted(context.methods - {"HEAD"}):
            key = (method, context.path)
            fields = fields or UNDECLARED_FIELDS.get(key, ())
            if method == "POST":
                assert fields or json_fields or key in BODILESS, (
                    f"{key}: add its form fields to the sweep"
                )
            found.append(
                Route(
                    method,
                    context.path,
                    _names(d.path_params for d in dependants),
                    _names(d.query_params for d in dependants),
                    fields,
                    json_fields,
                    public,
                )
            )
    return found


def _walk(dependant: Any) -> list[Any]:
    stack, seen = [dependant], []
    while stack:
        current = stack.pop()
        seen.append(current)
        stack.extend(current.dependencies)
    return seen


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _names(groups: Iterable[list[Any]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(field.alias for group in groups for field in group))


def _row_counts(db: Database) -> dict[str, int]:
    tables = SQLModel.metadata.sorted_tables
    counts = [select(sql_func.count()).select_from(t).scalar_subquery() for t in tables]
    with db.engine.connect() as conn:
        row = conn.execute(select(*counts)).one()
    return {t.name: int(n) for t, n in zip(tables, row, strict=True)}


def _encode(value: str | bytes) -> str:
    return quote(value, safe="")


def _json_body(
    route: Route, target: tuple[str, str], value: str | bytes, *, numbers: bool
) -> dict[str, Any]:
    """A JSON body with ``value`` in the target field: invalid UTF-8 goes as raw bytes, and
    with ``numbers`` an integer-looking value goes as a JSON number."""
    body: dict[str, Any] = {n: VALID[n] for n in route.json_fields if n in VALID}
    if target[0] != "json":
        return {"json": body}
    if isinstance(value, bytes):
        opening = json.dumps(body)[:-1] + (", " if body else "")
        raw = opening.encode() + json.dumps(target[1]).encode() + b': "' + value + b'"}'
        return {"content": raw, "headers": {"Content-Type": "application/json"}}
    looks_like_integer = value.lstrip("-").isdigit() and len(value) < 100
    body[target[1]] = int(value) if numbers and looks_like_integer else value
    return {"json": body}


@dataclass
class Sweep:
    db: Database
    client: TestClient
    ids: dict[str, int | str]
    signed_in: bool
    counts: dict[str, int] = field(default_factory=dict)

    def send(
        self,
        route: Route,
        target: tuple[str, str],
        value: str | bytes,
        multipart: bool,
        headers: dict[str, bytes],
    ) -> Any:
        if target[0] != "form" and value == HUGE_FIELD:
            value = "x" * 4000  # no client sends a megabyte of URL; a long one will do
        path = route.path
        for name in route.path_params:
            given_value = value if target == ("path", name) else str(self.ids[name])
            path = path.replace("{" + name + "}", _encode(given_value))
        query = {
            n: value if target == ("query", n) else VALID.get(n, "x") for n in route.query_params
        }
        if query:
            path += "?" + urlencode(query)
        fields = {
            n: value if target == ("form", n) else VALID.get(n, "x") for n in route.form_fields
        }
        cookie = self.client.cookies.get(SESSION_COOKIE) if self.signed_in else None
        sent: dict[str, Any] = {"headers": dict(headers)}
        sent["headers"]["Cookie"] = (
            f"{SESSION_COOKIE}={cookie}; ".encode() + b"note=" + headers.get("Referer", b"")
            if cookie
            else SESSION_COOKIE.encode() + b"=" + headers.get("Accept-Language", b"x")
        )
        if route.json_fields:
            body = _json_body(route, target, value, numbers=multipart)
            sent["headers"].update(body.pop("headers", {}))
            sent.update(body)
        elif route.method != "GET" and fields:
            if multipart:
                sent["files"] = {n: (None, v) for n, v in fields.items()}
            else:
                sent["content"] = urlencode(fields).encode()
                sent["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
        return self.client.request(route.method, path, **sent)

    def check(self, route: Route, response: Any) -> None:
        where = f"{route.method} {route.path} -> {response.status_code}"
        assert response.status_code < 500, where + "\n" + response.text[:2000]
        csp = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, where
        assert response.headers.get("x-content-type-options") == "nosniff", where
        for internal in ("Traceback", "string_too_long", "'loc'", '"loc"', "int_parsing"):
            assert internal not in response.text, where
        location = response.headers.get("location", "")
        if response.status_code in (307, 308):  # a trailing slash, dropped: same site only
            assert location.startswith("http://testserver/") and location != str(response.url)
        elif not self.signed_in and not route.public:
            to_login = response.status_code == 303 and location.startswith("/login")
            assert to_login or 400 <= response.status_code < 500, where
        after = _row_counts(self.db)
        if response.status_code >= 400:
            allowed = RECORDS_REFUSALS.get(route.key, set())
            changed = {t for t in after if after[t] != self.counts[t]} - allowed
            assert not changed, f"{where}: a refused request changed {sorted(changed)}"
        self.counts = after


def _seed(db: Database) -> dict[str, int | str]:
    with db.session() as s:
        result = ingest_article(s)
        reviewer = accounts.get_user(s, "reviewer@desk.test")
        token, _secret = accounts.create_token(s, user=reviewer, name="t", actor=SYSTEM)
        return {
            "article_id": int(result.article.id),  # type: ignore[arg-type]
            "claim_id": int(result.claims[0].id),  # type: ignore[arg-type]
            "token_id": int(token.id),  # type: ignore[arg-type]
            "user_id": int(reviewer.id),  # type: ignore[arg-type]
            "evidence_id": 1,  # none yet: refused with 404, and nothing may change
            "format": "csv",
            "claim_uuid": str(result.claims[0].uuid),
            "chart": "verdicts-by-month",
        }


def test_every_post_route_has_its_form_fields_known() -> None:
    routes = _routes()
    assert {r.key for r in routes} >= {("POST", "/articles/new"), ("POST", "/admin/users")}
    posts = [r for r in routes if r.method == "POST" and r.key not in BODILESS]
    assert all(r.form_fields or r.json_fields for r in posts)


@pytest.mark.parametrize("as_admin", [True, False], ids=["admin", "anonymous"])
def test_bad_input_never_gives_a_server_error(
    as_admin: bool,
    db: Database,
    users: dict[str, str],
    login: Callable[[str], TestClient],
    client: TestClient,
) -> None:
    ids = _seed(db)
    sweep = Sweep(db, login("admin") if as_admin else client, ids, as_admin)
    sweep.counts = _row_counts(db)
    for route in _routes():
        if not (as_admin and route.key in NOT_AS_ADMIN):
            _sweep_route(sweep, route)


def _sweep_route(sweep: Sweep, route: Route) -> None:
    targets = list(route.inputs) or [("header", "")]

    @settings(SETTINGS, max_examples=EXAMPLES.get(route.key, SETTINGS.max_examples))
    @given(
        target=st.sampled_from(targets),
        value=BAD_VALUE,
        multipart=st.booleans(),
        headers=ODD_HEADERS,
    )
    def probe(
        target: tuple[str, str], value: str | bytes, multipart: bool, headers: dict[str, bytes]
    ) -> None:
        response = sweep.send(route, target, value, multipart, headers)
        sweep.check(route, response)

    probe()
