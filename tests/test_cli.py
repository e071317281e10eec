"""The ``simcancel`` command: exit codes, readable output in both locales, JSON, errors."""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from simcancel import builtin_rules_path, default_rules
from simcancel.cli import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_FOUND, EXIT_OK, main

EXAMPLES = Path(__file__).parents[1] / "examples"
READY = EXAMPLES / "simoptions-ready.json"
BLOCKED = EXAMPLES / "jazz-blocked.json"
STATE: dict[str, Any] = json.loads(READY.read_text(encoding="utf-8"))


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def write_state(tmp_path: Path, **changes: Any) -> str:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({**STATE, **changes}), encoding="utf-8")
    return str(path)


def label(locale: str, key: str) -> str:
    return default_rules().labels[locale][key]


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("simcancel: ")
    assert "Traceback" not in err
    return err


# --- assess ----------------------------------------------------------------------------


def test_assess_exits_0_when_nothing_blocks() -> None:
    """A state with nothing blocking exits 0 and says so."""
    code, text = run("assess", str(READY), "--locale", "en")
    assert code == EXIT_OK
    assert text.startswith(label("en", "heading.verdict_ok"))


def test_assess_exits_1_when_something_blocks() -> None:
    """A state with blocking issues exits 1 and lists them with their claims and fixes."""
    code, text = run("assess", str(BLOCKED), "--locale", "en")
    assert code == EXIT_FOUND
    assert text.startswith(label("en", "heading.verdict_blocked"))
    assert "[balance-not-zero]" in text
    assert "(A4)" in text
    assert "-> Spend the balance (PKR 150.00)" in text


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_assess_text_is_in_the_chosen_locale(locale: str) -> None:
    """Headings, route names and stages come from the chosen locale's labels."""
    _code, text = run("assess", str(BLOCKED), "--locale", locale)
    for key in (
        "heading.provider",
        "kind.blocking",
        "heading.route",
        "route.ask_provider",
        "heading.steps",
        "stage.balance",
        "heading.claims",
    ):
        assert label(locale, key) in text
    other = "zh-CN" if locale == "en" else "en"
    assert label(other, "heading.steps") not in text


@pytest.mark.parametrize(("asked", "meant"), [("zh", "zh-CN"), ("zh-Hans-CN", "zh-CN"), ("en-GB", "en")])
def test_assess_negotiates_the_locale(asked: str, meant: str) -> None:
    """--locale takes any name CLDR matches to a locale of the rule set, not only its exact names."""
    code, text = run("assess", str(BLOCKED), "--json", "--locale", asked)
    assert (code, json.loads(text)["locale"]) == (EXIT_FOUND, meant)


def test_assess_unknown_locale_lists_the_rule_sets_locales(capsys: pytest.CaptureFixture[str]) -> None:
    """A locale the rule set cannot serve exits 2 naming it, the rule set's locales and the closest."""
    assert run("assess", str(READY), "--locale", "zh-TW")[0] == EXIT_BAD_INPUT
    assert "locale: expected one of zh-CN, en, ur, got 'zh-TW' (did you mean 'zh-CN'?)" in one_error(capsys)


def test_assess_in_urdu_from_the_built_in_rules() -> None:
    """`simcancel assess --locale ur` works with the built-in rules: Urdu headings and texts."""
    code, text = run("assess", str(BLOCKED), "--locale", "ur", "--as-of", "2026-11-24")
    assert code == EXIT_FOUND
    assert text.startswith(label("ur", "heading.verdict_blocked"))
    assert "کارڈ میں ابھی 150.00 روپے بیلنس موجود ہے۔" in text


def test_assess_default_locale_is_chinese() -> None:
    """Without --locale the article's readers get Chinese."""
    _code, text = run("assess", str(BLOCKED))
    assert label("zh-CN", "heading.verdict_blocked") in text
    assert "卡内还有 150.00 卢比余额" in text


def test_assess_json_has_the_documented_shape() -> None:
    """--json prints one JSON object with the simcancel.assessment/1 shape."""
    code, text = run("assess", str(BLOCKED), "--json", "--locale", "en")
    assert code == EXIT_FOUND
    data = json.loads(text)
    assert list(data) == [
        "schema",
        "provider",
        "locale",
        "as_of",
        "ruleset",
        "can_cancel_now",
        "blocking",
        "warnings",
        "advice",
        "route",
        "alternatives",
        "documents",
        "steps",
        "claims",
        "labels",
    ]
    assert data["schema"] == "simcancel.assessment/1"
    assert (data["provider"], data["locale"], data["can_cancel_now"]) == ("jazz", "en", False)
    assert data["ruleset"] == default_rules().label
    issue = data["blocking"][0]
    assert set(issue) == {"code", "kind", "message", "fix", "claims", "facts"}
    assert (issue["code"], issue["kind"], issue["claims"]) == ("balance-not-zero", "blocking", ["A4"])
    assert issue["facts"] == {"balance": "150.00"}
    assert set(data["route"]) == {"route", "code", "reason", "claims", "facts"}
    assert data["route"]["route"] == "ask_provider"
    assert [option["route"] for option in data["alternatives"]] == ["in_store"]
    assert all(set(doc) == {"id", "name"} for doc in data["documents"])
    assert [step["stage"] for step in data["steps"]][:2] == ["balance", "services"]
    assert all(set(step) == {"stage", "text", "code", "claims"} for step in data["steps"])
    assert "A4" in data["claims"]


def test_assess_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    """'-' reads the state from standard input."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(READY.read_bytes())))
    code, text = run("assess", "-", "--json")
    assert code == EXIT_OK
    assert json.loads(text)["provider"] == "simoptions"


def test_assess_with_another_rule_pack(tmp_path: Path) -> None:
    """--rules DIR assesses with that pack (its version shows in the result)."""
    pack = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), pack)
    manifest = pack / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"2026.11.0"', '"9.9"'), encoding="utf-8"
    )
    code, text = run("assess", str(READY), "--json", "--rules", str(pack))
    assert code == EXIT_OK
    assert json.loads(text)["ruleset"] == "simcancel-builtin@9.9"


def test_assess_with_an_extra_pack_keeps_the_built_in_rules(tmp_path: Path) -> None:
    """--pack DIR adds a provider-only pack to the built-in rules, as load_rules(builtin, DIR)."""
    providers = tmp_path / "my_pack" / "providers"
    providers.mkdir(parents=True)
    jazz = (builtin_rules_path() / "providers" / "jazz.yaml").read_text(encoding="utf-8")
    (providers / "warid.yaml").write_text(
        jazz.replace("id: jazz", "id: warid").replace("name: Jazz", "name: Warid"), encoding="utf-8"
    )
    code, text = run(
        "assess", write_state(tmp_path, provider="warid"), "--json", "--pack", str(tmp_path / "my_pack")
    )
    result = json.loads(text)
    assert code == EXIT_OK
    assert (result["provider"], result["route"]["route"]) == ("warid", "ask_provider")
    assert result["ruleset"] == f"{default_rules().label}+my_pack"


def test_verify_with_an_extra_pack_checks_built_in_plus_pack(tmp_path: Path) -> None:
    """verify --pack DIR proves the built-in rules plus a provider-only pack consistent."""
    providers = tmp_path / "my_pack" / "providers"
    providers.mkdir(parents=True)
    jazz = (builtin_rules_path() / "providers" / "jazz.yaml").read_text(encoding="utf-8")
    (providers / "warid.yaml").write_text(jazz.replace("id: jazz", "id: warid"), encoding="utf-8")
    code, text = run("verify", "--pack", str(tmp_path / "my_pack"), "--json", "--as-of", "2026-11-24")
    assert code == EXIT_OK
    assert json.loads(text)["ok"] is True


def test_assess_as_of_selects_the_rules_in_effect(tmp_path: Path) -> None:
    """--as-of before 2024-01-01 drops the B2 disowning-fee warning that applies after it."""
    state = write_state(tmp_path, provider="jazz", activated_on="2023-10-01")
    codes = {}
    for day in ("2023-12-31", "2024-01-02"):
        _, text = run("assess", state, "--json", "--as-of", day)
        codes[day] = [issue["code"] for issue in json.loads(text)["warnings"]]
    assert "disowning-fee" not in codes["2023-12-31"]
    assert "disowning-fee" in codes["2024-01-02"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "expected JSON"),
        ("[1, 2]", "$: expected an object with fields, got [1, 2]"),
        (None, "$.balance"),
        ("unknown-provider", "$.provider"),
    ],
)
def test_assess_bad_input_exits_2_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    """Invalid JSON, a non-object, a negative amount or an unknown provider exit 2 on stderr."""
    if content is None:
        path = write_state(tmp_path, balance="-5")
    elif content == "unknown-provider":
        path = write_state(tmp_path, provider="jazzz")
    else:
        path = str(tmp_path / "state.json")
        Path(path).write_text(content, encoding="utf-8")
    code, text = run("assess", path)
    assert code == EXIT_BAD_INPUT
    assert text == ""
    assert expected in one_error(capsys)


def test_unknown_provider_names_the_close_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown provider's message suggests the provider it resembles."""
    assert run("assess", write_state(tmp_path, provider="jazzz"))[0] == EXIT_BAD_INPUT
    assert "did you mean 'jazz'?" in one_error(capsys)


def test_assess_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that cannot be read exits 2 and names it."""
    missing = tmp_path / "missing.json"
    assert run("assess", str(missing))[0] == EXIT_BAD_INPUT
    assert f"cannot read {missing}" in one_error(capsys)


def test_assess_with_a_missing_rule_pack_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--rules naming no directory exits 2."""
    assert run("assess", str(READY), "--rules", str(tmp_path / "nope"))[0] == EXIT_BAD_INPUT
    assert "expected a rule pack directory" in one_error(capsys)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["cancel"],
        ["assess"],
        ["assess", str(READY), "--colour"],
        ["assess", str(READY), "--as-of", "2026-13-01"],
        ["verify", "--as-of", "yesterday"],
    ],
)
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """No command, an unknown command, a missing file or a bad option exit 2 with usage."""
    assert run(*argv)[0] == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "usage: simcancel" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("day", ["20240101", "2024-W01-1", "2024-1-1", "2024-01-01T00:00"])
@pytest.mark.parametrize("command", ["assess", "verify"])
def test_as_of_takes_only_yyyy_mm_dd(day: str, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--as-of refuses the other ISO forms fromisoformat takes (basic, week date) with exit 2."""
    argv = ["assess", str(READY)] if command == "assess" else ["verify"]
    assert run(*argv, "--as-of", day)[0] == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"argument --as-of: expected a date as YYYY-MM-DD, got {day!r}" in err
    assert "Traceback" not in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """--help lists every subcommand and exits 0."""
    assert run("--help")[0] == EXIT_OK
    help_text = capsys.readouterr().out
    for command in ("assess", "lint", "schema", "traceability"):
        assert command in help_text


# --- lint ------------------------------------------------------------------------------


def test_lint_of_the_built_in_rules_is_clean() -> None:
    """The shipped pack lints clean, exit 0."""
    code, text = run("lint")
    assert code == EXIT_OK
    assert text.startswith("built-in rules: ")
    assert text.endswith("no problems\n")


def test_lint_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    """A broken pack exits 1, each problem with file:line, path and a suggestion."""
    pack = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), pack)
    rules_file = pack / "preconditions.yaml"
    text = rules_file.read_text(encoding="utf-8")
    text = text.replace("when: {arrears: {gt: 0}}", "when: {arrears: {gtt: 0}}")
    text = text.replace("kind: advice", "kind: advise", 1)
    rules_file.write_text(text, encoding="utf-8")
    code, output = run("lint", str(pack))
    assert code == EXIT_FOUND
    assert "invalid rules (2 problems):" in output
    assert "rules/preconditions.yaml:" in output
    assert "unknown operator 'gtt' (did you mean 'gt'?)" in output
    assert "unknown rule kind 'advise' (did you mean 'advice'?)" in output


def test_lint_of_a_missing_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Linting a directory that does not exist is bad input, not a lint error."""
    assert run("lint", str(tmp_path / "nope"))[0] == EXIT_BAD_INPUT
    assert "not a rule pack directory" in one_error(capsys)


# --- schema and traceability -------------------------------------------------------------


@pytest.mark.parametrize("argv", [("schema",), ("schema", "rules")])
def test_schema_prints_the_shipped_json_schema(argv: tuple[str, ...]) -> None:
    """`simcancel schema [rules]` prints what rules/schema.json holds, valid JSON."""
    code, text = run(*argv)
    assert code == EXIT_OK
    assert text == (builtin_rules_path() / "schema.json").read_text(encoding="utf-8")
    assert json.loads(text)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_traceability_check_passes_on_its_own_output(tmp_path: Path) -> None:
    """--check FILE exits 0 when FILE is exactly what the command prints."""
    code, report = run("traceability")
    assert code == EXIT_OK
    assert report.startswith("# Claims traceability\n")
    saved = tmp_path / "traceability.md"
    saved.write_text(report, encoding="utf-8")
    assert run("traceability", "--check", str(saved)) == (EXIT_OK, f"{saved} is current\n")


def test_traceability_check_fails_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--check FILE exits 1 and says how to regenerate when FILE differs by one character."""
    stale = tmp_path / "traceability.md"
    stale.write_text(run("traceability")[1] + " ", encoding="utf-8")
    assert run("traceability", "--check", str(stale))[0] == EXIT_FOUND
    assert "is stale" in one_error(capsys)


def test_traceability_check_of_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check naming a file that does not exist is bad input."""
    assert run("traceability", "--check", str(tmp_path / "none.md"))[0] == EXIT_BAD_INPUT
    assert "cannot read" in one_error(capsys)


def test_traceability_strict_fails_when_problems_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no golden cases every cited claim is a problem, and --strict exits 1."""
    empty = tmp_path / "cases"
    empty.mkdir()
    code, report = run("traceability", "--cases", str(empty))
    assert code == EXIT_OK
    assert "no golden case covers it" in report
    assert run("traceability", "--cases", str(empty), "--strict")[0] == EXIT_FOUND
    assert "problem(s)" in one_error(capsys)


# --- python -m simcancel -------------------------------------------------------------------


def test_python_dash_m_is_the_same_command() -> None:
    """`python -m simcancel` gives the same output and exit code as main()."""
    done = subprocess.run(
        [sys.executable, "-m", "simcancel", "assess", str(BLOCKED), "--json", "--locale", "en"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == EXIT_FOUND
    assert json.loads(done.stdout) == json.loads(run("assess", str(BLOCKED), "--json", "--locale", "en")[1])
    assert done.stderr == b""


def test_a_closed_output_pipe_is_not_bad_input() -> None:
    """`simcancel schema | head -1` ends quietly with SIGPIPE's status, not 'cannot read'."""
    process = subprocess.Popen(
        [sys.executable, "-m", "simcancel", "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # before the command writes: its first write finds no reader
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == EXIT_BROKEN_PIPE
    assert err == b""


def test_the_catch_all_provider_is_named_in_the_locale(tmp_path: Path) -> None:
    """The readable report names provider 'other' by its label in each locale."""
    state = write_state(tmp_path, provider="other")
    for locale in ("zh-CN", "en"):
        _, text = run("assess", state, "--locale", locale)
        assert f"{label(locale, 'format.colon')}{label(locale, 'provider.other')}\n" in text


# --- unbounded input ---------------------------------------------------------------------


def _limited_memory() -> None:
    """In the child: at most 1 GiB of address space, so reading without a bound fails
    fast with MemoryError instead of eating the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_assess_of_dev_zero_is_refused_at_once() -> None:
    """`simcancel assess /dev/zero` reads 1 MB + 1 byte and exits 2 (it grew until
    MemoryError, exit 1, before)."""
    done = subprocess.run(
        [sys.executable, "-m", "simcancel", "assess", "/dev/zero"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        preexec_fn=_limited_memory,
    )
    assert done.returncode == EXIT_BAD_INPUT, done.stderr[-2000:]
    assert done.stderr == (
        "simcancel: invalid user state (1 problem):\n"
        "  $: expected at most 1000000 bytes of JSON, got more than 1000000\n"
    )


def test_assess_of_an_endless_pipe_is_refused_at_once() -> None:
    """`yes | simcancel assess -` exits 2 after reading 1 MB + 1 byte, and the writer
    sees the pipe close."""
    process = subprocess.Popen(
        [sys.executable, "-m", "simcancel", "assess", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limited_memory,  # noqa: PLW1509 - no threads are started before exec
    )
    assert process.stdin is not None
    written = 0
    with contextlib.suppress(BrokenPipeError):
        while written < 2_000_000_000:  # the reader stops long before; this only bounds the test
            process.stdin.write(b"y\n" * 32_768)
            written += 65_536
    with contextlib.suppress(BrokenPipeError, ValueError):
        process.stdin.close()
    process.stdin = None  # closed already: communicate() must leave it alone
    _, err = process.communicate(timeout=60)
    assert process.returncode == EXIT_BAD_INPUT, err[-2000:]
    assert b"expected at most 1000000 bytes of JSON, got more than 1000000" in err
    assert written < 100_000_000


def test_assess_of_a_big_file_names_its_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A regular file over the cap is refused with its size, read only up to the cap
    (the whole 300 MB were read before)."""
    big = tmp_path / "big.json"
    with big.open("wb") as file:
        file.truncate(300_000_000)  # sparse: costs no disk
    tracemalloc.start()
    try:
        assert main(["assess", str(big)]) == EXIT_BAD_INPUT
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "$: expected at most 1000000 bytes of JSON, got 300000000" in one_error(capsys)
    assert peak < 32_000_000


def test_assess_with_stdin_closed_is_bad_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`simcancel assess - <&-` (no stdin at all) says so and exits 2."""
    monkeypatch.setattr(sys, "stdin", None)
    assert main(["assess", "-"]) == EXIT_BAD_INPUT
    assert one_error(capsys) == "simcancel: cannot read -: standard input is closed\n"


# --- a stdout that is not UTF-8 ----------------------------------------------------------


def test_assess_on_an_ascii_stdout_writes_escapes_not_a_traceback() -> None:
    r"""PYTHONIOENCODING=ascii: the Chinese report is written with \uXXXX escapes, the exit
    code still says what was found, stderr says why (a UnicodeEncodeError traceback, exit 1,
    before); --json stays the same JSON."""
    ascii_env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    text = subprocess.run(
        [sys.executable, "-m", "simcancel", "assess", str(BLOCKED)],
        capture_output=True,
        check=False,
        timeout=120,
        env=ascii_env,
    )
    assert text.returncode == EXIT_FOUND, text.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in text.stderr
    assert text.stdout.isascii()
    assert text.stdout.decode("unicode_escape").rstrip("\n") == run("assess", str(BLOCKED))[1].rstrip("\n")
    assert text.stderr.decode().startswith("simcancel: note: the output's encoding (ascii) cannot show")
    as_json = subprocess.run(
        [sys.executable, "-m", "simcancel", "assess", str(BLOCKED), "--json"],
        capture_output=True,
        check=False,
        timeout=120,
        env=ascii_env,
    )
    assert as_json.returncode == EXIT_FOUND
    assert json.loads(as_json.stdout) == json.loads(run("assess", str(BLOCKED), "--json")[1])


def test_an_ascii_stdout_in_english_needs_no_escapes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() writing to an ASCII sys.stdout: English output goes through as is, no note."""
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    assert main(["assess", str(READY), "--locale", "en"]) == EXIT_OK
    sys.stdout.flush()
    assert raw.getvalue().decode("ascii") == run("assess", str(READY), "--locale", "en")[1]
    assert capsys.readouterr().err == ""
    raw.seek(0)
    raw.truncate()
    assert main(["assess", str(READY)]) == EXIT_OK
    sys.stdout.flush()
    assert raw.getvalue().isascii()
    assert b"\\u" in raw.getvalue()


# --- naming packs, numbers, abbreviations, --version, providers ---------------------------

_PROVIDER = """\
id: easysim
name: EasySIM
kind: esim_platform
online_cancellation: supported
in_person_confirmation: required
channels: [website, store]
review_days: [1, 3]
languages: [en]
sources:
  - title: "EasySIM help centre"
    claims: [A7]
checked: 2026-11-24
"""


def provider_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "my_pack"
    (pack / "providers").mkdir(parents=True)
    (pack / "providers" / "easysim.yaml").write_text(_PROVIDER, encoding="utf-8")
    return pack


def test_lint_pack_checks_an_extension_of_the_built_in_rules(tmp_path: Path) -> None:
    """`lint --pack DIR` loads the built-in rules and DIR on top, as assess and verify do."""
    code, text = run("lint", "--pack", str(provider_pack(tmp_path)))
    assert code == EXIT_OK, text
    assert text.startswith("built-in rules + ")
    assert "9 providers" in text


def test_lint_of_an_extension_as_a_rule_set_says_to_use_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`lint DIR` of a pack without ruleset.yaml fails and says to use --pack DIR."""
    pack = provider_pack(tmp_path)
    code, _ = run("lint", str(pack))
    assert code == EXIT_FOUND
    assert f"simcancel lint --pack {pack}" in capsys.readouterr().err


_COMMAND_LINES = [
    ["assess", "x.json", "--locale", "en", "--json", "--as-of", "2026-01-02", "--pack", "p"],
    ["assess", "-", "--rules", "r", "--rules", "s", "--what-if"],
    ["interview", "a", "--answers", "answers.json", "--json"],
    ["lint", "a", "--pack", "b", "--json"],
    ["providers", "--json"],
    ["schema", "state"],
    ["traceability", "--cases", "c", "--check", "f", "--strict"],
    ["verify", "a", "--max-classes", "3", "--samples", "2", "--require-exhaustive", "--require-pack"],
]


@pytest.mark.parametrize("argv", _COMMAND_LINES, ids=lambda argv: argv[0])
def test_a_commands_own_parser_parses_as_the_whole_parser(argv: list[str]) -> None:
    """The parser built for one command reads its command lines as the whole parser does."""
    from simcancel.cli import _parser

    alone, whole = _parser(argv[0]), _parser()
    assert vars(alone.parse_args(argv)) == vars(whole.parse_args(argv))
    assert _subparser(alone, argv[0]).format_help() == _subparser(whole, argv[0]).format_help()
    assert alone.format_usage() == whole.format_usage()


def _subparser(parser: Any, command: str) -> Any:
    import argparse

    (commands,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return commands.choices[command]


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", "x.json", "--locale"],
        ["assess", "x.json", "--bogus"],
        ["assess", "x.json", "--as-of", "20240101"],
        ["assess"],
        ["verify", "--samples", "0"],
        ["schema", "nope"],
        ["lint", "--json", "--pack"],
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_a_refused_command_line_says_the_same_with_one_commands_parser(
    argv: list[str], as_json: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refused command line gets the same message and exit code with the command's parser alone."""
    import simcancel.cli

    argv = [*argv, "--json"] if as_json and "--json" not in argv else argv
    build = simcancel.cli._parser
    said = [(main(argv, out=io.StringIO()), capsys.readouterr().err)]
    monkeypatch.setattr(simcancel.cli, "_parser", lambda command=None: build(None))
    said.append((main(argv, out=io.StringIO()), capsys.readouterr().err))
    assert said[0] == said[1]
    assert said[0][0] == EXIT_BAD_INPUT


def test_simcancel_assess_builds_the_assess_parser_only() -> None:
    """`simcancel assess ...` builds the assess parser alone; no command or `--help` first builds all."""
    from simcancel.cli import _parser

    assert _choices(_parser("assess")) == ["assess"]
    for first in (None, "--help", "--version", "asess", "-h"):
        assert _choices(_parser(first)) == [
            "assess",
            "interview",
            "lint",
            "providers",
            "schema",
            "traceability",
            "verify",
        ]


def _choices(parser: Any) -> list[str]:
    import argparse

    (commands,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return list(commands.choices)


@pytest.mark.parametrize("command", ["lint", "providers", "traceability", "verify"])
def test_every_rules_command_takes_dirs_and_pack(command: str) -> None:
    """Every command reading rules takes RULES_DIR... and --pack PACK_DIR."""
    from simcancel.cli import _parser

    args = _parser().parse_args([command, "a", "b", "--pack", "c", "--pack", "d"])
    assert (args.rules_dirs, args.packs) == (["a", "b"], ["c", "d"])


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "--samples", "0"],
        ["verify", "--samples", "x"],
        ["verify", "--max-classes", "-1"],
        ["verify", "--max-classes", "0"],
    ],
)
def test_numeric_arguments_below_one_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every numeric argument is validated: below 1 or not a number is exit 2 with a message."""
    assert run(*argv)[0] == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "expected a whole number" in err
    assert "Traceback" not in err


def test_abbreviated_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """`--local` is not taken for `--locale`: abbreviations are off on every parser."""
    assert run("assess", str(READY), "--local", "en")[0] == EXIT_BAD_INPUT
    assert "unrecognized arguments: --local" in capsys.readouterr().err
    assert run("verify", "--sample", "3")[0] == EXIT_BAD_INPUT


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`simcancel --version` prints `simcancel <version>` and exits 0."""
    import simcancel

    assert run("--version")[0] == EXIT_OK
    assert capsys.readouterr().out == f"simcancel {simcancel.__version__}\n"


def test_providers_lists_policy_sources_and_checked_date(tmp_path: Path) -> None:
    """`simcancel providers` lists each provider's id, name, policy, sources and checked date."""
    code, text = run("providers")
    assert code == EXIT_OK
    jazz = default_rules().providers["jazz"]
    assert f"jazz: {jazz.name} (local_operator)" in text
    assert f"checked: {jazz.checked.isoformat()}" in text
    assert f"source: {jazz.sources[0].title}" in text
    code, text = run("providers", "--json", "--pack", str(provider_pack(tmp_path)))
    assert code == EXIT_OK
    report = json.loads(text)
    easysim = next(entry for entry in report["providers"] if entry["id"] == "easysim")
    assert easysim["online_cancellation"] == "supported"
    assert easysim["in_person_confirmation"] == "required"
    assert easysim["checked"] == "2026-11-24"
    assert easysim["sources"] == [{"title": "EasySIM help centre", "url": None, "claims": ["A7"]}]


def test_traceability_outside_a_checkout_names_the_missing_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """traceability without tests/cases exits 2 naming the directory and --cases, not 25 problems."""
    monkeypatch.chdir(tmp_path)
    assert run("traceability")[0] == EXIT_BAD_INPUT
    err = one_error(capsys)
    assert "tests/cases" in err
    assert "--cases" in err


def test_verify_require_pack_refuses_to_check_only_the_built_in_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--require-pack (the pre-commit hook) without RULES_DIR or --pack exits 2 saying how to name it."""
    assert run("verify", "--require-pack")[0] == EXIT_BAD_INPUT
    err = one_error(capsys)
    assert "--pack DIR" in err
    assert "args: [--pack, my_pack]" in err


@pytest.mark.parametrize(
    ("command", "exit_code", "shown"),
    [
        (["lint", "{pack}"], EXIT_FOUND, "simcancel lint --pack {pack}"),
        (["verify", "{pack}"], EXIT_FOUND, "simcancel verify --pack {pack}"),
        (
            ["assess", str(EXAMPLES / "jazz-blocked.json"), "--rules", "{pack}"],
            EXIT_BAD_INPUT,
            "simcancel assess FILE --pack {pack}",
        ),
    ],
)
def test_an_extension_pack_named_as_a_whole_rule_set_gets_the_pack_option_suggested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], exit_code: int, shown: str
) -> None:
    """A directory without ruleset.yaml given as the rules: the error says to use --pack."""
    pack = tmp_path / "my_pack"
    shutil.copytree(
        Path(__file__).parent / "fixtures" / "broken_packs" / "good" / "providers", pack / "providers"
    )
    argv = [part.format(pack=pack) for part in command]
    assert main(argv, out=io.StringIO()) == exit_code
    assert shown.format(pack=pack) in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["assess", str(EXAMPLES / "jazz-blocked.json"), "--local", "en"], "(did you mean '--locale'?)"),
        (["asses", "x.json"], "(did you mean 'assess'?)"),
        (["verify", "--max-class", "5"], "(did you mean '--max-classes'?)"),
    ],
)
def test_a_misspelt_command_or_option_gets_a_did_you_mean(
    capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    """An unknown command or option is refused (never guessed) with the closest one named."""
    assert main(argv, out=io.StringIO()) == EXIT_BAD_INPUT
    assert hint in capsys.readouterr().err


def test_a_pack_of_providers_keeps_the_urdu_of_the_built_in_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--pack with providers only (nothing Urdu must translate): --locale ur still works."""
    pack = tmp_path / "my_pack"
    shutil.copytree(
        Path(__file__).parent / "fixtures" / "broken_packs" / "good" / "providers", pack / "providers"
    )
    out = io.StringIO()
    assert main(
        ["assess", str(EXAMPLES / "jazz-blocked.json"), "--pack", str(pack), "--locale", "ur"], out=out
    ) in (
        EXIT_OK,
        EXIT_FOUND,
    )
    assert "کمپنی" in out.getvalue()
    assert capsys.readouterr().err == ""
