"""The FastAPI application, built by a factory so tests and the CLI configure it alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimdesk.config import Settings
from claimdesk.resources import static_dir
from claimdesk.services import rating_scale
from claimdesk.store import secrets as secrets_store
from claimdesk.store.database import Database
from claimdesk.web import (
    account_pages,
    api_claims,
    api_research,
    claim_edit_pages,
    dashboard_pages,
    exports_pages,
    ingest_pages,
    openapi,
    pages,
    queue_pages,
    research_pages,
    review_pages,
    settings_pages,
    sql_pages,
)
from claimdesk.web.auth import AuthenticationRequired, authentication_required_handler
from claimdesk.web.errors import (
    bounded_path_ids,
    database_error_handler,
    http_error_handler,
    validation_error_handler,
)
from claimdesk.web.rendering import make_templates
from claimdesk.web.security import SecurityMiddleware


def _prepare(db: Database, settings: Settings) -> str:
    """Before the first request: the session signing key (from the settings, else kept in
    the database) and the desk's rating scale, made once on a new desk so that requests
    never race to make it. Returns the signing key."""
    with db.session(write=True) as session:
        rating_scale.active_scale(session)
        return settings.secret_key or secrets_store.get_or_create(
            session, secrets_store.SESSION_SIGNING_KEY
        )


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the app; the database is opened (and upgraded) on startup unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if database is not None:
            yield
            return
        db = Database.open(settings.database_url)
        app.state.db = db
        app.state.secret_key = _prepare(db, settings)
        try:
            yield
        finally:
            db.close()

    app = FastAPI(
        title="claimdesk",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(bounded_path_ids)],
    )
    app.state.settings = settings
    if database is not None:
        app.state.db = database
        app.state.secret_key = _prepare(database, settings)
    app.state.templates = make_templates()
    app.add_middleware(SecurityMiddleware)
    app.add_exception_handler(AuthenticationRequired, authentication_required_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    app.include_router(account_pages.router)
    app.include_router(ingest_pages.router)  # before pages: /articles/new is not an id
    app.include_router(queue_pages.router)
    app.include_router(settings_pages.router)
    app.include_router(pages.router)
    app.include_router(review_pages.router)  # after ingest_pages: /articles/new is not an id
    app.include_router(api_claims.router)
    app.include_router(api_research.router)
    app.include_router(claim_edit_pages.router)
    app.include_router(exports_pages.router)
    app.include_router(sql_pages.router)
    app.include_router(research_pages.router)
    app.include_router(dashboard_pages.router)
    openapi.install(app)
    return app
