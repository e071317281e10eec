"""The command speaks JSON when asked: answers on stdout, failures on stderr, lint --json.

One test runs the real command in a subprocess, as a program in another language would:
it validates its input with the state schema, reads the answer with the assessment schema
and shows it in both locales from the JSON alone.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from simcancel import Assessment, builtin_rules_path, json_schema, render_text
from simcancel.cli import EXIT_BAD_INPUT, EXIT_FOUND, EXIT_OK, main
from tests.packs import VALID_STATE

ROOT = Path(__file__).resolve().parents[1]
BLOCKED = ROOT / "examples" / "jazz-blocked.json"
ERROR_KEYS = ["error", "type", "problems"]
PROBLEM_KEYS = ["path", "message", "file", "line"]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def json_error(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The one JSON object the command wrote on stderr, checked for the documented shape."""
    err = capsys.readouterr().err
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    found: dict[str, Any] = json.loads(err)
    assert list(found) == ERROR_KEYS
    assert all(list(problem) == PROBLEM_KEYS for problem in found["problems"])
    return found


def _state_file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


# --- failures as JSON ------------------------------------------------------------------------------


def test_an_invalid_state_is_a_json_error_listing_each_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """assess --json on a bad state: exit 2, nothing on stdout, every problem with its path."""
    bad = _state_file(tmp_path, {**VALID_STATE, "balance": "-1", "plan": "x"})
    code, out = run("assess", bad, "--json")
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert json_error(capsys) == {
        "error": "invalid user state (2 problems)",
        "type": "InvalidStateError",
        "problems": [
            {
                "path": "$.plan",
                "message": "expected one of 'prepaid', 'postpaid', got 'x'",
                "file": None,
                "line": None,
            },
            {
                "path": "$.balance",
                "message": "expected a non-negative amount in PKR, got '-1'",
                "file": None,
                "line": None,
            },
        ],
    }


def test_an_unknown_provider_is_a_json_error_at_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A provider the rules do not know is a problem at $.provider, with the close match."""
    assert run("assess", _state_file(tmp_path, {**VALID_STATE, "provider": "jaz"}), "--json")[0] == 2
    (problem,) = json_error(capsys)["problems"]
    assert problem["path"] == "$.provider"
    assert "(did you mean 'jazz'?)" in problem["message"]


@pytest.mark.parametrize(
    ("argv", "kind", "error"),
    [
        (
            ["assess", "nope.json", "--json"],
            "BadInput",
            r"^cannot read nope\.json: No such file or directory$",
        ),
        (
            ["assess", str(BLOCKED), "--json", "--locale", "fr"],
            "UsageError",
            r"^locale: expected one of zh-CN, en, ur, got 'fr'$",
        ),
        (
            ["assess", str(BLOCKED), "--json", "--as-of", "soon"],
            "ArgumentError",
            r"expected a date as YYYY-MM-DD",
        ),
        (
            ["--json", "frobnicate"],
            "ArgumentError",
            r"^simcancel: argument COMMAND: invalid choice: 'frobnicate'",
        ),
        (["lint", "nope", "--json"], "BadInput", r"^not a rule pack directory: nope$"),
    ],
    ids=["missing file", "bad choice", "bad date", "unknown command", "lint missing directory"],
)
def test_bad_command_lines_and_files_are_json_errors(
    argv: list[str], kind: str, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --json anywhere on the line, even what argparse refuses comes back as JSON, exit 2."""
    assert run(*argv)[0] == EXIT_BAD_INPUT
    found = json_error(capsys)
    assert found["type"] == kind
    assert re.search(error, found["error"]), found
    assert found["problems"] == []


def test_without_json_errors_stay_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text form is unchanged: one `simcancel: ` message, argparse's usage line for a bad option."""
    assert run("assess", _state_file(tmp_path, {**VALID_STATE, "balance": "-1"}))[0] == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        "simcancel: invalid user state (1 problem):\n"
        "  $.balance: expected a non-negative amount in PKR, got '-1'\n"
    )
    assert run("assess", str(BLOCKED), "--as-of", "soon")[0] == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("usage: simcancel assess ")
    assert "simcancel assess: error: argument --as-of: expected a date" in err
    assert run("assess", str(BLOCKED), "--locale", "fr")[0] == EXIT_BAD_INPUT
    assert capsys.readouterr().err == "simcancel: locale: expected one of zh-CN, en, ur, got 'fr'\n"


# --- lint --json -------------------------------------------------------------------------------------


def test_lint_json_of_the_built_in_rules() -> None:
    """lint --json: ok, the packs, the counts and no problems; exit 0."""
    code, out = run("lint", "--json")
    assert code == EXIT_OK
    report = json.loads(out)
    assert list(report) == ["ok", "packs", "rules", "providers", "claims", "problems"]
    assert report["ok"] is True
    assert report["problems"] == []
    assert report["rules"] > 20
    assert report["packs"][0] == str(builtin_rules_path())


def test_lint_json_lists_each_problem_with_file_and_line(tmp_path: Path) -> None:
    """A broken pack: ok false, exit 1, each problem with its file, line, path and message."""
    pack = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), pack)
    rules_file = pack / "preconditions.yaml"
    rules_file.write_text(
        rules_file.read_text(encoding="utf-8").replace(
            "when: {arrears: {gt: 0}}", "when: {arrears: {gtt: 0}}"
        ),
        encoding="utf-8",
    )
    code, out = run("lint", str(pack), "--json")
    assert code == EXIT_FOUND
    report = json.loads(out)
    assert (report["ok"], report["rules"]) == (False, None)
    (problem,) = report["problems"]
    assert list(problem) == PROBLEM_KEYS
    assert problem["file"].endswith("preconditions.yaml")
    assert isinstance(problem["line"], int)
    assert problem["line"] > 0
    assert "unknown operator 'gtt' (did you mean 'gt'?)" in problem["message"]


# --- a program in another language -------------------------------------------------------------------

_KEY = re.compile(r"\b(?:heading|kind|route|stage|what_if|provider)\.[a-z_]+\b")


def test_another_program_validates_calls_and_shows_the_answer_from_json_alone(tmp_path: Path) -> None:
    """Through a real subprocess: schema-valid input in, schema-valid JSON out (errors too), and
    the answer shown in zh-CN and en from that JSON alone, every word found in its labels."""
    state_schema = jsonschema.Draft202012Validator(json_schema("state"))
    answer_schema = jsonschema.Draft202012Validator(json_schema("assessment"))
    state = json.loads(BLOCKED.read_text(encoding="utf-8"))
    assert state_schema.is_valid(state)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    for locale in ("zh-CN", "en"):
        done = subprocess.run(
            [sys.executable, "-m", "simcancel", "assess", "-", "--json", "--what-if", "--locale", locale],
            input=json.dumps(state).encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=120,
            env=env,
        )
        assert (done.returncode, done.stderr) == (EXIT_FOUND, b"")
        data = json.loads(done.stdout)
        assert list(answer_schema.iter_errors(data)) == []
        text = render_text(Assessment.from_dict(data))
        assert _KEY.findall(text) == [], "a label the JSON lacks"
        assert data["labels"]["heading.what_if"] in text
    bad = subprocess.run(
        [sys.executable, "-m", "simcancel", "assess", "-", "--json"],
        input=b'{"provider": "jazz"}',
        capture_output=True,
        check=False,
        timeout=120,
        env=env,
    )
    assert (bad.returncode, bad.stdout) == (EXIT_BAD_INPUT, b"")
    error = json.loads(bad.stderr)
    assert error["type"] == "InvalidStateError"
    assert {problem["path"] for problem in error["problems"]} >= {"$.plan", "$.balance", "$.services"}
