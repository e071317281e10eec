"""The ``simcancel`` command: ``assess``, ``lint``, ``schema``, ``traceability``, ``verify``.

``python -m simcancel`` is the same command.  Exit codes: 0 nothing blocks / no problem;
1 blocking issues found, lint errors, a stale traceability file, or a failed
consistency check; 2 bad input
(unreadable file, invalid JSON or state, unknown provider, bad arguments).  Errors go
to stderr as one message, never a traceback.

Each subcommand is one ``_add_<name>`` function registering its parser and its runner,
so adding a command touches nothing else.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import datetime as dt
import errno
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, TypeAlias

from simcancel._assess import assess, builtin_packs, default_rules
from simcancel._errors import RuleFileError, SimcancelError
from simcancel._loader import load_rules
from simcancel._ruleset import RuleSet
from simcancel._structure import read_json
from simcancel._traceability import build_report, load_cases
from simcancel.analysis import DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES, verify_paths
from simcancel.model import Assessment, UserState

__all__ = ["EXIT_BAD_INPUT", "EXIT_BROKEN_PIPE", "EXIT_FOUND", "EXIT_OK", "main", "render_text"]

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141
"""What shells report for a writer killed by SIGPIPE (128 + 13), as ``git log | head`` does."""


def _label(rules: RuleSet, locale: str, key: str) -> str:
    return rules.labels[locale].get(key, key)


def render_text(result: Assessment, rules: RuleSet) -> str:
    """An assessment as text for people, in the assessment's locale."""
    locale = result.locale

    def label(key: str) -> str:
        return _label(rules, locale, key)

    # A provider's name is a brand, but the catch-all "other" reads better translated.
    provider = rules.labels[locale].get(f"provider.{result.provider}", rules.providers[result.provider].name)
    lines = [
        label("heading.verdict_ok" if result.can_cancel_now else "heading.verdict_blocked"),
        f"{label('heading.provider')}: {provider}",
        "",
    ]
    for kind, issues in (
        ("blocking", result.blocking),
        ("warning", result.warnings),
        ("advice", result.advice),
    ):
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
        lines.extend(
            f"  - {label('route.' + option.route.value)}: {option.reason}" for option in result.alternatives
        )
    if result.documents:
        lines.append(f"{label('heading.documents')}:")
        lines.extend(f"  - {document.name}" for document in result.documents)
    lines.append(f"{label('heading.steps')}:")
    lines.extend(
        f"  {number}. [{label('stage.' + step.stage.value)}] {step.text}"
        for number, step in enumerate(result.steps, start=1)
    )
    lines.append("")
    lines.append(f"{label('heading.claims')}: {', '.join(result.claims)}")
    lines.append(f"{label('heading.ruleset')}: {result.ruleset}")
    return "\n".join(lines)


def _iso_date(text: str) -> dt.date:
    """argparse type for ``--as-of``: a bad date is a usage error (exit 2)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _rules(replacing: Sequence[str] | None, extending: Sequence[str] | None) -> RuleSet:
    if not replacing and not extending:
        return default_rules()
    base = list(replacing) if replacing else builtin_packs()
    return load_rules(*base, *(extending or ()))


def _read_state(name: str) -> bytes:
    """The state's JSON from a file or stdin (``-``): at most the size cap plus one byte is
    read, so ``/dev/zero`` or an endless pipe is refused at once (exit 2)."""
    if name != "-":
        with open(name, "rb") as source:
            return read_json(source)
    if sys.stdin is None:
        raise OSError(errno.EBADF, "standard input is closed")
    return read_json(sys.stdin.buffer)


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    try:
        data = _read_state(args.file)
    except OSError as error:
        print(f"simcancel: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    rules = _rules(args.rules, args.packs)
    result = assess(UserState.from_json(data), rules=rules, locale=args.locale, as_of=args.as_of)
    out.write(result.to_json() if args.json else render_text(result, rules))
    out.write("\n")
    return EXIT_OK if result.can_cancel_now else EXIT_FOUND


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    directories = [Path(directory) for directory in args.rules_dirs] or list(builtin_packs())
    missing = [str(directory) for directory in directories if not directory.is_dir()]
    if missing:
        print(f"simcancel: not a rule pack directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        rules = load_rules(*directories)
    except RuleFileError as error:
        # The problems are what lint was asked for: they are its output, not a failure to run.
        print(error, file=out)
        return EXIT_FOUND
    shown = " + ".join(args.rules_dirs) or "built-in rules"
    out.write(
        f"{shown}: {len(rules.rules)} rules, {len(rules.providers)} providers, "
        f"{len(rules.claims)} claims: no problems\n"
    )
    return EXIT_OK


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    from simcancel._schema import rules_schema_text  # noqa: PLC0415 (only this command needs it)

    out.write(rules_schema_text())
    return EXIT_OK


def _traceability(args: argparse.Namespace, out: TextIO) -> int:
    rules = _rules([args.rules_dir] if args.rules_dir else None, None)
    report = build_report(rules, load_cases(args.cases), cases_dir=args.cases)
    text = report.to_markdown()
    if args.check is None:
        out.write(text)
        if args.strict and report.problems:
            print(
                f"simcancel: the traceability report lists {len(report.problems)} problem(s)", file=sys.stderr
            )
            return EXIT_FOUND
        return EXIT_OK
    try:
        current = Path(args.check).read_text(encoding="utf-8")
    except OSError as error:
        print(f"simcancel: cannot read {args.check}: {error.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UnicodeDecodeError:
        print(f"simcancel: cannot read {args.check}: it is not UTF-8 text", file=sys.stderr)
        return EXIT_BAD_INPUT
    if current != text:
        print(
            f"simcancel: {args.check} is stale: it differs from what `simcancel traceability` "
            "generates now; regenerate it with `make traceability`",
            file=sys.stderr,
        )
        return EXIT_FOUND
    if args.strict and report.problems:
        print(
            f"simcancel: {args.check} is current but lists {len(report.problems)} problem(s)", file=sys.stderr
        )
        return EXIT_FOUND
    out.write(f"{args.check} is current\n")
    return EXIT_OK


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    directories = [*(args.rules_dirs or builtin_packs()), *(args.packs or ())]
    missing = [directory for directory in directories if not Path(directory).is_dir()]
    if missing:
        print(f"simcancel: not a rule pack directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = verify_paths(*directories, as_of=args.as_of, max_classes=args.max_classes, samples=args.samples)
    out.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.render())
    out.write("\n")
    return EXIT_OK if report.ok else EXIT_FOUND


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simcancel",
        description="Can I cancel my Pakistani SIM / data card, and how?",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_assess, _add_lint, _add_schema, _add_traceability, _add_verify):
        add(commands)
    return parser


_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _add_assess(commands: _Commands) -> None:
    assess_cmd = commands.add_parser("assess", help="assess the state in a JSON file")
    assess_cmd.add_argument("file", metavar="FILE.json", help="the state, as JSON ('-': stdin)")
    assess_cmd.add_argument("--locale", default="zh-CN", choices=("zh-CN", "en"))
    assess_cmd.add_argument("--json", action="store_true", help="print the assessment as JSON")
    assess_cmd.add_argument(
        "--rules",
        metavar="RULES_DIR",
        action="append",
        help="use this rule pack instead of the built-in one (repeatable)",
    )
    assess_cmd.add_argument(
        "--pack",
        metavar="PACK_DIR",
        action="append",
        dest="packs",
        help="add this pack (e.g. your providers) to the rules (repeatable)",
    )
    assess_cmd.add_argument(
        "--as-of", metavar="YYYY-MM-DD", type=_iso_date, help="assess as on this day (default: today)"
    )
    assess_cmd.set_defaults(run=_assess)


def _add_lint(commands: _Commands) -> None:
    lint_cmd = commands.add_parser("lint", help="check rule pack files")
    lint_cmd.add_argument(
        "rules_dirs",
        nargs="*",
        metavar="RULES_DIR",
        help="packs loaded together, the first with its ruleset.yaml (default: the built-in packs)",
    )
    lint_cmd.set_defaults(run=_lint)


def _add_schema(commands: _Commands) -> None:
    schema_cmd = commands.add_parser(
        "schema", help="print a JSON Schema (draft 2020-12), generated from the fact catalogue"
    )
    schema_cmd.add_argument(
        "kind",
        nargs="?",
        default="rules",
        choices=("rules",),
        help="rules: any file of a rule pack (default)",
    )
    schema_cmd.set_defaults(run=_schema)


def _add_traceability(commands: _Commands) -> None:
    trace_cmd = commands.add_parser("traceability", help="print the claims traceability report (Markdown)")
    trace_cmd.add_argument(
        "rules_dir", nargs="?", metavar="RULES_DIR", help="the rule pack (default: the built-in rules)"
    )
    trace_cmd.add_argument(
        "--cases", default="tests/cases", metavar="DIR", help="the golden cases (default: tests/cases)"
    )
    trace_cmd.add_argument(
        "--check", metavar="FILE", help="exit 1 if FILE differs from the report instead of printing it"
    )
    trace_cmd.add_argument("--strict", action="store_true", help="also exit 1 if the report lists problems")
    trace_cmd.set_defaults(run=_traceability)


def _add_verify(commands: _Commands) -> None:
    verify_cmd = commands.add_parser(
        "verify", help="prove rule packs consistent (totality, soundness, dead rules, ...)"
    )
    verify_cmd.add_argument(
        "rules_dirs",
        nargs="*",
        metavar="RULES_DIR",
        help="packs loaded together as one rule set, the first with its "
        "ruleset.yaml (default: the built-in rules)",
    )
    verify_cmd.add_argument(
        "--pack",
        metavar="PACK_DIR",
        action="append",
        dest="packs",
        help="add this pack to the rules (repeatable); with no RULES_DIR, to the built-in rules",
    )
    verify_cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    verify_cmd.add_argument(
        "--as-of", metavar="YYYY-MM-DD", type=_iso_date, help="the day to evaluate on (default: today)"
    )
    verify_cmd.add_argument(
        "--max-classes",
        type=int,
        default=DEFAULT_MAX_CLASSES,
        metavar="N",
        help="sample with Hypothesis when a check has more classes than this",
    )
    verify_cmd.add_argument(
        "--samples", type=int, default=DEFAULT_SAMPLES, metavar="N", help="states per sampled check"
    )
    verify_cmd.set_defaults(run=_verify)


_escaped: list[str] = []
"""Characters that stdout's encoding could not show, written as escapes during this run."""


def _escape(error: UnicodeError) -> tuple[str | bytes, int]:
    if isinstance(error, UnicodeEncodeError):
        _escaped.append(error.object[error.start : error.end])
    return codecs.backslashreplace_errors(error)


codecs.register_error("simcancel.backslashreplace", _escape)


def _tolerant(stream: TextIO) -> TextIO:
    """``stream``, writing what its encoding cannot show as backslash escapes.

    A stdout that is not UTF-8 (``PYTHONIOENCODING=ascii``, a legacy console) failed with a
    ``UnicodeEncodeError`` traceback (exit 1) on the first Chinese label.  Escaped, the
    report is whole and the exit code still says what was found; ``--json`` stays valid
    JSON (``\\uXXXX``).  ``main`` then says on stderr that the text was escaped.
    """
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        try:
            unicode = codecs.lookup(stream.encoding).name.startswith("utf")
        except LookupError:
            unicode = False
        if not unicode:
            stream.reconfigure(errors="simcancel.backslashreplace")
    return stream


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    stream = _tolerant(sys.stdout) if out is None else out
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if exit_.code != 2 else EXIT_BAD_INPUT
    _escaped.clear()
    try:
        code: int = args.run(args, stream)
        if _escaped:
            stream.flush()
            print(
                f"simcancel: note: the output's encoding ({getattr(stream, 'encoding', '?')}) cannot show "
                "some of the text, written as \\uXXXX escapes; set PYTHONIOENCODING=utf-8 to see it",
                file=sys.stderr,
            )
    except SimcancelError as error:
        print(f"simcancel: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`simcancel assess x.json | head`): not an input problem.
        # Point stdout at devnull so the interpreter's final flush cannot fail again.
        if out is None:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as error:
        # A rule pack or file that exists but cannot be read (permissions, a directory...).
        print(
            f"simcancel: cannot read {error.filename or 'a file'}: {error.strerror or error}", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
