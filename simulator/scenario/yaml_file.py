"""One scenario YAML file read safely: size, depth and alias limits, unique text keys, checked
scalars, and the node tree kept for line numbers (see :mod:`simulator.scenario.load` for the
rules a user sees)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import ScenarioError

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_EXPANDED_VALUES = 100_000
"""Most values (scalars, lists and mappings) a scenario file may hold once its aliases are
expanded. Every shipped scenario holds fewer than 200; code downstream (line lookup,
``extends`` merging, validation, printing) walks the data as a tree, so the bound keeps it
linear in the file size."""

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when built


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe loader that rejects duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *base`: merged by the safe loader, its keys may be overridden here
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if not isinstance(key, str):
            # a list or mapping key cannot be hashed; a number, date or yes/no key would not
            # match any scenario key (`1:` is not `"1":`), so every key must be text
            shown = repr(key_node.value) if isinstance(key_node, yaml.ScalarNode) else f"(a {key_node.id})"
            msg = f"mapping key {shown} is {type(key).__name__}; keys must be text (quote a number, date or yes/no)"
            raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
        if key in seen:
            msg = f"duplicate key `{key}` (first at line {seen[key]})"
            raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)  # type: ignore[no-untyped-call]


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_SCALAR_KINDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "timestamp": "a valid date (YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS)",
}


def _checked_scalar(tag: str, expected: str) -> Any:
    """Wrap the safe loader's constructor of ``tag`` so that a value it cannot convert
    (``2022-02-30``, ``25:00``, ``!!float abc``) is a YAML error at its line, not a crash."""
    construct = yaml.SafeLoader.yaml_constructors[tag]

    def checked(loader: _UniqueKeyLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            reason = "" if isinstance(exc, AttributeError | KeyError) else f": {exc}"
            msg = f"value {node.value!r} is not {expected}{reason}"
            raise yaml.constructor.ConstructorError(None, None, msg, node.start_mark) from None

    return checked


for _kind, _expected in _SCALAR_KINDS.items():
    _tag = f"tag:yaml.org,2002:{_kind}"
    _UniqueKeyLoader.add_constructor(_tag, _checked_scalar(_tag, _expected))


@dataclass
class Document:
    """One YAML file: its path, parsed data and node tree (for line numbers)."""

    path: Path
    data: dict[str, Any]
    root: yaml.Node


def deepest(root: yaml.Node, loc: tuple[int | str, ...], key: bool) -> tuple[int, yaml.Node | None]:
    """Return how deep along ``loc`` the node tree goes, and the node reached (for line numbers)."""
    node: yaml.Node = root
    for depth, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                return depth, node
            node = match[0] if key and depth == len(loc) - 1 else match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return depth, node
    return len(loc), node


def _depth_ok(root: yaml.Node) -> bool:
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, yaml.MappingNode):
            stack.extend((v, depth + 1) for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, depth + 1) for v in node.value)
    return True


def _check_aliases(text: str, path: Path) -> None:
    """Raise :class:`ScenarioError` if the aliases of ``text`` expand past :data:`MAX_EXPANDED_VALUES`.

    Works on the parser's events (no node tree, no construction): every node counts one
    value, an alias counts the expanded size of the node it names. Linear in the file size.
    """
    sizes: dict[str, int] = {}  # anchor -> expanded size of its (finished) node
    open_anchors: list[tuple[str | None, int]] = []  # containers being read: (anchor, total at start)
    total = 0
    for event in yaml.parse(text, Loader=_UniqueKeyLoader):
        if isinstance(event, yaml.AliasEvent):
            anchor = str(event.anchor)
            if anchor not in sizes:
                line = event.start_mark.line + 1
                if any(a == anchor for a, _ in open_anchors):
                    msg = f"{path}:{line}: alias *{anchor} is inside the node it names (a recursive alias)"
                else:
                    msg = f"{path}:{line}: alias *{anchor} names no anchor defined before it"
                raise ScenarioError(msg)
            total += sizes[anchor]
            if total > MAX_EXPANDED_VALUES:
                msg = (
                    f"{path}:{event.start_mark.line + 1}: aliases expand to more than {MAX_EXPANDED_VALUES:,} values "
                    f"(alias *{anchor} repeats {sizes[anchor]:,}); write the values out or use fewer aliases"
                )
                raise ScenarioError(msg)
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                sizes[str(event.anchor)] = 1
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            total += 1
            open_anchors.append((None if event.anchor is None else str(event.anchor), total - 1))
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            closed, start = open_anchors.pop()
            if closed is not None:
                sizes[closed] = total - start
    if total > MAX_EXPANDED_VALUES:
        msg = f"{path}: holds more than {MAX_EXPANDED_VALUES:,} values; a scenario file needs a few hundred"
        raise ScenarioError(msg)


def _key_path(root: yaml.Node | None, mark: Any) -> str | None:
    """Return the dotted key path of the node that starts at ``mark`` (``None`` if not found)."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, where = stack.pop()
        if node.start_mark.index == mark.index and where:
            return ".".join(where)
        if isinstance(node, yaml.MappingNode):
            stack.extend((v, (*where, str(k.value))) for k, v in node.value if isinstance(k, yaml.ScalarNode))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*where, str(i))) for i, v in enumerate(node.value))
    return None


def read_document(path: Path) -> Document:
    """Read one YAML file safely; every problem is a :class:`ScenarioError` naming the file."""
    if not path.is_file():
        msg = f"scenario file not found: {path}"
        raise ScenarioError(msg)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        msg = f"{path}: file is {size:,} bytes; a scenario file may be at most {MAX_FILE_BYTES:,} bytes"
        raise ScenarioError(msg)
    raw = path.read_bytes()
    if b"\x00" in raw:
        msg = f"{path}: binary content, expected YAML text"
        raise ScenarioError(msg)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 text (byte {exc.start})"
        raise ScenarioError(msg) from None
    root: yaml.Node | None = None
    try:
        _check_aliases(text, path)  # first: everything after walks the data as a tree
        root = yaml.compose(text, Loader=_UniqueKeyLoader)
        if root is not None and not _depth_ok(root):
            msg = f"{path}: nested deeper than {MAX_DEPTH} levels"
            raise ScenarioError(msg)
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        constructing = isinstance(exc, yaml.constructor.ConstructorError)  # well-formed YAML, bad value
        key = _key_path(root, mark) if constructing and mark is not None else None
        problem = f"key `{key}`: {problem}" if key else problem
        msg = f"{where}: {problem}" if constructing else f"{where}: not valid YAML ({problem})"
        raise ScenarioError(msg) from None
    except RecursionError:
        msg = f"{path}: nested too deeply"
        raise ScenarioError(msg) from None
    if data is None or root is None:
        msg = f"{path}: empty file; expected a mapping of scenario keys (name, year, ...)"
        raise ScenarioError(msg)
    if not isinstance(data, dict):
        msg = f"{path}:1: expected a mapping of scenario keys (name, year, ...), found {type(data).__name__}"
        raise ScenarioError(msg)
    return Document(path=path, data=data, root=root)
