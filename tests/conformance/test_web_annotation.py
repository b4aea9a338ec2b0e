"""Exported W3C Web Annotations pass every MUST assertion of the W3C test suite.

The assertions are the JSON Schemas listed in ../shared/conformance/web-annotation's
``annotations/annotationMusts.test`` (and the collection and page musts), validated with
jsonschema; every ``$ref`` resolves to the local definitions/ files through a referencing
Registry. ``uri`` and ``date-time`` formats are checked too (jsonschema would skip them
without optional packages). The export also expands as JSON-LD, offline, losing nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from pyld import jsonld
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from claimdesk.store.database import Database
from tests import export_desk
from tests.conformance.conftest import exported, local_loader

URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
FORMATS = FormatChecker()


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(URI.match(value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", value):
        raise ValueError(value)
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _registry(root: Path) -> Registry[Any]:
    """Every schema of the suite under its ``id`` (its file name), as the suite expects."""
    resources = []
    for path in sorted(root.rglob("*.json")):
        if "tools" in path.parts:
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        name = schema.get("id", path.name)
        resources.append((name, Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


def _musts(root: Path, test_file: str) -> list[dict[str, Any]]:
    manifest = json.loads((root / test_file).read_text(encoding="utf-8"))
    schemas = [json.loads((root / p).read_text(encoding="utf-8")) for p in manifest["assertions"]]
    return [s for s in schemas if s.get("assertionType") == "must"]


def _failures(
    document: dict[str, Any], musts: list[dict[str, Any]], registry: Registry[Any]
) -> list[str]:
    failed = []
    for schema in musts:
        validator = Draft4Validator(schema, registry=registry, format_checker=FORMATS)
        if validator.is_valid(document) != (schema["expectedResult"] == "valid"):
            failed.append(f"{schema['id']}: {schema.get('errorMessage', '')}")
    return failed


def _annotations(collection: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from collection["first"]["items"]


@pytest.fixture
def suite(anno_dir: Path) -> tuple[Path, Registry[Any]]:
    return anno_dir, _registry(anno_dir)


def test_the_suite_is_complete_and_catches_a_broken_annotation(
    suite: tuple[Path, Registry[Any]],
) -> None:
    root, registry = suite
    musts = _musts(root, "annotations/annotationMusts.test")
    assert len(musts) == 54
    good = json.loads((root / "tools/samples/correct/anno1.json").read_text(encoding="utf-8"))
    assert _failures(good, musts, registry) == []
    broken = {k: v for k, v in good.items() if k != "target"}
    assert _failures(broken, musts, registry) != []


@pytest.mark.parametrize("role", ["editor", "researcher"])
def test_every_exported_annotation_meets_every_must(
    db: Database, suite: tuple[Path, Registry[Any]], role: str
) -> None:
    root, registry = suite
    collection = json.loads(exported(db, "annotations", role))
    annotation_musts = _musts(root, "annotations/annotationMusts.test")
    items = list(_annotations(collection))
    # editor: demo (published, approved) + hostile (published, approved, the correction)
    assert len(items) == (5 if role == "editor" else 3) == collection["total"]
    for item in items:
        assert _failures(item, annotation_musts, registry) == [], item["id"]
    assert _failures(collection, _musts(root, "collections/collectionMusts.test"), registry) == []
    page = collection["first"]
    assert _failures(page, _musts(root, "collections/pages/pageMusts.test"), registry) == []


def test_annotations_carry_the_claim_verdict_and_evidence_as_the_model_says(
    db: Database,
) -> None:
    collection = json.loads(exported(db, "annotations", "editor"))
    by_statement = {
        body["value"]: item
        for item in _annotations(collection)
        for body in item["body"]
        if body["purpose"] == "describing"
    }
    item = by_statement[f"{export_desk.STATEMENT} [published]"]
    assert item["motivation"] == "assessing" and item["type"] == "Annotation"
    purposes = [body["purpose"] for body in item["body"]]
    assert purposes == ["assessing", "describing", "commenting", "tagging", "linking"]
    verdict, _statement, rationale, tag, link = item["body"]
    assert (verdict["value"], verdict["schema:ratingValue"]) == ("False", 1)
    assert rationale["value"] == export_desk.RATIONALE and tag["value"] == "=tag 😀"
    assert link["source"]["id"] == "https://evidence.test/published?a=1&b=2"
    assert link["schema:additionalType"] == "refutes"
    target = item["target"]
    assert target["source"] == export_desk.HOSTILE_URL
    quote, position = target["selector"]
    text = export_desk.HOSTILE_TEXT
    assert text[position["start"] : position["end"]] == quote["exact"] == export_desk.SENTENCES[0]
    assert text[: position["start"]].endswith(quote["prefix"])
    assert text[position["end"] :].startswith(quote["suffix"])
    assert target["state"]["type"] == "TimeState"
    assert item["creator"] == {"type": "Person", "name": "reviewer@review.test"}


def test_the_export_expands_as_json_ld_offline_and_loses_nothing(
    db: Database, anno_dir: Path, claimreview_dir: Path
) -> None:
    collection = json.loads(exported(db, "annotations", "editor"))
    options = {"documentLoader": local_loader(anno_dir, claimreview_dir)}
    assert jsonld.expand(collection, options)
    oa = "http://www.w3.org/ns/oa#"
    for item in _annotations(collection):
        (expanded,) = jsonld.expand(item, options)
        assert expanded[f"{oa}motivatedBy"] == [{"@id": f"{oa}assessing"}]
        # compacting the expansion gives the annotation back: no key was dropped
        again = jsonld.compact(expanded, item["@context"], options)
        assert again == item
        unmapped = [k for k in _keys(expanded) if not k.startswith(("@", "http://"))]
        assert unmapped == []  # every key became an absolute IRI of a vocabulary


def _keys(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            found |= _keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= _keys(value)
    return found
