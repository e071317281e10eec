"""`simcancel verify`: exit codes, text and JSON output."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import yaml

from simcancel.cli import main
from tests.packs import BROKEN_PACKS, broken_pack

ROOT = Path(__file__).parents[1]


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["verify", *args], out=out), out.getvalue()


def _cli_err(*args: str) -> tuple[int, str, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, text = _cli(*args)
    return code, text, err.getvalue()


def test_cli_verify_exit_codes(tmp_path: Path) -> None:
    """0 for a clean pack, 1 for a failed check, 2 for a directory that does not exist or a bad date."""
    good = str(broken_pack("good", tmp_path))
    code, text = _cli(good, "--as-of", "2026-11-24", "--samples", "20")
    assert code == 0, text
    assert "exhaustive" in text
    assert "verdict: consistent" in text
    code, text = _cli(str(broken_pack("route_gap", tmp_path)), "--samples", "20")
    assert code == 1
    assert "FAIL totality" in text
    assert '"provider": "corner"' in text
    assert _cli(str(BROKEN_PACKS / "no_such_pack"))[0] == 2
    assert _cli(good, "--as-of", "tomorrow")[0] == 2


def test_cli_verify_bad_budget_is_bad_input(tmp_path: Path) -> None:
    """--max-classes 0 or --samples 0 is exit 2, not a run that walks nothing."""
    good = str(broken_pack("good", tmp_path))
    assert _cli(good, "--max-classes", "0")[0] == 2
    assert _cli(good, "--samples", "0")[0] == 2


def test_cli_verify_json_names_every_check(tmp_path: Path) -> None:
    """--json prints the report as data: verdict, class count and every check by name."""
    code, text = _cli(str(broken_pack("non_monotone", tmp_path)), "--json", "--samples", "20")
    data = json.loads(text)
    assert code == 1
    assert data["ok"] is False
    assert data["classes"] > 0
    failed = [check["name"] for check in data["checks"] if not check["ok"]]
    assert failed == ["monotonicity"]


def test_cli_help_states_the_real_defaults() -> None:
    """The defaults the help text states are simcancel.analysis's (cli does not import it to say so)."""
    from simcancel.analysis import DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["verify", "--help"]) == 0
    text = " ".join(out.getvalue().split())
    assert f"(default: {DEFAULT_MAX_CLASSES:,})" in text
    assert f"(default: {DEFAULT_SAMPLES})" in text


def test_sampled_checks_are_named_with_why_and_exit_0_without_the_flag(tmp_path: Path) -> None:
    """A small --max-classes: the text says NOT exhaustive, which checks sampled and why; exit 0."""
    good = str(broken_pack("good", tmp_path))
    code, text = _cli(good, "--as-of", "2026-11-24", "--samples", "10", "--max-classes", "2")
    assert code == 0, text
    assert "NOT exhaustive" in text
    assert "  totality sampled 1 walk(s) with Hypothesis instead: the route rules' facts: " in text
    assert "combinations > max_classes 2" in text


def test_a_gap_at_one_constant_is_found_when_sampling_and_still_not_exhaustive(tmp_path: Path) -> None:
    """Past --max-classes the gap at exactly PKR 123.45 is found (class representatives are tried
    first), and --require-exhaustive still reports that the proof sampled."""
    pack = str(broken_pack("sampled_gap", tmp_path))
    args = ("--as-of", "2026-11-24", "--samples", "10", "--max-classes", "2", "--require-exhaustive")
    code, text, err = _cli_err(pack, *args)
    assert code == 1
    assert "FAIL totality" in text
    assert '"balance": "123.45"' in text
    assert "NOT exhaustive" in text
    assert err.startswith("simcancel: --require-exhaustive: the proof is not exhaustive: totality, ")


def test_require_exhaustive_fails_a_sampled_proof_and_says_so(tmp_path: Path) -> None:
    """--require-exhaustive: exit 1 when a check sampled, with one stderr line naming the checks."""
    good = str(broken_pack("good", tmp_path))
    code, _, err = _cli_err(
        good, "--as-of", "2026-11-24", "--samples", "10", "--max-classes", "2", "--require-exhaustive"
    )
    assert code == 1
    assert err.startswith("simcancel: --require-exhaustive: the proof is not exhaustive: totality, ")
    assert "(more combinations than --max-classes 2)" in err
    code, _, err = _cli_err(good, "--as-of", "2026-11-24", "--samples", "10", "--require-exhaustive")
    assert (code, err) == (0, "")


def test_require_exhaustive_fails_a_pack_that_did_not_load(tmp_path: Path) -> None:
    """--require-exhaustive on a refused pack says that no state was checked."""
    code, _, err = _cli_err(str(broken_pack("too_many_groups", tmp_path)), "--require-exhaustive")
    assert code == 1
    assert "the rules did not load, so no state was checked" in err


def test_the_pre_commit_hook_requires_an_exhaustive_proof() -> None:
    """The shipped pre-commit hook runs `simcancel verify --require-exhaustive --require-pack`."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    verify_hook = next(hook for hook in hooks if hook["id"] == "simcancel-verify")
    assert verify_hook["entry"].split() == ["simcancel", "verify", "--require-exhaustive", "--require-pack"]
