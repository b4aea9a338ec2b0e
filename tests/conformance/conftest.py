"""What the conformance tests share: a desk with every status and hostile text, its exports
(as the editor and as a researcher sees them), and an offline JSON-LD document loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from claimdesk.core.exports import DeskInfo, build_query
from claimdesk.services import demo, exports
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from tests import export_desk
from tests.conftest import shared_path

DESK = DeskInfo(
    'Gazette "checks" </script> 😀', "https://gazette.test/", "https://gazette.test/fc/{uuid}"
)
ANNO_CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_CONTEXT_URLS = (
    "https://schema.org",
    "https://schema.org/",
    "http://schema.org",
    "http://schema.org/",
)


def exported(db: Database, fmt: str, role: str) -> str:
    """The ``fmt`` export of a desk holding the demo (every status) and the hostile article
    (every status, a correction under way), as ``role`` gets it by default."""
    with db.session(write=True) as session:
        demo.load_demo(session, actor=SYSTEM)
        export_desk.build(session)
        query = build_query(role=role)
        return "".join(exports.export(session, fmt, query, DESK, role=role))


@pytest.fixture
def anno_dir() -> Path:
    return shared_path("conformance", "web-annotation")


@pytest.fixture
def claimreview_dir() -> Path:
    return shared_path("conformance", "claimreview")


def local_loader(anno_dir: Path, claimreview_dir: Path) -> Any:
    """A pyld document loader that serves the two contexts from ../shared and refuses
    everything else: the tests never fetch.

    The W3C context in ../shared is a 2016 snapshot (w3c/web-annotation @ 74992e5) taken
    before the motivation ``assessing`` was added; the published context defines it as
    ``oa:assessing``, and so does this loader.
    """
    anno = json.loads((anno_dir / "context" / "anno.jsonld").read_text(encoding="utf-8"))
    anno["@context"].setdefault("assessing", "oa:assessing")
    schema_file = claimreview_dir / "vocabulary-30.0" / "schemaorgcontext.jsonld"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    documents = {ANNO_CONTEXT_URL: anno, **dict.fromkeys(SCHEMA_CONTEXT_URLS, schema)}

    def load(url: str, options: dict[str, Any]) -> dict[str, Any]:
        if url not in documents:
            raise jsonld.JsonLdError(
                f"not available offline: {url}",
                "jsonld.LoadDocumentError",
                code="loading document failed",
            )
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": documents[url],
            "contentType": "application/ld+json",
        }

    return load
