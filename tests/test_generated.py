"""Generated artefacts: rewritten by `python -m simcancel._generated`, stale ones fail --check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simcancel._generated import ARTEFACTS, Artefact, main

ROOT = Path(__file__).resolve().parents[1]


def _copy(tmp_path: Path) -> Path:
    for artefact in ARTEFACTS:
        target = tmp_path / artefact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / artefact.path, target)
    return tmp_path


def test_checked_in_artefacts_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    """The repository's generated files equal what the code generates now."""
    assert main(["--check"], root=ROOT) == 0
    assert "artefacts are current" in capsys.readouterr().out


def test_a_stale_file_fails_the_check_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An edited schema.json makes --check exit 1 naming the file; a plain run repairs it."""
    root = _copy(tmp_path)
    schema = root / "rules/schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"maxItems": 400', '"maxItems": 401'))
    assert main(["--check"], root=root) == 1
    assert "rules/schema.json is stale: regenerate it with `make generate`" in capsys.readouterr().err
    assert main([], root=root) == 0
    assert main(["--check"], root=root) == 0


def test_a_stale_docs_region_fails_the_check(tmp_path: Path) -> None:
    """A hand-edited row of the generated fact table is stale; text outside the region is kept."""
    root = _copy(tmp_path)
    doc = root / "docs/rule-authoring.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(
        text.replace("| `plan` | enum |", "| `plan` | bool |") + "\nmy own words\n", encoding="utf-8"
    )
    assert main(["--check"], root=root) == 1
    main([], root=root)
    assert doc.read_text(encoding="utf-8") == text + "\nmy own words\n"


def test_a_region_without_markers_is_an_error() -> None:
    """A document that lost its markers is refused with the markers it needs."""
    artefact = Artefact(path="x.md", generate=lambda: "table\n", region="facts")
    with pytest.raises(ValueError, match="<!-- generated: facts -->"):
        artefact.render("no markers here\n")
    assert artefact.render("a\n<!-- generated: facts -->\nold\n<!-- end generated: facts -->\nb\n") == (
        "a\n<!-- generated: facts -->\ntable\n<!-- end generated: facts -->\nb\n"
    )
