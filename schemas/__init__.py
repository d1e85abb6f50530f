"""The public JSON Schemas (certificate, requirements, events) and a validator for them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource


@cache
def load(name: str) -> dict[str, Any]:
    """``load("certificate")`` → schemas/certificate.schema.json; ``load("events/decision")`` likewise."""
    return json.loads(resources.files(__name__).joinpath(f"{name}.schema.json").read_text())


@cache
def registry() -> Registry:
    """Every schema of the package under its ``$id``, so schemas can ``$ref`` one another."""
    root = resources.files(__name__)
    files = [*root.iterdir(), *root.joinpath("events").iterdir()]
    schemas = [json.loads(f.read_text()) for f in files if f.name.endswith(".schema.json")]
    return Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)


def validate(name: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks the schema, as readable lines (empty when it conforms)."""
    validator = Draft202012Validator(load(name), registry=registry(), format_checker=FormatChecker())
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))]


def validate_event(event: dict[str, Any]) -> list[str]:
    """Check a CloudEvent against the schema of its type (schemas/events/<type>.schema.json)."""
    kind = event.get("type")
    if not isinstance(kind, str) or not resources.files(__name__).joinpath(f"events/{kind}.schema.json").is_file():
        return [f"type: no schema for event type {kind!r}"]
    return validate(f"events/{kind}", event)


def templates() -> dict[str, dict[str, Any]]:
    """Requirement-set templates per vendor type (schemas/templates/*.json): copy one, adjust, set it."""
    folder = resources.files(__name__).joinpath("templates")
    return {entry.name.removesuffix(".json"): json.loads(entry.read_text())
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".json")}
