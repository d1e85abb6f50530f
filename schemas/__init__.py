"""The public JSON Schemas (certificate, requirements, events) and a validator for them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


@cache
def load(name: str) -> dict[str, Any]:
    """``load("certificate")`` → schemas/certificate.schema.json; ``load("events/decision")`` likewise."""
    return json.loads(resources.files(__name__).joinpath(f"{name}.schema.json").read_text())


def validate(name: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks the schema, as readable lines (empty when it conforms)."""
    validator = Draft202012Validator(load(name))
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))]


def templates() -> dict[str, dict[str, Any]]:
    """Requirement-set templates per vendor type (schemas/templates/*.json): copy one, adjust, set it."""
    folder = resources.files(__name__).joinpath("templates")
    return {entry.name.removesuffix(".json"): json.loads(entry.read_text())
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".json")}
