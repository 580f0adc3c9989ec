"""Read scenario YAML files: ``extends`` chains, ``sweep`` variants, and errors with file and line.

Semantics
---------
- ``extends: other.yaml`` inherits another scenario: mappings merge key by key (the child
  wins), lists and scalars replace. The path resolves relative to the file; it may not
  leave the folder of the file given on the command line or the project's ``scenarios/``.
- ``sweep:`` expands one file into variants, ``mode: product`` (every combination) or
  ``mode: zip`` (the i-th value of every parameter together). Parameters are dotted key
  paths. Every variant is validated in full. The number of variants is counted before any
  is built and refused past :data:`MAX_VARIANTS` (raise it per file with
  ``sweep.max_variants``, up to :data:`MAX_VARIANTS_CEILING`).
- YAML is read with the safe loader (no object construction); duplicate keys, empty
  files, binary content, files over :data:`~simulator.scenario.yaml_file.MAX_FILE_BYTES` and nesting deeper than
  :data:`~simulator.scenario.yaml_file.MAX_DEPTH` are errors.
- Aliases (``*name``, also in merge keys ``<<: *name``) are counted before anything else
  reads the file: a document whose aliases expand to more than :data:`~simulator.scenario.yaml_file.MAX_EXPANDED_VALUES`
  values (an "alias bomb": ten nested lists of ten aliases are 10^10 values) and an alias
  inside the node it names are errors naming the file and the line of the alias.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from simulator.errors import ScenarioError
from simulator.paths import scenarios_dir
from simulator.scenario.schema import Scenario
from simulator.scenario.yaml_file import (
    Document,
    deepest,
    read_document,
)

MAX_VARIANTS = 1_000
"""Most variants a sweep may define unless its file raises the limit with ``sweep.max_variants``
(a product of three lists of a few thousand values would otherwise be built in memory)."""
MAX_VARIANTS_CEILING = 100_000
"""Highest ``sweep.max_variants`` accepted: every variant is validated in memory before any runs."""
GENERIC_STEMS = {"capacity", "price", "value", "factor", "limit", "scale", ""}
UNIT_TOKENS = ("mw", "mwh", "gwh", "usd", "mmbtu", "bbl", "t", "km", "pct", "kv", "h", "per")


@dataclass
class Resolved:
    """A scenario file after ``extends``: the merged data and the chain of files (child first)."""

    data: dict[str, Any]
    chain: list[Document] = field(default_factory=list)
    sweep: dict[str, Any] | None = None

    def locate(self, loc: tuple[int | str, ...], key: bool = False) -> str:
        """Return ``file:line`` of the deepest node along ``loc`` in the first file that defines most of it."""
        best: tuple[int, Document, yaml.Node] | None = None
        for doc in self.chain:
            depth, node = deepest(doc.root, loc, key)
            if node is not None and (best is None or depth > best[0]):
                best = (depth, doc, node)
        if best is None:
            return str(self.chain[0].path) if self.chain else "?"
        _, doc, node = best
        return f"{doc.path}:{node.start_mark.line + 1}"


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``child`` over ``base``: mappings merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _within(path: Path, roots: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(r.resolve()) for r in roots)


def resolve(path: str | Path) -> Resolved:
    """Read a scenario file and everything it ``extends``; return the merged data."""
    top = Path(path)
    roots = [top.resolve().parent, scenarios_dir()]
    chain: list[Document] = []
    current: Path = top
    while True:
        if any(d.path.resolve() == current.resolve() for d in chain):
            names = " -> ".join(str(d.path) for d in chain) + f" -> {current}"
            msg = f"cyclic extends: {names}"
            raise ScenarioError(msg)
        doc = read_document(current)
        if "appraisal" in doc.data:  # simulator.appraise.config.APPRAISAL_KEY (not imported: a cycle)
            msg = (
                f"{Resolved({}, [doc]).locate(('appraisal',), key=True)}: this is an appraisal file, not a "
                f"scenario: run it with `siepac appraise {doc.path}` (`--check` validates it without solving)"
            )
            raise ScenarioError(msg)
        chain.append(doc)
        parent = doc.data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            msg = f"{Resolved({}, [doc]).locate(('extends',))}: key `extends`: expected a file name, found {parent!r}"
            raise ScenarioError(msg)
        candidate = (doc.path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
        if not candidate.is_file() and not Path(parent).is_absolute():
            candidate = scenarios_dir() / parent
        if not _within(candidate, roots):
            msg = (
                f"{Resolved({}, [doc]).locate(('extends',))}: key `extends`: {parent!r} points outside "
                f"{roots[0]} and {scenarios_dir()}; give such a file explicitly on the command line"
            )
            raise ScenarioError(msg)
        current = candidate
    data: dict[str, Any] = {}
    for doc in reversed(chain):
        data = merge(data, doc.data)
    data.pop("extends", None)
    sweep = data.pop("sweep", None)
    return Resolved(data=data, chain=chain, sweep=sweep)


# -- validation --------------------------------------------------------------------------


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """Return the pydantic model that holds the keys at ``loc`` (``()`` is the root)."""
    model: type[BaseModel] = Scenario
    for key in loc:
        if isinstance(key, int):
            continue
        field_info = model.model_fields.get(str(key))
        annotation = getattr(field_info, "annotation", None)
        inner = _inner_model(annotation)
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(error: dict[str, Any], resolved: Resolved) -> str:
    loc = tuple(error["loc"])
    section = " under " + ".".join(map(str, loc[:-1])) if len(loc) > 1 else ""
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc[:-1])
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else f"; known keys: {', '.join(known)}"
        return f"unknown key `{key}` at {resolved.locate(loc, key=True)}{section}{hint}"
    path = ".".join(str(p) for p in loc if not str(p).startswith("function-") and str(p) != "[key]") or "(top level)"
    found = error.get("input")
    found_text = "" if isinstance(found, dict | list) or error["type"] == "missing" else f"; found {found!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
        close = difflib.get_close_matches(str(found), options, n=1)
        if close:
            found_text += f"; did you mean {close[0]!r}?"
    return f"{resolved.locate(loc)}: key `{path}`: {message}{found_text}"


def validate(data: dict[str, Any], resolved: Resolved) -> Scenario:
    """Validate merged scenario data; raise one :class:`ScenarioError` listing every problem."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(dict(e), resolved) for e in exc.errors()]
        raise ScenarioError("\n".join(problems)) from None
    scenario._origin = resolved
    return scenario


# -- sweeps ------------------------------------------------------------------------------


def _check_path(dotted: str) -> None:
    """Raise ValueError if a dotted path does not name a scenario key (mapping keys are free)."""
    model: type[BaseModel] | None = Scenario
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if model is None:
            return  # inside a free mapping (growth, prices, limits): checked when validating
        if part not in model.model_fields:
            close = difflib.get_close_matches(part, list(model.model_fields), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            where = ".".join(parts[:i]) or "the top level"
            msg = f"`{part}` is not a key under {where}{hint}"
            raise ValueError(msg)
        annotation = model.model_fields[part].annotation
        inner = _inner_model(annotation)
        model = inner if inner is not None and get_origin(annotation) is None else None


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    parts = dotted.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value
    return out


def variant_label(dotted: str, value: Any) -> str:
    """Return a readable label of one swept value, e.g. ``anchor_500mw`` or ``lng_8usd``."""
    parts = dotted.split(".")
    last = parts[-1]
    tokens = last.split("_")
    cut = next((i for i, t in enumerate(tokens) if t in UNIT_TOKENS), len(tokens))
    stem, unit = "_".join(tokens[:cut]), tokens[cut] if cut < len(tokens) else ""
    if stem in GENERIC_STEMS and len(parts) > 1:
        stem = parts[-2]
    if isinstance(value, bool):
        return f"{stem}_{'on' if value else 'off'}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list | tuple):
        value = ".".join(map(str, value))
    text = re.sub(r"[^A-Za-z0-9_.-]+", "", f"{value}{unit}")
    return f"{stem}_{text}"


def expand(resolved: Resolved) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Return ``(variant name, data, swept values)`` for every variant of a sweep (one if none)."""
    sweep = resolved.sweep
    if sweep is None:
        return [(str(resolved.data.get("name", "")), resolved.data, {})]
    where = resolved.locate(("sweep",))
    if not isinstance(sweep, dict) or set(sweep) - {"mode", "parameters", "max_variants"} or "parameters" not in sweep:
        msg = (
            f"{where}: key `sweep`: expected `mode` (product or zip), `parameters` (dotted key: list of values) "
            "and optionally `max_variants`"
        )
        raise ScenarioError(msg)
    limit = sweep.get("max_variants", MAX_VARIANTS)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_VARIANTS_CEILING:
        msg = (
            f"{resolved.locate(('sweep', 'max_variants'))}: key `sweep.max_variants`: expected a whole number "
            f"from 1 to {MAX_VARIANTS_CEILING:,}, found {limit!r}"
        )
        raise ScenarioError(msg)
    mode = sweep.get("mode", "product")
    if mode not in ("product", "zip"):
        msg = f"{resolved.locate(('sweep', 'mode'))}: key `sweep.mode`: expected 'product' or 'zip', found {mode!r}"
        raise ScenarioError(msg)
    parameters = sweep["parameters"]
    if not isinstance(parameters, dict) or not parameters:
        msg = f"{where}: key `sweep.parameters`: expected a mapping of dotted keys to lists of values"
        raise ScenarioError(msg)
    for dotted, values in parameters.items():
        at = resolved.locate(("sweep", "parameters", dotted), key=True)
        try:
            _check_path(str(dotted))
        except ValueError as exc:
            msg = f"{at}: sweep parameter `{dotted}`: {exc}"
            raise ScenarioError(msg) from None
        if not isinstance(values, list) or not values:
            msg = f"{at}: sweep parameter `{dotted}`: expected a non-empty list of values, found {values!r}"
            raise ScenarioError(msg)
    keys = list(parameters)
    lengths = [len(parameters[k]) for k in keys]
    if mode == "zip" and len(set(lengths)) != 1:
        msg = f"{where}: key `sweep`: mode zip needs lists of equal length, found lengths {sorted(set(lengths))}"
        raise ScenarioError(msg)
    count = lengths[0] if mode == "zip" else math.prod(lengths)  # counted, nothing built yet
    if count > limit:
        how = f"{' x '.join(map(str, lengths))} = {count:,}" if mode == "product" else f"{count:,}"
        msg = (
            f"{where}: key `sweep`: {how} variants, more than the limit of {limit:,}; "
            f"set `sweep.max_variants` (up to {MAX_VARIANTS_CEILING:,}) to allow more, or sweep fewer values"
        )
        raise ScenarioError(msg)
    if mode == "zip":
        combos = list(zip(*(parameters[k] for k in keys), strict=True))
    else:
        combos = list(itertools.product(*(parameters[k] for k in keys)))
    base = str(resolved.data.get("name", "scenario"))
    out = []
    for combo in combos:
        data = resolved.data
        for key, value in zip(keys, combo, strict=True):
            data = _set_path(data, key, value)
        name = "-".join([base, *(variant_label(k, v) for k, v in zip(keys, combo, strict=True))])
        data = {**data, "name": name}
        out.append((name, data, dict(zip(keys, combo, strict=True))))
    names = [o[0] for o in out]
    if len(set(names)) != len(names):
        msg = f"{where}: key `sweep`: repeated values give duplicate variant names"
        raise ScenarioError(msg)
    return out


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Load a scenario file and return every scenario it defines (the variants of a sweep).

    Raises
    ------
    ScenarioError
        Listing every problem with file, line, key, what was expected and what was found.
    """
    resolved = resolve(path)
    scenarios: list[Scenario] = []
    problems: list[str] = []
    for name, data, swept in expand(resolved):
        try:
            scenario = validate(data, resolved)
        except ScenarioError as exc:
            prefix = f"variant {name}: " if swept else ""
            problems.extend(prefix + line for line in str(exc).splitlines())
            continue
        scenario._swept = swept
        scenarios.append(scenario)
    if problems:
        raise ScenarioError("\n".join(dict.fromkeys(problems)))
    return scenarios


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file that defines exactly one scenario (no sweep).

    Parameters
    ----------
    path
        YAML file with the keys of :class:`~simulator.scenario.schema.Scenario`.

    Raises
    ------
    ScenarioError
        If the file is missing, is not valid YAML, breaks the schema or defines a sweep.
    """
    scenarios = load_scenarios(path)
    if len(scenarios) != 1:
        msg = f"{path}: defines a sweep of {len(scenarios)} variants; load it with load_scenarios()"
        raise ScenarioError(msg)
    return scenarios[0]
