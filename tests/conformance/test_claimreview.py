"""Exported ClaimReviews use only schema.org 30.0 types and properties, on types they belong
to, carry Google's required fields, and expand as JSON-LD offline.

The vocabulary is ../shared/conformance/claimreview/vocabulary-30.0 (its ``http://`` and
``https://`` IRIs are compared as one); ``Claim``, ``appearance`` and ``creativeWorkStatus``
are in its pending section, as Google's fact-check guidance expects.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from claimdesk.core.exports import claim_review, script_block, script_json
from claimdesk.store.database import Database
from tests.conformance.conftest import DESK, exported, local_loader

SCHEMA = "http://schema.org/"


@cache
def _vocabulary(path: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(class -> its superclasses, property -> the classes it belongs on), by local name."""
    graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]

    def names(value: Any) -> set[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return {i["@id"].removeprefix("schema:") for i in items if isinstance(i, dict)}

    classes: dict[str, set[str]] = {}
    properties: dict[str, set[str]] = {}
    for node in graph:
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        name = node["@id"].removeprefix("schema:")
        if "rdfs:Class" in kinds:
            classes[name] = names(node.get("rdfs:subClassOf"))
        if "rdf:Property" in kinds:
            properties[name] = names(node.get("schema:domainIncludes"))
    return classes, properties


def _ancestors(name: str, classes: dict[str, set[str]]) -> set[str]:
    found, todo = {name}, [name]
    while todo:
        for parent in classes.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def vocabulary_errors(expanded: Any, vocab_file: Path) -> list[str]:
    """What in an expanded JSON-LD document is not schema.org 30.0 or not on its type."""
    classes, properties = _vocabulary(vocab_file)
    errors: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict) or "@value" in node:
            return  # a literal (its @type is a datatype such as schema:Date)
        types = set()
        for iri in node.get("@type", []):
            name = iri.removeprefix(SCHEMA)
            if iri == name or name not in classes:
                errors.append(f"type {iri} is not in the vocabulary")
            types |= _ancestors(name, classes)
        for key, value in node.items():
            if key.startswith("@"):
                continue
            name = key.removeprefix(SCHEMA)
            if key == name or name not in properties:
                errors.append(f"property {key} is not in the vocabulary")
            elif types and not properties[name] & types:
                errors.append(f"{name} does not belong on {sorted(types)}")
            walk(value)

    walk(expanded)
    return errors


@pytest.fixture
def vocab_file(claimreview_dir: Path) -> Path:
    return claimreview_dir / "vocabulary-30.0" / "schemaorg-current-https.jsonld"


def test_the_checker_accepts_schema_orgs_own_examples_and_catches_a_wrong_term(
    claimreview_dir: Path, anno_dir: Path, vocab_file: Path
) -> None:
    options = {"documentLoader": local_loader(anno_dir, claimreview_dir)}
    for name in ("eg-0324.jsonld", "eg-0325.jsonld"):
        example = json.loads((claimreview_dir / "jsonld" / name).read_text(encoding="utf-8"))
        assert vocabulary_errors(jsonld.expand(example, options), vocab_file) == [], name
    wrong = dict(example, verdictColour="red", reviewRating={"@type": "Verdict"})
    assert len(vocabulary_errors(jsonld.expand(wrong, options), vocab_file)) == 2
    misplaced = dict(example, ratingValue=3)  # a Rating's property on the review itself
    assert vocabulary_errors(jsonld.expand(misplaced, options), vocab_file) != []


@pytest.mark.parametrize("role", ["editor", "researcher"])
def test_every_exported_claim_review_conforms(
    db: Database, role: str, claimreview_dir: Path, anno_dir: Path, vocab_file: Path
) -> None:
    reviews = json.loads(exported(db, "claimreview", role))
    assert len(reviews) == (5 if role == "editor" else 3)
    options = {"documentLoader": local_loader(anno_dir, claimreview_dir)}
    for review in reviews:
        # Google's required fields
        assert isinstance(review["claimReviewed"], str) and review["claimReviewed"].strip()
        assert review["reviewRating"]["@type"] == "Rating"
        assert review["reviewRating"]["alternateName"].strip()
        assert review["url"].startswith("https://gazette.test/fc/")
        assert review["author"] == {
            "@type": "Organization",
            "name": DESK.organisation_name,
            "url": DESK.organisation_url,
        }
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["itemReviewed"]["appearance"]["url"].startswith("https://")
        expanded = jsonld.expand(review, options)
        assert vocabulary_errors(expanded, vocab_file) == [], review["url"]
        rating = review["reviewRating"]
        if "ratingValue" in rating:
            assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        if role == "researcher":
            assert review["creativeWorkStatus"] == "published" and "datePublished" in review
    assert jsonld.expand(reviews, options)  # the whole file is one JSON-LD document


def test_the_script_block_cannot_be_closed_by_hostile_text(db: Database) -> None:
    reviews = json.loads(exported(db, "claimreview", "editor"))
    hostile = next(r for r in reviews if "[published]" in r["claimReviewed"])
    assert "</script>" in hostile["claimReviewed"] + hostile["reviewBody"]
    body = script_json(hostile)
    assert not set(body) & set("<>&\u2028\u2029")
    assert json.loads(body) == hostile


def test_script_block_wraps_the_claim_review_of_a_record() -> None:
    from tests.core.test_exports import record

    item = record(statement='a </script><script>alert(1)</script> "b" & c')
    block = script_block(item, DESK)
    assert block.startswith('<script type="application/ld+json">\n')
    assert block.count("</script>") == 1 and block.endswith("</script>")
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(inner) == claim_review(item, DESK)
