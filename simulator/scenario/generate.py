"""Generate ``scenarios/schema.json`` and ``scenarios/defaults.yaml`` from the pydantic models.

Run ``siepac schema`` (or ``python -m simulator.scenario.generate``) after changing
:mod:`simulator.scenario.schema`; a test fails when the committed files drift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from simulator.files import write_text_atomic
from simulator.paths import scenarios_dir
from simulator.scenario.schema import Scenario

SCHEMA_FILE = "schema.json"
DEFAULTS_FILE = "defaults.yaml"


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a scenario *file*: the model plus ``extends`` and ``sweep``."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["required"] = ["name"]  # year and the rest may come from the file it extends
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Another scenario file to inherit from (relative to this file): mappings merge, lists replace.",
        "examples": ["base_2022.yaml"],
    }
    schema["properties"]["sweep"] = {
        "type": "object",
        "description": "Expand this file into variants: product of the parameter lists, or zip them.",
        "additionalProperties": False,
        "required": ["parameters"],
        "properties": {
            "mode": {"enum": ["product", "zip"], "default": "product"},
            "parameters": {
                "type": "object",
                "description": "Dotted key path -> list of values, e.g. fuels.prices.lng.usd_per_mmbtu: [8, 10, 12]",
                "additionalProperties": {"type": "array", "minItems": 1},
            },
        },
    }
    return schema


def defaults_yaml() -> str:
    """Return every default of the schema as a commented YAML document."""
    defaults = Scenario.model_validate({"name": "defaults", "year": 2022}).model_dump(mode="json")
    header = (
        "# Defaults of every scenario key, generated from simulator/scenario/schema.py by `siepac schema`.\n"
        "# Do not edit: change the models and regenerate. `name` and `year` have no default.\n"
        "# yaml-language-server: $schema=schema.json\n"
    )
    return header + yaml.safe_dump(defaults, sort_keys=False, allow_unicode=True)


def render() -> dict[str, str]:
    """Return the text of each generated file."""
    return {SCHEMA_FILE: json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", DEFAULTS_FILE: defaults_yaml()}


def write(folder: Path | None = None) -> list[Path]:
    """Write the generated files into ``scenarios/`` and return their paths."""
    folder = folder or scenarios_dir()
    paths = []
    for name, text in render().items():
        path = folder / name
        paths.append(write_text_atomic(path, text))
    return paths


if __name__ == "__main__":
    for written in write():
        print(written)
