"""The FastAPI application, built by a factory so tests and the CLI configure it alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from claimdesk.config import Settings
from claimdesk.resources import static_dir
from claimdesk.store.database import Database
from claimdesk.web import pages
from claimdesk.web.rendering import make_templates


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the app; the database is opened (and upgraded) on startup unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or Database.open(settings.database_url)
        app.state.db = db
        try:
            yield
        finally:
            if database is None:
                db.close()

    app = FastAPI(title="claimdesk", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    app.include_router(pages.router)
    return app
