"""The contracts' JSON Schemas, generated from zod into <repo>/schemas. Inside the Modal image they are copied to
/root/schemas and PSYCHOHISTORY_SCHEMAS points there."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import jsonschema

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def schema_dir() -> Path:
    d = Path(os.environ.get("PSYCHOHISTORY_SCHEMAS", REPO_SCHEMAS))
    if not (d / "case.schema.json").exists():
        raise FileNotFoundError(
            f"contract schemas not found in {d}; run from the repository checkout or set PSYCHOHISTORY_SCHEMAS"
        )
    return d


@functools.cache
def load(name: str) -> dict:
    return json.loads((schema_dir() / f"{name}.schema.json").read_text())


@functools.cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def errors(name: str, obj) -> list[str]:
    """Human-readable schema errors, each with the JSON path of the offending field."""
    out = []
    for e in sorted(validator(name).iter_errors(obj), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        out.append(f"{where}: {e.message}")
    return out
