"""The safe YAML reader: plain data plus the line of every ``$.path``; nothing else."""

from __future__ import annotations

import datetime as dt
import math
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from simcancel import RuleFileError, load_rules
from simcancel._errors import Problem
from simcancel._yaml import MAX_FILE_BYTES, Document, dump_yaml, parse_yaml, parse_yaml_file, read_capped
from tests.packs import minimal_pack


def _doc(text: str) -> Document:
    result = parse_yaml(text, "f.yaml")
    assert isinstance(result, Document), result
    return result


def _problem(text: str | bytes) -> str:
    result = parse_yaml(text, "f.yaml")
    assert isinstance(result, Problem), result
    return str(result)


def test_scalars_resolve_to_plain_python_values() -> None:
    """Standard scalars become str, int, float, bool, None and date; nothing else."""
    doc = _doc("a: x\nb: 12\nc: 1.5\nd: true\ne: null\nf: 2024-01-01\ng: '12'\nh: 0x10\n")
    assert doc.data == {
        "a": "x",
        "b": 12,
        "c": 1.5,
        "d": True,
        "e": None,
        "f": dt.date(2024, 1, 1),
        "g": "12",
        "h": 16,
    }


def test_infinities_and_nan_are_read_for_the_loader_to_refuse() -> None:
    """.inf and .nan are floats here, so the loader can name the field that holds them."""
    data = _doc("a: .inf\nb: -.Inf\nc: .NaN\n").data
    assert data["a"] == math.inf
    assert data["b"] == -math.inf
    assert math.isnan(data["c"])


def test_every_path_has_its_line() -> None:
    """Lines are 1-based and reach into sequences and nested mappings."""
    doc = _doc("rules:\n  - id: a\n    when: {x: 1}\n  - id: b\n")
    assert doc.line("$.rules[0].id") == 2
    assert doc.line("$.rules[0].when.x") == 3
    assert doc.line("$.rules[1].id") == 4
    assert doc.line("$.rules[1].nothing.here") == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "f.yaml:1: $: anchors (&name) are not allowed in rule files"),
        ("b: *x\n", "f.yaml:1: $: "),
        (
            "a: !!python/name:os.system x\n",
            "f.yaml:1: $: tag 'tag:yaml.org,2002:python/name:os.system' is not allowed in rule files",
        ),
        ("a: 1\na: 2\n", "f.yaml:2: $: key 'a' appears twice"),
        ("? [a]\n: 1\n", "f.yaml:1: $: mapping keys must be plain strings"),
        (
            "a: 2024-01-01T10:00:00\n",
            "f.yaml:1: $.a: timestamps other than plain dates are not allowed, got '2024-01-01T10:00:00'",
        ),
        ("a: " + "1" * 40 + "\n", "f.yaml:1: $.a: integer 11111111111111111111... is too long"),
        ("a: [1, 2\nb: 3\n", "f.yaml:2: $: expected valid YAML, got: "),
    ],
)
def test_refused_constructs_name_the_line(text: str, message: str) -> None:
    """Aliases, tags, duplicate keys, odd keys, timestamps and long numbers are refused."""
    assert _problem(text).startswith(message)


def test_bad_bytes_and_size_are_refused_before_parsing() -> None:
    """Bytes that are not UTF-8, and files over the limit, never reach the parser."""
    assert _problem(b"a: \xff\n") == "f.yaml: $: expected UTF-8 text, got an invalid byte at offset 3"
    assert _problem("#" * 300_000) == "f.yaml: $: expected a rule file of at most 256000 bytes, got 300000"


def test_an_empty_file_is_none() -> None:
    """An empty file is an empty document, for the loader to report as missing keys."""
    assert _doc("").data is None


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as file:
        file.truncate(size)  # reads as zeros, costs no disk
    return path


def _peak_bytes(call: Callable[[], object]) -> tuple[object, int]:
    """What ``call`` returns, and the most memory Python allocated while it ran."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_read_capped_reads_at_most_the_cap_plus_one_byte(tmp_path: Path) -> None:
    """A 300 MB rule file is refused with its size after reading 256 kB + 1 byte (reading it
    whole peaked at 340 MB); an endless device and a directory are problems too."""
    too_big = f"expected a rule file of at most {MAX_FILE_BYTES} bytes, got"
    huge = _sparse(tmp_path / "huge.yaml", 300_000_000)
    result, peak = _peak_bytes(lambda: read_capped(huge, file="pack/huge.yaml"))
    assert str(result) == f"pack/huge.yaml: $: {too_big} 300000000"
    assert peak < 4 * MAX_FILE_BYTES
    endless = read_capped(Path("/dev/zero"), file="pack/zero.yaml")
    assert str(endless) == f"pack/zero.yaml: $: {too_big} more than {MAX_FILE_BYTES}"
    directory = read_capped(tmp_path, file="pack/dir.yaml")
    assert str(directory) == "pack/dir.yaml: $: cannot read the file: Is a directory"
    small = tmp_path / "small.yaml"
    text = "".join(f"k{index}: {index}\n" for index in range(1000)).encode()
    small.write_bytes(text)
    assert read_capped(small) == text
    exact = _sparse(tmp_path / "exact.yaml", MAX_FILE_BYTES)
    assert read_capped(exact) == b"\0" * MAX_FILE_BYTES
    parsed = parse_yaml_file(small, "pack/small.yaml")
    assert isinstance(parsed, Document)
    assert parsed.file == "pack/small.yaml"
    assert parse_yaml_file(huge, "pack/huge.yaml") == result


def _load_refused(pack: Path) -> str:
    with pytest.raises(RuleFileError) as caught:
        load_rules(pack)
    return str(caught.value)


def test_loading_a_pack_with_a_huge_rule_file_reads_only_the_cap(tmp_path: Path) -> None:
    """load_rules refuses a 120 MB rule file without holding it in memory."""
    pack = minimal_pack(tmp_path / "pack")
    _sparse(pack / "huge.yaml", 120_000_000)
    result, peak = _peak_bytes(lambda: _load_refused(pack))
    assert "huge.yaml: $: expected a rule file of at most" in str(result)
    assert peak < 32_000_000


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("Off", "Off"),
        ("y", "y"),
        ("true", True),
        ("FALSE", False),
        ("010", 10),
        ("0o10", 8),
        ("0x1F", 31),
        ("1:30", "1:30"),
        ("1_000", "1_000"),
        ("1e3", 1000.0),
        ("~", None),
        ("null", None),
        ("", None),
        ("'yes'", "yes"),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    """Only true/false are booleans, 0o is octal, no sexagesimal: what schema.json editors read."""
    assert _doc(f"a: {text}\n").data == {"a": value}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2026-13-45\n", "f.yaml:2: $.b: expected a date as YYYY-MM-DD, got '2026-13-45'"),
        ("a: 1\nb: !!int x\n", "f.yaml:2: $.b: expected a YAML 1.2 int, got 'x'"),
        ("a: 1\nb: !!bool yes\n", "f.yaml:2: $.b: expected a YAML 1.2 bool, got 'yes'"),
        ("a: 1\nb: !!float 1_0\n", "f.yaml:2: $.b: expected a YAML 1.2 float, got '1_0'"),
        ("a: 1\nb: [" + "9" * 40 + "]\n", "f.yaml:2: $.b[0]: integer 99999999999999999999... is too long"),
    ],
)
def test_every_scalar_error_has_its_line_and_path(text: str, message: str) -> None:
    """A scalar its tag cannot hold is a problem with the scalar's line and $.path."""
    result = parse_yaml(text, "f.yaml")
    assert isinstance(result, Problem)
    assert result.line == 2
    assert str(result) == message


@pytest.mark.parametrize(
    "text", ["1e100", "0o17", "0x1F", "+12", ".nan", "null", "~", "true", "2025-01-01", "12:30", "ok", ""]
)
def test_dump_yaml_writes_what_parse_yaml_reads_back(text: str) -> None:
    """dump_yaml quotes a text YAML 1.2 would read as another type: parse_yaml gets the same data."""
    data = {"text": text, "list": [text, 1, 2.5, True, None], "day": dt.date(2026, 11, 24)}
    document = parse_yaml(dump_yaml(data), "x.yaml")
    assert isinstance(document, Document)
    assert document.data == data
