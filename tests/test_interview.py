"""simcancel interview through a real pseudo-terminal: questions in zh-CN and en, answers
re-asked when wrong, Ctrl-D and Ctrl-C leave with the answers saved, --answers resumes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from simcancel import PartialState

AS_OF = "2026-11-24"
_COMMAND = (sys.executable, "-m", "simcancel", "interview", "--as-of", AS_OF)
PROMPT = " > "


def _spawn(*args: str) -> pexpect.spawn[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "simcancel", "interview", "--as-of", AS_OF, *args],
        encoding="utf-8",
        timeout=60,
        env=env,
        dimensions=(50, 200),
    )


def _answer_everything(child: pexpect.spawn[str], answer: dict[str, str]) -> list[str]:
    """Answer each prompt by its kind (a number to pick, an amount, a count, a date) until the
    interview ends; return the questions asked, in order."""
    asked: list[str] = []
    while True:
        found = child.expect([PROMPT, pexpect.EOF])
        if found == 1:
            return asked
        before = child.before or ""
        lines = [line.strip() for line in before.splitlines() if line.strip()]
        question = next((line for line in lines if line.endswith(("?", "？"))), "")
        asked.append(question)
        prompt = lines[-1] if lines else ""
        kind = next((key for key in answer if key in prompt), "pick")
        child.sendline(answer.get(kind, "1"))


def test_interview_in_english_runs_to_the_answer(tmp_path: Path) -> None:
    """en: every question in English, answered to the end; the answer is printed and the
    exit code says whether anything blocks."""
    answers = tmp_path / "answers.json"
    child = _spawn("--locale", "en", "--answers", str(answers))
    child.expect("Answer a few questions")
    asked = _answer_everything(
        child, {"PKR": "0", "whole number": "0", "YYYY-MM-DD": "2024-01-10", "pick": "1"}
    )
    child.close()
    output = child.before or ""
    assert asked[0] == "Which provider is the SIM with?"
    assert len(asked) == len(set(asked)), "no question is asked twice"
    assert "No more questions; here is the answer." in output
    assert "Recommended route" in output
    assert child.exitstatus in (0, 1)
    saved = PartialState.from_json(answers.read_bytes())
    assert saved.known["provider"] == "jazz"
    assert saved.known["activated_on"] == "2024-01-10"


def test_interview_in_chinese_stops_on_ctrl_d_and_resumes(tmp_path: Path) -> None:
    """zh-CN: questions in Chinese; Ctrl-D after two answers prints the answer so far and keeps
    the two answers; --answers then resumes without asking them again."""
    answers = tmp_path / "answers.json"
    child = _spawn("--answers", str(answers))
    child.expect("回答几个问题")
    child.expect("你的卡是哪家服务商的？")
    child.expect(PROMPT)
    child.sendline("8")  # Zong
    child.expect("这张卡是哪一天开卡的？")
    child.expect(PROMPT)
    child.sendline("?")  # the day is not known
    child.expect(PROMPT)
    child.sendeof()
    child.expect("已中断，到目前为止的结论如下。")
    child.expect("回答已保存到：")
    child.expect(pexpect.EOF)
    child.close()
    saved = PartialState.from_json(answers.read_bytes())
    assert dict(saved.known) == {"provider": "zong", "activated_on": None}

    again = _spawn("--answers", str(answers))
    again.expect(PROMPT)
    first = again.before or ""
    assert "你的卡是哪家服务商的？" not in first
    assert "开卡" not in first
    again.sendeof()
    again.expect(pexpect.EOF)


def test_ctrl_c_leaves_cleanly_with_the_answers(tmp_path: Path) -> None:
    """Ctrl-C at a prompt: no traceback, the answer so far, the answers saved, exit 130."""
    answers = tmp_path / "answers.json"
    child = _spawn("--locale", "en", "--answers", str(answers))
    child.expect(PROMPT)
    child.sendline("1")
    child.expect(PROMPT)
    child.sendintr()
    child.expect("Stopped; here is the answer so far.")
    child.expect(pexpect.EOF)
    child.close()
    assert "Traceback" not in (child.before or "")
    assert child.exitstatus == 130
    assert PartialState.from_json(answers.read_bytes()).known["provider"] == "jazz"


def test_bad_answers_are_asked_again() -> None:
    """A number out of range and an amount with three decimals are refused and asked again."""
    child = _spawn("--locale", "en")
    child.expect(PROMPT)
    child.sendline("9")
    child.expect("That answer was not understood")
    child.expect(PROMPT)
    child.sendline("abc")
    child.expect("That answer was not understood")
    child.expect(PROMPT)
    child.sendline("1")  # Jazz
    while True:  # on to the first amount
        child.expect(PROMPT)
        if "PKR" in (child.before or "").splitlines()[-1]:
            break
        child.sendline("?")
    child.sendline("1.234")
    child.expect("at most two decimals")
    child.expect(PROMPT)
    child.sendline("12.50")
    child.expect(PROMPT)
    child.sendeof()
    child.expect(pexpect.EOF)


def test_json_answer_on_stdout_questions_on_stderr(tmp_path: Path) -> None:
    """--json: the questions go to stderr, the final answer is one JSON document on stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "simcancel", "interview", "--as-of", AS_OF, "--locale", "en", "--json"],
        input="1\n?\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    data = json.loads(result.stdout)
    assert data["finished"] is False
    assert data["complete"] is False
    assert data["answers"] == {"provider": "jazz", "activated_on": "unknown"}
    assert data["assessment"]["provider"] == "jazz"
    assert "Which provider is the SIM with?" in result.stderr


@pytest.mark.parametrize("content", [b"[1]", b'{"balance": "1.234"}', b"{"])
def test_a_bad_answers_file_is_bad_input(tmp_path: Path, content: bytes) -> None:
    """An answers file that is not a valid partial state: exit 2 with the problem, no traceback."""
    answers = tmp_path / "answers.json"
    answers.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "simcancel", "interview", "--answers", str(answers)],
        input="",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("simcancel: ")


def _run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simcancel", "interview", "--as-of", AS_OF, "--locale", "en", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def test_an_issue_date_after_the_day_is_asked_again(tmp_path: Path) -> None:
    """A future issue date is refused and asked again (not an exit 2, never saved)."""
    answers = tmp_path / "answers.json"
    result = _run("--answers", str(answers), stdin="1\n2027-01-01\n2025-01-01\n")
    assert result.returncode in (0, 1), result.stderr
    assert "That answer was not understood" in result.stdout
    assert json.loads(answers.read_text(encoding="utf-8"))["activated_on"] == "2025-01-01"


def test_an_issue_date_exactly_a_year_ago_is_answered() -> None:
    """An issue date 365 days before the assessment day gives an answer, not a traceback."""
    result = _run(stdin="1\n2025-11-24\n")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr


def test_answers_in_a_missing_directory_are_refused_before_asking(tmp_path: Path) -> None:
    """--answers in a directory that does not exist: exit 2 naming the file and saying it
    cannot be saved, before any question (not "cannot read" a temporary file after one)."""
    answers = tmp_path / "missing" / "answers.json"
    result = _run("--answers", str(answers), stdin="1\n")
    assert result.returncode == 2
    assert "cannot save" in result.stderr
    assert str(answers) in result.stderr
    assert "Which provider" not in result.stdout


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"provider": "nope"}', "$.provider"),
        (b'{"activated_on": "2027-01-01"}', "$.activated_on"),
        (b'{"balance": "1.234"}', "$.balance"),
    ],
)
def test_an_answers_file_the_rules_refuse_is_named_before_any_question(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    """A saved provider the rules lack, or an issue date after the day: exit 2 naming the file
    and the field, before the intro and any question."""
    answers = tmp_path / "answers.json"
    answers.write_bytes(content)
    result = _run("--answers", str(answers), stdin="")
    assert result.returncode == 2
    assert str(answers) in result.stderr
    assert problem in result.stderr
    assert result.stdout == ""


def test_not_knowing_how_many_services_renew_leaves_services_unknown(tmp_path: Path) -> None:
    """'?' at the follow-up (how many renew) declines the services field as a whole."""
    answers = tmp_path / "answers.json"
    answers.write_text('{"provider": "jazz", "activated_on": "unknown"}', encoding="utf-8")
    result = subprocess.run(
        [*_COMMAND, "--locale", "en", "--answers", str(answers)],
        input="2\n?\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert "How many of them renew by themselves?" in result.stdout
    saved = PartialState.from_json(answers.read_bytes())
    assert "services" in saved.declined
