"""Read YAML and remember where every value came from, so a rule-set error can name file and line.

PyYAML's ``compose`` keeps a start mark on every node; this module builds the plain Python value
and, beside it, a map from each value's path (mapping keys and list indexes) to its 1-based line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reunify.errors import UserError

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlSource:
    """A parsed YAML document: its value, its file, and the line of every value by path."""

    file: Path
    value: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of the value at ``path``, or of its nearest ancestor that has one (1 at worst)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def where(self, path: Sequence[str | int]) -> str:
        """``file:line`` for the value at ``path``."""
        return f"{self.file}:{self.line_of(path)}"


def read_yaml(file: Path) -> YamlSource:
    """Parse one YAML file (a single document) with line marks.

    Raises UserError naming the file and line for a syntax error or a duplicate mapping key.
    """
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{file}: cannot read rule file ({exc.strerror})") from exc
    return parse_yaml(text, file)


def parse_yaml(text: str, file: Path) -> YamlSource:
    """Parse YAML text as if read from ``file`` (see :func:`read_yaml`)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise UserError(f"{file}:{line}: not valid YAML ({exc.problem})") from exc
    if node is None:
        return YamlSource(file=file, value=None, lines={(): 1})
    lines: dict[PathKey, int] = {}
    _collect_lines(node, (), lines, file)
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise UserError(f"{file}:{line}: not valid YAML ({exc.problem})") from exc
    finally:
        loader.dispose()
    return YamlSource(file=file, value=value, lines=lines)


def _collect_lines(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], file: Path) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise UserError(f"{file}:{key_node.start_mark.line + 1}: duplicate key {key!r}")
            seen.add(key)
            _collect_lines(value_node, (*path, key), lines, file)
            # A key's own line is where a reader looks for it, even when its value is a block below.
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines, file)
