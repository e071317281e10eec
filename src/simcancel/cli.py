"""The ``simcancel`` command: ``assess``, ``lint``, ``traceability`` (and ``python -m simcancel``).

Exit codes: 0 nothing blocks / no problem; 1 blocking issues found, or lint errors;
2 bad input (unreadable file, invalid state, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from simcancel._assess import assess, builtin_rules_path, default_rules
from simcancel._errors import RuleFileError, SimcancelError
from simcancel._loader import load_rules
from simcancel._ruleset import RuleSet
from simcancel.model import Assessment, UserState

__all__ = ["EXIT_BAD_INPUT", "EXIT_FOUND", "EXIT_OK", "main", "render_text"]

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2


def _label(rules: RuleSet, locale: str, key: str) -> str:
    return rules.labels[locale].get(key, key)


def render_text(result: Assessment, rules: RuleSet) -> str:
    """An assessment as text for people, in the assessment's locale."""
    locale = result.locale

    def label(key: str) -> str:
        return _label(rules, locale, key)

    provider = rules.providers[result.provider].name
    lines = [
        label("heading.verdict_ok" if result.can_cancel_now else "heading.verdict_blocked"),
        f"{label('heading.provider')}: {provider}",
        "",
    ]
    for kind, issues in (("blocking", result.blocking), ("warning", result.warnings),
                         ("advice", result.advice)):
        if not issues:
            continue
        lines.append(f"{label('kind.' + kind)}:")
        for issue in issues:
            lines.append(f"  - [{issue.code}] {issue.message}  ({', '.join(issue.claims)})")
            if issue.fix:
                lines.append(f"    -> {issue.fix}")
        lines.append("")
    lines.append(f"{label('heading.route')}: {label('route.' + result.route.route.value)}")
    lines.append(f"  {result.route.reason}  ({', '.join(result.route.claims)})")
    if result.alternatives:
        lines.append(f"{label('heading.alternatives')}:")
        lines.extend(f"  - {label('route.' + option.route.value)}: {option.reason}"
                     for option in result.alternatives)
    if result.documents:
        lines.append(f"{label('heading.documents')}:")
        lines.extend(f"  - {document.name}" for document in result.documents)
    lines.append(f"{label('heading.steps')}:")
    lines.extend(f"  {number}. [{label('stage.' + step.stage.value)}] {step.text}"
                 for number, step in enumerate(result.steps, start=1))
    lines.append("")
    lines.append(f"{label('heading.claims')}: {', '.join(result.claims)}")
    lines.append(f"{label('heading.ruleset')}: {result.ruleset}")
    return "\n".join(lines)


def _rules(directory: str | None) -> RuleSet:
    return default_rules() if directory is None else load_rules(directory)


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    try:
        data = Path(args.file).read_bytes() if args.file != "-" else sys.stdin.buffer.read()
    except OSError as error:
        print(f"simcancel: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    rules = _rules(args.rules)
    result = assess(UserState.from_json(data), rules=rules, locale=args.locale)
    out.write(result.to_json() if args.json else render_text(result, rules))
    out.write("\n")
    return EXIT_OK if result.can_cancel_now else EXIT_FOUND


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    directory = args.rules_dir or builtin_rules_path()
    try:
        rules = load_rules(directory)
    except RuleFileError as error:
        print(error, file=out)
        return EXIT_FOUND
    out.write(f"{directory}: {len(rules.rules)} rules, {len(rules.providers)} providers, "
              f"{len(rules.claims)} claims: no problems\n")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simcancel",
        description="Can I cancel my Pakistani SIM / data card, and how?",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    assess_cmd = commands.add_parser("assess", help="assess the state in a JSON file")
    assess_cmd.add_argument("file", metavar="FILE.json", help="the state, as JSON ('-': stdin)")
    assess_cmd.add_argument("--locale", default="zh-CN", choices=("zh-CN", "en"))
    assess_cmd.add_argument("--json", action="store_true", help="print the assessment as JSON")
    assess_cmd.add_argument("--rules", metavar="RULES_DIR", help="a rule pack (default: built-in)")
    assess_cmd.set_defaults(run=_assess)

    lint_cmd = commands.add_parser("lint", help="check a rule pack's files")
    lint_cmd.add_argument("rules_dir", nargs="?", metavar="RULES_DIR",
                          help="the pack to check (default: the built-in rules)")
    lint_cmd.set_defaults(run=_lint)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    stream = sys.stdout if out is None else out
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if exit_.code != 2 else EXIT_BAD_INPUT
    try:
        code: int = args.run(args, stream)
    except SimcancelError as error:
        print(f"simcancel: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
