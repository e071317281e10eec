"""Files of the source tree that are generated from the code, and their staleness check.

``python -m simcancel._generated`` rewrites them; ``--check`` (run by ``make test``)
exits 1 naming each stale file and how to regenerate it.  Each artefact is a whole file
(``rules/schema.json``, ``schemas/state.schema.json``) or a marked region of a document (the fact table of
``docs/rule-authoring.md``, between ``<!-- generated: NAME -->`` and
``<!-- end generated: NAME -->``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from simcancel._contracts import schema_text
from simcancel._facts import CATALOGUE, Catalogue, FactKind, FactSpec
from simcancel._schema import rules_schema_text

__all__ = ["ARTEFACTS", "Artefact", "fact_table", "main"]


def _values(spec: FactSpec) -> str:
    if spec.kind is FactKind.BOOL:
        return "true, false"
    if spec.kind is FactKind.ENUM:
        return ", ".join(spec.values)
    if spec.kind is FactKind.PROVIDER:
        return "a provider id of the pack"
    upper = spec.upper // 100 if spec.kind is FactKind.MONEY else spec.upper
    unit = " PKR" if spec.kind is FactKind.MONEY else ""
    return f"0 to {upper:,}{unit}".replace(",", " ")


def fact_table(catalogue: Catalogue = CATALOGUE) -> str:
    """The Markdown table of the facts a condition can read, in catalogue order."""
    lines = ["| fact | kind | values | read from the state | meaning |", "|---|---|---|---|---|"]
    lines.extend(
        f"| `{spec.name}` | {spec.kind.value} | {_values(spec)} | {spec.source.describe()} | {spec.doc} |"
        for spec in catalogue.specs
    )
    return "\n".join(lines) + "\n"


@attrs.frozen(kw_only=True)
class Artefact:
    """A generated file, or a named region of one."""

    path: str
    """Relative to the project root."""
    generate: Callable[[], str]
    region: str | None = None
    """The region's name inside ``path``; ``None``: the whole file."""

    def _markers(self) -> tuple[str, str]:
        return f"<!-- generated: {self.region} -->\n", f"<!-- end generated: {self.region} -->"

    def render(self, current: str) -> str:
        """``current`` with the artefact brought up to date."""
        if self.region is None:
            return self.generate()
        start, end = self._markers()
        if start not in current or end not in current:
            raise ValueError(f"{self.path}: expected the markers {start.strip()!r} and {end!r}")
        head, rest = current.split(start, 1)
        _, tail = rest.split(end, 1)
        return f"{head}{start}{self.generate()}{end}{tail}"


ARTEFACTS = (
    Artefact(path="rules/schema.json", generate=rules_schema_text),
    Artefact(path="schemas/state.schema.json", generate=lambda: schema_text("state")),
    Artefact(path="schemas/partial-state.schema.json", generate=lambda: schema_text("partial-state")),
    Artefact(path="schemas/assessment.schema.json", generate=lambda: schema_text("assessment")),
    Artefact(path="docs/rule-authoring.md", generate=fact_table, region="facts"),
)
"""Everything generated, with where it lives."""


def main(argv: Sequence[str] | None = None, *, root: Path | None = None) -> int:
    """Rewrite the generated artefacts under ``root`` or, with ``--check``, report stale ones."""
    parser = argparse.ArgumentParser(prog="python -m simcancel._generated", allow_abbrev=False)
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    args = parser.parse_args(argv)
    base = Path.cwd() if root is None else root
    stale = []
    for artefact in ARTEFACTS:
        path = base / artefact.path
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        wanted = artefact.render(current)
        if current == wanted:
            continue
        if args.check:
            stale.append(artefact.path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted, encoding="utf-8")
            print(f"wrote {artefact.path}")
    for name in stale:
        print(f"{name} is stale: regenerate it with `make generate`", file=sys.stderr)
    if args.check and not stale:
        print(f"{len(ARTEFACTS)} generated artefacts are current")
    return 1 if stale else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
