"""Read a scenario YAML file and turn every problem into a message with file and line."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.errors import ScenarioError
from simulator.scenario.schema import Scenario


def _node_at(root: yaml.Node | None, loc: tuple[int | str, ...]) -> yaml.Node | None:
    """Return the deepest YAML node along ``loc`` (keys of mappings, indices of sequences)."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(key)), None)
            if match is None:
                return node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return node
    return node


def _key_node(root: yaml.Node | None, loc: tuple[int | str, ...]) -> yaml.Node | None:
    """Return the node of the key named by the last element of ``loc`` (for unknown keys)."""
    parent = _node_at(root, loc[:-1])
    if isinstance(parent, yaml.MappingNode):
        for k, _ in parent.value:
            if k.value == str(loc[-1]):
                return k
    return parent


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """Return the pydantic model that holds the keys at ``loc`` (``()`` is the root)."""
    model: type[BaseModel] = Scenario
    for key in loc:
        field = model.model_fields.get(str(key))
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _describe(error: dict[str, Any], path: Path, root: yaml.Node | None) -> str:
    loc = tuple(error["loc"])
    where_section = " under " + ".".join(map(str, loc[:-1])) if len(loc) > 1 else ""
    if error["type"] == "extra_forbidden":
        node = _key_node(root, loc)
        line = node.start_mark.line + 1 if node is not None else "?"
        key = str(loc[-1])
        model = _model_at(loc[:-1])
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else f"; known keys: {', '.join(known)}"
        return f"unknown key `{key}` at {path}:{line}{where_section}{hint}"
    node = _node_at(root, loc)
    line = node.start_mark.line + 1 if node is not None else "?"
    key = ".".join(map(str, loc)) or "(top level)"
    found = error.get("input")
    found_text = "" if isinstance(found, dict) else f"; found {found!r}"
    return f"{path}:{line}: key `{key}`: {error['msg']}{found_text}"


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        YAML file with the keys of :class:`~simulator.scenario.schema.Scenario`.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        If the file is missing, is not valid YAML, or breaks the schema; the message
        names the file, the line, the key, what was expected and what was found.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"scenario file not found: {path}"
        raise ScenarioError(msg)
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        msg = f"{where}: not valid YAML ({problem})"
        raise ScenarioError(msg) from None
    if not isinstance(data, dict):
        msg = f"{path}: expected a mapping of scenario keys (name, year, ...), found {type(data).__name__}"
        raise ScenarioError(msg)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(dict(e), path, root) for e in exc.errors()]
        raise ScenarioError("\n".join(problems)) from None
