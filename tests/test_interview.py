"""simcancel interview through a real pseudo-terminal: questions in zh-CN and en, answers
re-asked when wrong, Ctrl-D and Ctrl-C leave with the answers saved, --answers resumes."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from simcancel import (
    Certainty,
    PartialState,
    UsageError,
    UserState,
    assess,
    assess_partial,
    default_rules,
    next_questions,
    render_text,
)
from simcancel._interview import Interview
from simcancel._render import render_partial_text
from simcancel.cli import EXIT_BAD_INPUT, EXIT_FOUND, EXIT_INTERRUPTED, main
from tests.packs import clean_state

AS_OF = "2026-11-24"
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
        # The question is the line with a question mark (not the "?  don't know" choice).
        question = next(
            (line for line in lines if not line.startswith("?") and any(m in line for m in "?？؟")), ""
        )
        asked.append(question)
        prompt = lines[-1] if lines else ""
        kind = next((key for key in answer if key in prompt), "pick")
        child.sendline(answer.get(kind, "1"))


def _run_to_the_answer(
    tmp_path: Path, locale: str, intro: str, kinds: dict[str, str]
) -> tuple[list[str], str]:
    """Run the interview in ``locale`` through a PTY, answering every prompt by ``kinds``
    (a key found in the prompt, then "pick"); return the questions and the output after
    the last one.  Checks what holds in every locale: no question twice, an exit code of
    0 or 1, the answers saved with the provider and the issue date given."""
    answers = tmp_path / "answers.json"
    child = _spawn("--locale", locale, "--answers", str(answers))
    child.expect(intro)
    asked = _answer_everything(child, {**kinds, "YYYY-MM-DD": "2024-01-10", "pick": "1"})
    child.close()
    assert asked
    assert len(asked) == len(set(asked)), "no question is asked twice"
    assert child.exitstatus in (0, 1)
    saved = PartialState.from_json(answers.read_bytes())
    assert saved.known["provider"] == "jazz"
    assert saved.known["activated_on"] == "2024-01-10"
    return asked, child.before or ""


def test_interview_in_english_runs_to_the_answer(tmp_path: Path) -> None:
    """en: every question in English, answered to the end; the answer is printed and the
    exit code says whether anything blocks."""
    asked, output = _run_to_the_answer(
        tmp_path, "en", "Answer a few questions", {"PKR": "0", "whole number": "0"}
    )
    assert asked[0] == "Which provider is the SIM with?"
    assert "No more questions; here is the answer." in output
    assert "Recommended route" in output


def test_interview_in_urdu_runs_to_the_answer_through_a_terminal(tmp_path: Path) -> None:
    """ur: the intro, each question (with its ؟) and the answer in Urdu through a real PTY."""
    asked, output = _run_to_the_answer(
        tmp_path, "ur", "چند سوالوں کے جواب دیں", {"روپوں": "0", "پورا عدد": "0"}
    )
    assert all("؟" in question for question in asked), asked
    assert "سوال ختم؛ جواب یہ ہے۔" in output


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
    result = _run("--json", stdin="1\n?\n")
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
    result = _run("--answers", str(answers), stdin="")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("simcancel: ")


def _run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """``simcancel interview`` in English as of AS_OF, ``stdin`` typed in, output captured."""
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
    result = _run("--answers", str(answers), stdin="2\n?\n")
    assert "How many of them renew by themselves?" in result.stdout
    saved = PartialState.from_json(answers.read_bytes())
    assert "services" in saved.declined


# --- in process: the same loop, driven by a reader that answers each prompt -----------------


def _answering(out: io.StringIO, answers: dict[str, str]) -> Callable[[], str]:
    """A reader answering the last prompt written to ``out`` by its kind."""

    def read() -> str:
        prompt = out.getvalue().rstrip().splitlines()[-1]
        kind = next((key for key in answers if key in prompt), "pick")
        return answers.get(kind, "1") + "\n"

    return read


@pytest.mark.parametrize("locale", ["en", "zh-CN", "ur"])
def test_the_interview_loop_runs_to_the_complete_assessment(locale: str, tmp_path: Path) -> None:
    """In process, in each locale: every question answered, the complete assessment reported
    as text and as JSON, and the answers file a complete partial state."""
    out = io.StringIO()
    answers = tmp_path / "answers.json"
    interview = Interview(
        rules=default_rules(),
        locale=locale,
        as_of=dt.date.fromisoformat(AS_OF),
        read=_answering(out, {"PKR": "0", "卢比": "0", "روپ": "0", "YYYY": "2024-01-10"}),
        out=out,
        answers=answers,
    )
    assert interview.run() is True
    partial = interview.partial
    assert next_questions(partial, locale=locale, as_of=interview.as_of) == ()
    answer = assess_partial(partial, locale=locale, as_of=interview.as_of)
    assert answer.determined
    assert answer.route is not None
    text, nothing_blocks = interview.report(finished=True, as_json=False)
    assert text == render_text(answer)
    data = json.loads(interview.report(finished=True, as_json=True)[0])
    assert data["complete"] is partial.is_complete
    assert data["assessment"] == answer.to_dict()
    assert PartialState.from_json(answers.read_bytes()) == partial
    assert nothing_blocks is (answer.nothing_blocks is Certainty.CERTAIN)
    complete = Interview(
        rules=default_rules(),
        locale=locale,
        as_of=interview.as_of,
        read=io.StringIO().readline,
        out=io.StringIO(),
        partial=PartialState.from_state(UserState.from_dict(clean_state())),
    )
    shown, _ = complete.report(finished=True, as_json=False)
    assert shown == render_text(assess(complete.partial.to_state(), locale=locale, as_of=interview.as_of))
    assert json.loads(complete.report(finished=True, as_json=True)[0])["assessment"]["schema"] == (
        "simcancel.assessment/1"
    )


def test_main_interview_reads_stdin_and_reports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`simcancel interview` in process: answers from stdin, the partial answer when input ends."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n?\n"))
    out = io.StringIO()
    code = main(
        ["interview", "--as-of", AS_OF, "--locale", "en", "--answers", str(tmp_path / "a.json")], out=out
    )
    assert code == EXIT_FOUND
    assert "Stopped; here is the answer so far." in out.getvalue()
    assert "Answers saved to: " in out.getvalue()
    assert "Possible ways to cancel" in out.getvalue() or "Recommended route" in out.getvalue()


def test_main_interview_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    """A KeyboardInterrupt while reading: the answer so far, exit 130."""

    class Interrupting:
        """A stdin whose every read is interrupted."""

        def readline(self) -> str:
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", Interrupting())
    out = io.StringIO()
    assert main(["interview", "--as-of", AS_OF, "--locale", "en", "--json"], out=out) == EXIT_INTERRUPTED
    assert json.loads(out.getvalue())["finished"] is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"provider": "nope"}', "answers file"),
        ('{"activated_on": "2030-01-01"}', "answers file"),
    ],
)
def test_main_interview_refuses_answers_the_rules_refuse(tmp_path: Path, content: str, message: str) -> None:
    """An answers file with a provider the rules lack or a future issue date: exit 2 at once."""
    answers = tmp_path / "answers.json"
    answers.write_text(content, encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["interview", "--as-of", AS_OF, "--answers", str(answers)], out=io.StringIO())
    assert code == EXIT_BAD_INPUT
    assert message in err.getvalue()


def test_partial_report_shows_certain_possible_and_dependencies() -> None:
    """render_text of a partial assessment: verdict, possible issues with what they depend on,
    the possible routes; in Chinese with full-width punctuation."""
    partial = PartialState.from_dict({"provider": "zong", "arrears": "420"})
    text = render_text(assess_partial(partial, as_of=dt.date.fromisoformat(AS_OF)))
    assert text.startswith("暂时不能销户")
    assert "（可能，取决于：balance）" in text
    assert "可能的销户方式：" in text
    assert "（取决于：activated_on）" in text
    english = render_text(assess_partial(PartialState(), locale="en", as_of=dt.date.fromisoformat(AS_OF)))
    assert english.startswith("Not yet known whether anything blocks")
    assert "Provider: (not known)" in english
    with pytest.raises(UsageError):
        render_partial_text(object())  # type: ignore[arg-type]


def test_an_answers_file_behind_a_symbolic_link_is_updated_through_it(tmp_path: Path) -> None:
    """--answers naming a symbolic link keeps the link and saves into the file it points to."""
    target = tmp_path / "real" / "answers.json"
    target.parent.mkdir()
    target.write_text('{"provider": "jazz"}\n', encoding="utf-8")
    link = tmp_path / "answers.json"
    link.symlink_to(target)
    out = io.StringIO()
    interview = Interview(
        rules=default_rules(),
        locale="en",
        as_of=dt.date.fromisoformat(AS_OF),
        read=_answering(out, {"PKR": "0", "YYYY": "2024-01-10"}),
        out=out,
        answers=link,
    )
    assert interview.run() is True
    assert link.is_symlink()
    assert link.resolve() == target.resolve()
    saved = PartialState.from_json(target.read_bytes())
    assert saved == interview.partial
    assert saved.known["activated_on"] == "2024-01-10"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "zh-CN",
            [
                "（请输入日期（YYYY-MM-DD），例如 2025-03-01）",
                "（这一天晚于评估当天；开卡日期只能是评估当天或更早。）",
            ],
        ),
        (
            "en",
            [
                "(expected a date as 'YYYY-MM-DD', got '2024/01/10' (did you mean '2024-01-10'?))",
                "(expected a day on or before the assessment day",
            ],
        ),
    ],
)
def test_a_refused_answer_is_explained_in_the_locale(locale: str, expected: list[str]) -> None:
    """A bad date and a day after the assessment are refused in the locale's words (the
    state's English messages only in English), in the locale's brackets."""
    out = io.StringIO()
    typed = iter(["1", "2024/01/10", "2027-01-01", "2024-01-10"])

    def read() -> str:
        answer = next(typed, None)
        return "" if answer is None else answer + "\n"  # then the end of input

    interview = Interview(
        rules=default_rules(),
        locale=locale,
        as_of=dt.date.fromisoformat(AS_OF),
        read=read,
        out=out,
    )
    interview.run()
    refusals = [line for line in out.getvalue().splitlines() if interview.label("interview.invalid") in line]
    assert len(refusals) == len(expected)
    for line, part in zip(refusals, expected, strict=True):
        assert part in line, line
    if locale == "zh-CN":
        assert all("expected" not in line for line in refusals)
