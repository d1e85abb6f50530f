"""A requirement set as YAML a person edits: read back with every mistake on its line.

A YAML syntax error carries the parser's mark; a schema error (schemas/requirements.schema.json)
carries the path of the value it is about, which is followed through the composed YAML nodes to
the line the value (or its key) starts on. Pure: no database, no web."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker

from schemas import load, registry


@dataclass(frozen=True)
class LineError:
    """One reason the text is refused; ``line`` counts from 1 (None: the text as a whole)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def as_yaml(body: dict[str, Any]) -> str:
    """The set as the editor shows it: keys in the set's own order, block style."""
    return yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def read_requirements(text: str) -> tuple[dict[str, Any] | None, list[LineError]]:
    """The set ``text`` describes and no errors, or None and every error with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        body = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(str(p) for p in (e.context, e.problem) if p) or "not YAML"
        return None, [LineError(mark.line + 1 if mark else None, f"this is not valid YAML: {problem}")]
    except yaml.YAMLError as e:
        return None, [LineError(None, f"this is not valid YAML: {e}")]
    if not isinstance(body, dict):
        return None, [LineError(1, "a requirement set is a mapping of keys (name, holder, lines, …), "
                                   "not a single value or a list")]
    body = _dates_as_text(body)
    validator = Draft202012Validator(load("requirements"), registry=registry(), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    found = [LineError(_line(root, _path_of(e)), f"{_where(e)}{plain(e)}") for e in errors]
    return (None, sorted(found, key=lambda e: e.line or 0)) if found else (body, [])


def _path_of(error) -> list[Any]:
    """The path of the value the error is about; for unknown keys, the first unknown key itself."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set((error.schema.get("properties") or {}))
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            path.append(extra[0])
    return path


TYPES = {"integer": "a whole number (2000000, no $ or commas)", "number": "a number", "string": "text",
         "boolean": "true or false", "object": "a mapping of keys", "array": "a list"}


def plain(error) -> str:
    """What a schema error asks for, in words, for the common kinds; jsonschema's own message else."""
    match error.validator:
        case "type":
            wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            return f"{error.instance!r} should be " + " or ".join(TYPES.get(t, t) for t in wanted)
        case "required":
            missing = [k for k in error.validator_value if k not in (error.instance or {})]
            return "missing " + ", ".join(repr(k) for k in missing) if missing else error.message
        case "additionalProperties":
            allowed = sorted(error.schema.get("properties") or {})
            extra = [k for k in (error.instance or {}) if k not in allowed]
            return (f"{', '.join(repr(k) for k in extra)} is not a key here"
                    + (f"; the keys are: {', '.join(allowed)}" if allowed else ""))
        case "enum":
            return f"{error.instance!r} is not one of: {', '.join(map(str, error.validator_value))}"
        case "minimum":
            return f"{error.instance!r} is below the least allowed, {error.validator_value}"
    return error.message


def _where(error) -> str:
    path = "/".join(str(p) for p in error.absolute_path)
    return f"{path}: " if path else ""


def _line(node: yaml.Node | None, path: list[Any]) -> int | None:
    """The line (from 1) of the deepest node along ``path``: a mapping value is found by its key,
    and reported on its key's line."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(step)),
                        None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _dates_as_text(value: Any) -> Any:
    """Unquoted dates (``from: 2027-01-01``) as the ISO text the schema and the database keep."""
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
