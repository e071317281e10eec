"""The ``simcancel`` command: ``assess``, ``interview``, ``lint``, ``providers``, ``schema``,
``traceability``, ``verify``.

``python -m simcancel`` is the same command.  Exit codes: 0 nothing blocks / no problem;
1 blocking issues found, lint errors, a stale traceability file, or a failed
consistency check; 2 bad input
(unreadable file, invalid JSON or state, unknown provider, bad arguments).  Errors go
to stderr as one message, never a traceback; with ``--json``, as one JSON object
(``{"error", "type", "problems"}``).

Each subcommand is one ``_add_<name>`` function registering its parser and its runner,
so adding a command touches nothing else.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import datetime as dt
import errno
import gc
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, TypeAlias

from simcancel._assess import assess, builtin_packs, default_rules
from simcancel._contracts import SCHEMAS, schema_text
from simcancel._errors import (
    InvalidStateError,
    Problem,
    RuleFileError,
    SimcancelError,
    did_you_mean,
    require_hypothesis,
)
from simcancel._jsontext import read_json
from simcancel._loader import load_rules
from simcancel._render import render_text
from simcancel._ruleset import RuleSet
from simcancel.model import UserState, iso_day

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "EXIT_FOUND",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "main",
    "program",
]

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
"""What shells report for a program stopped by Ctrl-C (128 + SIGINT)."""
EXIT_BROKEN_PIPE = 141
"""What shells report for a writer killed by SIGPIPE (128 + 13), as ``git log | head`` does."""


def _iso_date(text: str) -> dt.date:
    """argparse type for ``--as-of``: only ``YYYY-MM-DD`` (not ``20240101``, not
    ``2024-W01-1``), as dates in states; a bad date is a usage error (exit 2)."""
    try:
        return iso_day(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _count(least: int) -> Any:
    """argparse type for a whole number of at least ``least`` (a usage error otherwise: exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"expected a whole number of at least {least}, got {value}")
        return value

    return parse


def _builtin(extending: Sequence[str] | None) -> tuple[Path, ...]:
    """The built-in packs: with their Urdu locale packs, unless a pack of the user's extends
    them (a locale pack must translate every rule loaded with it)."""
    return builtin_packs(locale_packs=not extending)


def _rules(replacing: Sequence[str] | None, extending: Sequence[str] | None) -> RuleSet:
    if not replacing and not extending:
        return default_rules()
    if replacing:
        return load_rules(*replacing, *(extending or ()))
    # With the Urdu locale packs when they translate everything the user's packs add (a
    # pack of providers only, say), else without them: the rule set then has no Urdu.
    with contextlib.suppress(RuleFileError):
        return load_rules(*builtin_packs(locale_packs=True), *(extending or ()))
    return load_rules(*_builtin(extending), *(extending or ()))


class _BadInputError(Exception):
    """Input a runner cannot use (an unreadable file, a missing directory): exit 2."""


class _ArgumentError(Exception):
    """A command line argparse refuses, kept so that main() can say it as text or JSON."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """argparse, but a refused command line is raised, not printed: main() reports it.

    Abbreviations are off (``--local`` is not ``--locale``): an option that a later
    version adds must not change what an existing command line means.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(self, message + self._suggestion(message))

    def _suggestion(self, message: str) -> str:
        """A "did you mean" for an unknown command or option (``asses``, ``--local``)."""
        if (found := re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)) is not None:
            return did_you_mean(found.group(1), re.findall(r"'([^']*)'", found.group(2)))
        if message.startswith("unrecognized arguments: "):
            options = [option for parser in _parsers(self) for option in parser._option_string_actions]  # noqa: SLF001
            for token in message.removeprefix("unrecognized arguments: ").split():
                if token.startswith("--") and (hint := did_you_mean(token.split("=")[0], options)):
                    return hint
        return ""


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every subcommand's parser under it."""
    yield parser
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its subparsers there
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for child in action.choices.values():
                yield from _parsers(child)


def _read_state(name: str) -> bytes:
    """The state's JSON from a file or stdin (``-``): at most the size cap plus one byte is
    read, so ``/dev/zero`` or an endless pipe is refused at once (exit 2)."""
    if name != "-":
        with Path(name).open("rb") as source:
            return read_json(source)
    if sys.stdin is None:
        raise OSError(errno.EBADF, "standard input is closed")
    return read_json(sys.stdin.buffer)


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    try:
        data = _read_state(args.file)
    except OSError as error:
        raise _BadInputError(f"cannot read {args.file}: {error.strerror or error}") from None
    rules = _rules(args.rules, args.packs)
    result = assess(
        UserState.from_json(data), rules=rules, locale=args.locale, as_of=args.as_of, what_if=args.what_if
    )
    out.write(result.to_json() if args.json else render_text(result))
    out.write("\n")
    return EXIT_OK if result.can_cancel_now else EXIT_FOUND


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    directories = [
        Path(directory) for directory in [*(args.rules_dirs or _builtin(args.packs)), *(args.packs or ())]
    ]
    missing = [str(directory) for directory in directories if not directory.is_dir()]
    if missing:
        raise _BadInputError(f"not a rule pack directory: {', '.join(missing)}")
    report: dict[str, Any] = {"ok": True, "packs": [str(directory) for directory in directories]}
    try:
        rules = load_rules(*directories)
    except RuleFileError as error:
        # The problems are what lint was asked for: they are its output, not a failure to run.
        if args.json:
            report.update(
                ok=False, rules=None, providers=None, claims=None, problems=_problems(error.problems)
            )
            out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        else:
            print(error, file=out)
        hint = _extension_hint(args.rules_dirs)
        if hint:
            print(f"simcancel: {hint}", file=sys.stderr)
        return EXIT_FOUND
    counts = {"rules": len(rules.rules), "providers": len(rules.providers), "claims": len(rules.claims)}
    if args.json:
        out.write(json.dumps({**report, **counts, "problems": []}, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    shown = " + ".join([*(args.rules_dirs or ["built-in rules"]), *(args.packs or ())])
    out.write(
        f"{shown}: {counts['rules']} rules, {counts['providers']} providers, "
        f"{counts['claims']} claims: no problems\n"
    )
    return EXIT_OK


def _extension_hint(rules_dirs: Sequence[str] | None, command: str = "lint") -> str | None:
    """When the first rule set argument has no ruleset.yaml it is an extension pack, named wrongly."""
    if not rules_dirs or not Path(rules_dirs[0]).is_dir() or (Path(rules_dirs[0]) / "ruleset.yaml").is_file():
        return None
    first = rules_dirs[0]
    rest = "".join(f" --pack {directory}" for directory in rules_dirs[1:])
    return (
        f"{first} has no ruleset.yaml, so it is not a whole rule set; to use it as an "
        f"extension of the built-in rules, use --pack: simcancel {command}"
        f"{' FILE' if command == 'assess' else ''} --pack {first}{rest}"
    )


def _providers(args: argparse.Namespace, out: TextIO) -> int:
    rules = _rules(args.rules_dirs, args.packs)
    providers: list[dict[str, Any]] = [
        {
            "id": provider.id,
            "name": provider.name,
            "kind": provider.kind.value,
            "online_cancellation": provider.online_cancellation.value,
            "in_person_confirmation": provider.in_person_confirmation.value,
            "channels": list(provider.channels),
            "checked": provider.checked.isoformat(),
            "sources": [
                {"title": source.title, "url": source.url, "claims": list(source.claims)}
                for source in provider.sources
            ],
        }
        for provider in sorted(rules.providers.values(), key=lambda provider: provider.id)
    ]
    if args.json:
        report = {"ruleset": rules.label, "providers": providers}
        out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    for entry in providers:
        out.write(
            f"{entry['id']}: {entry['name']} ({entry['kind']})\n"
            f"  online cancellation: {entry['online_cancellation']}; "
            f"in-person confirmation: {entry['in_person_confirmation']}\n"
            f"  checked: {entry['checked']}\n"
        )
        for source in entry["sources"]:
            where = f" <{source['url']}>" if source["url"] else ""
            out.write(f"  source: {source['title']}{where}\n")
    return EXIT_OK


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    out.write(schema_text(args.kind))
    return EXIT_OK


def _traceability(args: argparse.Namespace, out: TextIO) -> int:
    if not Path(args.cases).is_dir():
        raise _BadInputError(
            f"no golden cases directory {args.cases}: run in a simcancel checkout, "
            "or name the cases with --cases DIR"
        )
    rules = _rules(args.rules_dirs, args.packs)
    from simcancel._traceability import build_report, load_cases  # noqa: PLC0415 - only this command

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
    # Imported here: the other commands (``assess`` above all) need neither the checks
    # nor what they import.
    from simcancel.analysis import DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES, verify_paths  # noqa: PLC0415

    # Before any work: the engine checks sample states with Hypothesis (the testing extra).
    require_hypothesis("simcancel verify")
    if args.require_pack and not args.rules_dirs and not args.packs:
        raise _BadInputError(
            "--require-pack: name the rules to check: --pack DIR for a pack extending the "
            "built-in rules, or DIR for a whole rule set (in pre-commit: args: [--pack, my_pack])"
        )
    directories = [*(args.rules_dirs or _builtin(args.packs)), *(args.packs or ())]
    missing = [directory for directory in directories if not Path(directory).is_dir()]
    if missing:
        print(f"simcancel: not a rule pack directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = verify_paths(
        *directories,
        as_of=args.as_of,
        max_classes=DEFAULT_MAX_CLASSES if args.max_classes is None else args.max_classes,
        samples=DEFAULT_SAMPLES if args.samples is None else args.samples,
    )
    out.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.render())
    out.write("\n")
    hint = _extension_hint(args.rules_dirs, "verify")
    if hint and not report.ok and not args.json:
        print(f"simcancel: {hint}", file=sys.stderr)
    if args.require_exhaustive and not report.exhaustive:
        if report.sampled:
            names = ", ".join(result.name for result in report.sampled)
            budget = report.sampled[0].fallbacks[0].max_classes
            why = (
                f"{names} sampled states instead of walking every class "
                f"(more combinations than --max-classes {budget:,})"
            )
        else:
            why = "the rules did not load, so no state was checked"
        print(f"simcancel: --require-exhaustive: the proof is not exhaustive: {why}", file=sys.stderr)
        return EXIT_FOUND
    return EXIT_OK if report.ok else EXIT_FOUND


def _version() -> str:
    from simcancel import __version__  # noqa: PLC0415 (the package imports this module's peers)

    return __version__


class _VersionAction(argparse.Action):
    """``--version``: argparse's version action, reading the version only when asked (the
    package metadata costs ~12 ms of every start-up when read to build the parser)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(
            option_strings=option_strings,
            dest=dest,
            default=argparse.SUPPRESS,
            nargs=0,
            help="show program's version number and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        print(f"simcancel {_version()}")
        parser.exit()


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given the name of a command, with that command's parser only.

    A command line that starts with a command's name is parsed by that command's parser
    alone, whatever the others are (``--version`` and ``--help`` before the command need
    the whole parser, and so does a name that is not a command, for argparse's error), so
    ``simcancel assess FILE`` skips building the six others (about 2 ms of its start-up).
    """
    parser = _Parser(
        prog="simcancel",
        description="Can I cancel my Pakistani SIM / data card, and how?",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    adding = _COMMANDS.values() if command not in _COMMANDS else (_COMMANDS[command],)
    for add in adding:
        add(commands)
    return parser


_Commands: TypeAlias = "argparse._SubParsersAction[_Parser]"  # noqa: SLF001 (argparse has no public name for it)


def _add_assess(commands: _Commands) -> None:
    assess_cmd = commands.add_parser("assess", help="assess the state in a JSON file")
    assess_cmd.add_argument("file", metavar="FILE.json", help="the state, as JSON ('-': stdin)")
    assess_cmd.add_argument(
        "--locale",
        default="zh-CN",
        help="a locale of the rule set (built in: zh-CN, en, ur) or a name CLDR matches to one "
        "(zh, zh_Hans, en-GB); default: zh-CN",
    )
    assess_cmd.add_argument("--json", action="store_true", help="print the assessment as JSON")
    assess_cmd.add_argument(
        "--what-if",
        action="store_true",
        help="also say what would change the answer: the fewest changes for nothing to block, "
        "and for each alternative route to lead (a search: slower)",
    )
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
    _add_as_of(assess_cmd)
    assess_cmd.set_defaults(run=_assess)


def _add_as_of(command: _Parser) -> None:
    """``--as-of``, the day of the assessment, as ``assess`` and ``interview`` take it."""
    command.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_iso_date,
        help="assess as on this day (default: today in Pakistan)",
    )


def _add_interview(commands: _Commands) -> None:
    interview_cmd = commands.add_parser(
        "interview", help="ask the questions that matter, one at a time, then assess the answers"
    )
    _add_packs(interview_cmd)
    interview_cmd.add_argument(
        "--locale",
        default="zh-CN",
        help="the language of the questions and the answer (built in: zh-CN, en, ur); default: zh-CN",
    )
    interview_cmd.add_argument(
        "--answers",
        metavar="FILE.json",
        type=Path,
        help="resume from the answers in this file (if it exists) and save every answer to it",
    )
    interview_cmd.add_argument(
        "--json",
        action="store_true",
        help="print the final assessment as JSON on stdout (the questions go to stderr)",
    )
    _add_as_of(interview_cmd)
    interview_cmd.set_defaults(run=_interview)


def _interview(args: argparse.Namespace, out: TextIO) -> int:
    from simcancel._assess import checked_arguments  # noqa: PLC0415
    from simcancel._interview import Interview, read_answers  # noqa: PLC0415 - only this command
    from simcancel._partial import check_activation  # noqa: PLC0415

    rules = _rules(args.rules_dirs, args.packs)
    rules, locale, as_of = checked_arguments(rules, args.locale, args.as_of)
    try:
        partial = read_answers(args.answers) if args.answers is not None else None
        if partial is not None:  # what the rules refuse, found before the first question
            check_activation(partial, as_of)
            if "provider" in partial.known:
                rules.provider(str(partial.known["provider"]))
    except OSError as error:
        raise _BadInputError(f"cannot read {args.answers}: {error.strerror or error}") from None
    except InvalidStateError as error:
        shown = "; ".join(f"{problem.path}: {problem.message}" for problem in error.problems)
        raise _BadInputError(f"answers file {args.answers}: {shown}") from None
    if (
        args.answers is not None
        and not (args.answers.parent if str(args.answers.parent) else Path()).is_dir()
    ):
        # Found now, not when the first answer is saved (and lost).
        raise _BadInputError(f"cannot save {args.answers}: no such directory {args.answers.parent}")
    talk = sys.stderr if args.json else out
    interview = Interview(
        rules=rules,
        locale=locale,
        as_of=as_of,
        read=sys.stdin.readline,
        out=talk,
        answers=args.answers,
        partial=partial,
    )
    interrupted = False
    try:
        finished = interview.run()
    except KeyboardInterrupt:
        finished, interrupted = False, True
    talk.write("\n")
    if not finished:
        interview.say(interview.label("interview.stopped"))
    else:
        interview.say(interview.label("interview.done"))
    if args.answers is not None:
        interview.say(f"{interview.label('interview.saved')}{args.answers}")
    shown, nothing_blocks = interview.report(finished=finished, as_json=args.json)
    out.write(shown + "\n")
    out.flush()
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if nothing_blocks else EXIT_FOUND


def _add_lint(commands: _Commands) -> None:
    lint_cmd = commands.add_parser("lint", help="check rule pack files")
    _add_packs(lint_cmd)
    lint_cmd.add_argument(
        "--json",
        action="store_true",
        help="print {ok, packs, rules, providers, claims, problems} as JSON (problems with file and line)",
    )
    lint_cmd.set_defaults(run=_lint)


def _add_packs(command: _Parser) -> None:
    """The one way every command names its rules: whole rule sets as arguments, extensions
    of the built-in rules (or of those arguments) with ``--pack``."""
    command.add_argument(
        "rules_dirs",
        nargs="*",
        metavar="RULES_DIR",
        help="rule packs loaded together as one rule set, the first with its ruleset.yaml "
        "(default: the built-in rules)",
    )
    command.add_argument(
        "--pack",
        metavar="PACK_DIR",
        action="append",
        dest="packs",
        help="add this pack (e.g. your providers) on top of the rules; with no RULES_DIR, "
        "on top of the built-in rules (repeatable)",
    )


def _add_providers(commands: _Commands) -> None:
    providers_cmd = commands.add_parser(
        "providers", help="list the providers of the rules: policy, sources and when they were checked"
    )
    _add_packs(providers_cmd)
    providers_cmd.add_argument("--json", action="store_true", help="print {ruleset, providers} as JSON")
    providers_cmd.set_defaults(run=_providers)


def _add_schema(commands: _Commands) -> None:
    schema_cmd = commands.add_parser(
        "schema", help="print a JSON Schema (draft 2020-12), generated from the model and the fact catalogue"
    )
    schema_cmd.add_argument(
        "kind",
        nargs="?",
        default="rules",
        choices=tuple(SCHEMAS),
        help="state: the input of assess; partial-state: what is known so far (interview "
        "--answers); assessment: what assess --json prints; rules: any file of a rule pack (default)",
    )
    schema_cmd.set_defaults(run=_schema)


def _add_traceability(commands: _Commands) -> None:
    trace_cmd = commands.add_parser("traceability", help="print the claims traceability report (Markdown)")
    _add_packs(trace_cmd)
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
    _add_packs(verify_cmd)
    verify_cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    verify_cmd.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_iso_date,
        help="the day to evaluate on (default: today in Pakistan)",
    )
    # No defaults here: they live in simcancel.analysis, imported only when verify runs.
    verify_cmd.add_argument(
        "--max-classes",
        type=_count(1),
        metavar="N",
        help="sample with Hypothesis when a walk has more combinations than this (default: 2,000,000)",
    )
    verify_cmd.add_argument(
        "--samples", type=_count(1), metavar="N", help="states per sampled walk (default: 200)"
    )
    verify_cmd.add_argument(
        "--require-exhaustive",
        action="store_true",
        help="exit 1 unless every check walked every class (none sampled for want of --max-classes)",
    )
    verify_cmd.add_argument(
        "--require-pack",
        action="store_true",
        help="exit 2 unless RULES_DIR or --pack names the rules (the pre-commit hook: without "
        "them it would check only the built-in rules)",
    )
    verify_cmd.set_defaults(run=_verify)


_COMMANDS: dict[str, Callable[[_Commands], None]] = {
    "assess": _add_assess,
    "interview": _add_interview,
    "lint": _add_lint,
    "providers": _add_providers,
    "schema": _add_schema,
    "traceability": _add_traceability,
    "verify": _add_verify,
}
"""Each command's name and the function adding its parser, in the order ``--help`` lists them."""


def _problems(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [
        {"path": problem.path, "message": problem.message, "file": problem.file, "line": problem.line}
        for problem in problems
    ]


def _fail(message: str, *, kind: str, problems: Sequence[Problem] = (), as_json: bool) -> int:
    """Say why the command could not run, on stderr, as one message or one JSON object; exit 2."""
    if as_json:
        headline = message.splitlines()[0].removesuffix(":") if problems else message
        report = {"error": headline, "type": kind, "problems": _problems(problems)}
        print(json.dumps(report, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"simcancel: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


_escaped: list[str] = []
"""Characters that stdout's encoding could not show, written as escapes during this run."""


def _escape(error: UnicodeError) -> tuple[str | bytes, int]:
    if isinstance(error, UnicodeEncodeError):
        _escaped.append(error.object[error.start : error.end])
    return codecs.backslashreplace_errors(error)


codecs.register_error("simcancel.backslashreplace", _escape)


def _tolerant(stream: TextIO) -> TextIO:
    r"""``stream``, writing what its encoding cannot show as backslash escapes.

    A stdout that is not UTF-8 (``PYTHONIOENCODING=ascii``, a legacy console) failed with a
    ``UnicodeEncodeError`` traceback (exit 1) on the first Chinese label.  Escaped, the
    report is whole and the exit code still says what was found; ``--json`` stays valid
    JSON (``\uXXXX`` escapes).  ``main`` then says on stderr that the text was escaped.
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
    """Run the command line; return the exit code.

    With ``--json``, a failure to run is one JSON object on stderr too:
    ``{"error": ..., "type": ..., "problems": [{"path", "message", "file", "line"}]}``.
    """
    stream = _tolerant(sys.stdout) if out is None else out
    _escaped.clear()
    arguments = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in arguments
    parser = _parser(arguments[0] if arguments else None)
    try:
        args = parser.parse_args(arguments)
    except _ArgumentError as error:
        if not as_json:
            error.parser.print_usage(sys.stderr)
            print(f"{error.parser.prog}: error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return _fail(f"{error.parser.prog}: {error}", kind="ArgumentError", as_json=True)
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0) if exit_.code != 2 else EXIT_BAD_INPUT
    as_json = bool(getattr(args, "json", False))
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
        found: Sequence[Problem] = getattr(error, "problems", ())
        code = _fail(str(error), kind=type(error).__name__, problems=found, as_json=as_json)
        hint = _extension_hint(
            getattr(args, "rules_dirs", None) or getattr(args, "rules", None), args.command
        )
        if isinstance(error, RuleFileError) and hint and not as_json:
            print(f"simcancel: {hint}", file=sys.stderr)
        return code
    except _BadInputError as error:
        return _fail(str(error), kind="BadInput", as_json=as_json)
    except BrokenPipeError:
        # The reader went away (`simcancel assess x.json | head`): not an input problem.
        # Point stdout at devnull so the interpreter's final flush cannot fail again.
        if out is None:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as error:
        # A rule pack or file that exists but cannot be read (permissions, a directory...).
        return _fail(
            f"cannot read {error.filename or 'a file'}: {error.strerror or error}",
            kind="BadInput",
            as_json=as_json,
        )
    return code


def program() -> int:
    """The ``simcancel`` program (its console script, ``python -m simcancel``): :func:`main`
    in a process of its own, which ends when it returns.

    What is loaded by then (the modules of simcancel and its libraries, their classes and
    functions) lives until the process ends, so it is first moved out of the cyclic garbage
    collector's sight (``gc.freeze()``): no collection walks it again, the one at exit
    included (about 14 ms of the CPU time of ``simcancel assess FILE``).  Objects made
    later are collected as always.  Calling :func:`main` in a longer-lived process freezes
    nothing.
    """
    gc.freeze()
    return main()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(program())
