"""Read a YAML rule file into plain data plus the line of every ``$.path``.

Only PyYAML's composer runs (it builds a node tree, never objects); scalars are
resolved here for the standard tags alone, by the YAML 1.2 core schema that editors
validating against ``rules/schema.json`` use: only ``true``/``false`` are booleans
(``yes``, ``on``, ``no``, ``off`` are text), ``0o17`` is octal and ``017`` is 17,
``1:30`` is text (no sexagesimal), ``~``, ``null`` and an empty value are null.  Plain
dates (``2026-11-24``) are the one addition: rule files date providers and rules.
Anchors and aliases are refused (no alias bombs), as is any tag but the standard ones,
so a rule file can never execute code.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import attrs
import yaml

from simcancel._errors import Problem, ProblemTopic

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Document",
    "dump_yaml",
    "parse_yaml",
    "parse_yaml_file",
    "read_capped",
]

MAX_FILE_BYTES = 256_000
"""The largest rule file accepted; the shipped ones are under 20 kB.  Bounded so that even
the largest file parses well within 2 s (issue 4)."""
MAX_DEPTH = 40
"""The deepest nesting accepted; real rule files nest less than 15 levels."""

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# The YAML 1.2 core schema's resolution of plain scalars (yaml.org/spec/1.2.2, 10.3.2).
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_TAG = "tag:yaml.org,2002:"


def _core_tag(value: str) -> str:
    """The tag of a plain (unquoted, untagged) scalar in the YAML 1.2 core schema."""
    for pattern, kind in ((_NULL, "null"), (_BOOL, "bool"), (_INT, "int"), (_FLOAT, "float")):
        if pattern.fullmatch(value):
            return _TAG + kind
    # Not core, but kept from YAML 1.1 so that a time of day is refused, not read as text.
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}([Tt ].*)?", value):
        return _TAG + "timestamp"
    return _TAG + "str"


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting every string that this module would read as another type."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes YAML 1.1, where ``1e100`` (no dot) and ``0o17`` are strings and stay
    # unquoted; the YAML 1.2 core schema read here takes them for numbers.
    quoted = _core_tag(value) != _TAG + "str"
    return dumper.represent_scalar(_TAG + "str", value, style='"' if quoted else None)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: Any) -> str:
    """YAML text of plain data (mappings, lists, strings, numbers, booleans, dates) that
    :func:`parse_yaml` reads back as the same data: a string that would read as a number,
    a boolean, null or a date is quoted."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


class _RefusedError(Exception):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else None
        self.path = "$"


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _EventSource(yaml.composer.Composer, CParser, yaml.resolver.Resolver):
        """libyaml's parser for events (the pure-Python one takes ~20 ms per kB and O(n²)
        on deep flow nesting), PyYAML's composer on top so the checks below still apply."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml
    _EventSource = yaml.SafeLoader  # type: ignore[assignment,misc]


class _SafeComposer(_EventSource):
    """A loader whose composer refuses aliases, anchors and deep nesting, and resolves
    plain scalars by the YAML 1.2 core schema (PyYAML's resolver is YAML 1.1's)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _core_tag(value)
        resolved: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return resolved

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: Any = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _RefusedError("aliases (*name) are not allowed in rule files", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _RefusedError("anchors (&name) are not allowed in rule files", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _RefusedError(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@attrs.frozen(kw_only=True)
class Document:
    """A parsed file: its data and the 1-based line of each ``$.path`` in it."""

    data: Any
    lines: dict[str, int]
    file: str

    def line(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return self.lines.get("$")

    def problem(self, path: str, message: str, *, topic: ProblemTopic = "load") -> Problem:
        """A problem located in this file."""
        return Problem(path=path, message=message, file=self.file, line=self.line(path), topic=topic)


def _scalar(node: yaml.ScalarNode) -> Any:
    """The value of a scalar; a value its (explicit) tag cannot hold is refused at its line."""
    tag, text = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        return text
    if tag == "tag:yaml.org,2002:null" and _NULL.fullmatch(text):
        return None
    if tag == "tag:yaml.org,2002:bool" and _BOOL.fullmatch(text):
        return text.lower() == "true"
    if tag == "tag:yaml.org,2002:int" and _INT.fullmatch(text):
        if len(text) > 30:
            raise _RefusedError(f"integer {text[:20]}... is too long", node.start_mark)
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    if tag == "tag:yaml.org,2002:float" and _FLOAT.fullmatch(text):
        return _float(node)
    if tag == "tag:yaml.org,2002:timestamp":
        return _date(node)
    kind = tag.removeprefix("tag:yaml.org,2002:")
    raise _RefusedError(f"expected a YAML 1.2 {kind}, got {text[:40]!r}", node.start_mark)


_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


def _float(node: yaml.ScalarNode) -> float:
    text = node.value
    if len(text) > 40:
        raise _RefusedError(f"number {text[:20]}... is too long", node.start_mark)
    lowered = text.lower()
    if lowered in _SPECIAL_FLOATS:  # refused by the loader, which names the field
        return _SPECIAL_FLOATS[lowered]
    return float(text)


def _date(node: yaml.ScalarNode) -> dt.date:
    text = node.value
    if not _DATE.fullmatch(text):
        raise _RefusedError(
            f"timestamps other than plain dates are not allowed, got {text!r}", node.start_mark
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _RefusedError(f"expected a date as YYYY-MM-DD, got {text!r}", node.start_mark) from None


def _convert(node: yaml.Node, path: str, lines: dict[str, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if node.tag not in _STANDARD_TAGS:
        raise _RefusedError(f"tag {node.tag!r} is not allowed in rule files", node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        try:
            return _scalar(node)
        except _RefusedError as refused:
            refused.path = path
            raise
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, f"{path}[{index}]", lines) for index, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _RefusedError("mapping keys must be plain strings", key_node.start_mark)
            key = _scalar(key_node)
            if not isinstance(key, str):
                key = str(key_node.value)
            if key in result:
                raise _RefusedError(f"key {key!r} appears twice", key_node.start_mark)
            result[key] = _convert(value_node, f"{path}.{key}", lines)
        return result
    raise _RefusedError(f"unexpected YAML node {type(node).__name__}", node.start_mark)


def parse_yaml(text: str | bytes, file: str) -> Document | Problem:
    """Parse one rule file; return its document, or the problem that stopped parsing."""
    if len(text) > MAX_FILE_BYTES:
        return Problem(
            path="$",
            file=file,
            line=None,
            message=f"expected a rule file of at most {MAX_FILE_BYTES} bytes, got {len(text)}",
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            return Problem(
                path="$",
                file=file,
                message=f"expected UTF-8 text, got an invalid byte at offset {error.start}",
            )
    lines: dict[str, int] = {}
    try:
        loader = _SafeComposer(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        data = None if node is None else _convert(node, "$", lines)
    except _RefusedError as refused:
        return Problem(path=refused.path, file=file, line=refused.line, message=refused.message)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        if "nesting depth" in str(error.problem):
            # libyaml (PyYAML >= 6.0.3) has a depth limit of its own, which its scanner can
            # reach before our composer sees the 41st level: the same refusal, one message.
            return Problem(path="$", file=file, line=line, message=f"nesting deeper than {MAX_DEPTH} levels")
        return Problem(
            path="$", file=file, line=line, message=f"expected valid YAML, got: {error.problem or error}"
        )
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        return Problem(path="$", file=file, message=f"expected valid YAML, got: {error}")
    return Document(data=data, lines=lines, file=file)


def read_capped(path: Path, limit: int = MAX_FILE_BYTES, *, file: str | None = None) -> bytes | Problem:
    """The bytes of ``path`` if it has at most ``limit`` of them, else the problem.

    Reads at most ``limit + 1`` bytes, so a 300 MB file (or an endless device) costs
    that much memory, not its size.  A file that cannot be read is a problem too, named
    ``file`` (default: the path).
    """
    shown = str(path) if file is None else file
    try:
        with Path(path).open("rb") as source:
            data = read_stream_capped(source, limit)
            found = os.fstat(source.fileno())
    except OSError as error:
        return Problem(path="$", file=shown, message=f"cannot read the file: {error.strerror or error}")
    if data is not None:
        return data
    size = (
        str(found.st_size) if stat.S_ISREG(found.st_mode) and found.st_size > limit else f"more than {limit}"
    )
    return Problem(path="$", file=shown, message=f"expected a rule file of at most {limit} bytes, got {size}")


def read_stream_capped(source: Any, limit: int) -> bytes | None:
    """At most ``limit`` bytes read from a binary stream, or None if it holds more
    (then exactly ``limit + 1`` bytes were read from it)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = source.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks) if size <= limit else None


def parse_yaml_file(path: Path, file: str) -> Document | Problem:
    """:func:`read_capped` then :func:`parse_yaml`: one rule file, read within the size cap."""
    data = read_capped(path, file=file)
    return data if isinstance(data, Problem) else parse_yaml(data, file)
