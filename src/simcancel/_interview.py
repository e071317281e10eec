"""``simcancel interview``: ask the next question until the answer is determined.

Each turn asks the top question of :func:`simcancel.next_questions` in the person's
language (its words are the rule pack's labels), reads one line, and either takes the
answer or says why not and asks again.  ``?`` is "I do not know", which is always fine.
The answers are saved after every turn when a file is given, so Ctrl-D, Ctrl-C or a
closed terminal leave them in place to resume from.  The end is the assessment: the
complete one when every field is known, else the partial one.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from simcancel._errors import InvalidStateError, UsageError
from simcancel._fields import FIELD_BY_PATH, AnswerKind
from simcancel._partial import assess_partial, check_activation
from simcancel._partial_model import Certainty, Question
from simcancel._partial_state import UNKNOWN, PartialState
from simcancel._questions import next_questions
from simcancel._render import render_partial_text, render_text
from simcancel._ruleset import RuleSet

__all__ = ["DONT_KNOW", "Interview", "read_answers"]

DONT_KNOW = "?"
"""What a person types for "I do not know"."""

_MAX_ANSWERS_BYTES = 100_000
"""An answers file is a partial state: a few hundred bytes."""


class _Stop(Exception):  # noqa: N818 - a signal to leave the loop, not an error
    """The person left (end of input)."""


def read_answers(path: Path) -> PartialState:
    """The partial state saved in ``path`` (an empty one when the file does not exist yet)."""
    if not path.exists():
        return PartialState()
    with path.open("rb") as source:
        data = source.read(_MAX_ANSWERS_BYTES + 1)
    if len(data) > _MAX_ANSWERS_BYTES:
        raise UsageError(f"answers file {path}: expected at most {_MAX_ANSWERS_BYTES} bytes")
    return PartialState.from_json(data)


def _save(path: Path, partial: PartialState) -> None:
    """Write the answers atomically: an interrupted save leaves the previous file whole.

    A symbolic link stays one: the file it points to is replaced.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    directory = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise UsageError(f"cannot save {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(partial.to_json() + "\n")
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Interview:
    """One interview on a terminal: questions to ``out``, answers from ``read``."""

    def __init__(  # noqa: PLR0913 - keyword-only settings of one run
        self,
        *,
        rules: RuleSet,
        locale: str,
        as_of: dt.date,
        read: Callable[[], str],
        out: TextIO,
        answers: Path | None = None,
        partial: PartialState | None = None,
    ) -> None:
        self.rules = rules
        self.locale = locale
        self.as_of = as_of
        self.read = read
        self.out = out
        self.answers = answers
        self.partial = partial if partial is not None else PartialState()
        self.labels = rules.labels.get(locale, {})

    def label(self, key: str) -> str:
        """A label of the locale (its key when the pack lacks it)."""
        return self.labels.get(key, key)

    def say(self, text: str) -> None:
        """Write a line and flush it: the person reads it before typing."""
        self.out.write(text + "\n")
        self.out.flush()

    def line(self, prompt: str) -> str:
        """One line typed after ``prompt``; :class:`_Stop` at the end of input."""
        self.out.write(prompt)
        self.out.flush()
        text = self.read()
        if not text:
            raise _Stop
        return text.strip()

    def run(self) -> bool:
        """Ask until nothing left can change the answer; ``True`` when it ran to the end,
        ``False`` when the person left (end of input).  KeyboardInterrupt propagates, the
        answers so far saved."""
        self.say(self.label("interview.intro"))
        try:
            while True:
                questions = next_questions(
                    self.partial, rules=self.rules, locale=self.locale, as_of=self.as_of
                )
                if not questions:
                    return True
                self.partial = self.ask(questions[0])
                if self.answers is not None:
                    _save(self.answers, self.partial)
        except _Stop:
            return False

    def ask(self, question: Question) -> PartialState:
        """Ask ``question`` until it gets an answer the partial state accepts."""
        field = FIELD_BY_PATH[question.field]
        self.say("")
        self.say(question.text)
        for number, choice in enumerate(question.choices, start=1):
            self.say(f"  {number}. {choice.label}")
        self.say(f"  {DONT_KNOW}  {self.label('answer.unknown')}")
        prompt = _PROMPTS.get(field.answer, "interview.pick")
        while True:
            try:
                answered = self._answer(question, field.answer, prompt)
            except _InvalidAnswerError as error:
                self.say(f"{self.label('interview.invalid')}{self._listed(error.args)}")
                continue
            except InvalidStateError as error:
                self.refused(error, prompt)
                continue
            try:
                check_activation(answered, self.as_of)  # refused here, not by the next question
            except InvalidStateError as error:
                self.refused(error, "interview.after_day")
                continue
            return answered

    def refused(self, error: InvalidStateError, hint: str) -> None:
        """Say why an answer was refused: the state's own words in English, else the
        locale's label ``hint`` (the messages of :class:`InvalidStateError` are English)."""
        if self.locale.split("-")[0] == "en":
            shown = "; ".join(problem.message for problem in error.problems)
        else:
            shown = self.label(hint)
        self.say(f"{self.label('interview.invalid')}{self._listed((shown,))}")

    def _listed(self, parts: tuple[object, ...]) -> str:
        """``parts`` in brackets after a sentence, in the locale's punctuation."""
        if not parts:
            return ""
        if self.locale.split("-")[0] == "zh":
            return "（" + "，".join(str(part) for part in parts) + "）"
        return " (" + ", ".join(str(part) for part in parts) + ")"

    def _answer(self, question: Question, kind: AnswerKind, prompt: str) -> PartialState:
        text = self.line(f"{self.label(prompt)} > ")
        if text == DONT_KNOW:
            return self.partial.answer(question.field, UNKNOWN)
        if question.choices:
            if not _is_number(text) or not 1 <= int(text) <= len(question.choices):
                raise _InvalidAnswerError(f"1-{len(question.choices)}", DONT_KNOW)
            return self.partial.answer(question.field, question.choices[int(text) - 1].value)
        if kind is AnswerKind.COUNT:
            return self.partial.answer(question.field, _whole(text))
        if kind is AnswerKind.SERVICES:
            return self.partial.answer(question.field, self._services(_whole(text)))
        return self.partial.answer(question.field, text)  # money, a date: the state checks them

    def _services(self, active: int) -> dict[str, int] | str:
        """The services as counts; :data:`UNKNOWN` when the person does not know how many
        renew (the list is one field: not knowing part of it leaves it unknown)."""
        recurring = 0
        if active:
            self.say(self.label("question.services.recurring"))
            while True:
                text = self.line(f"{self.label('interview.count')} > ")
                if text == DONT_KNOW:
                    return UNKNOWN
                if _is_number(text) and int(text) <= active:
                    recurring = int(text)
                    break
                self.say(f"{self.label('interview.invalid')}{self._listed((f'0-{active}', DONT_KNOW))}")
        return {"active": active, "recurring": recurring}

    def report(self, *, finished: bool, as_json: bool) -> tuple[str, bool]:
        """The assessment of the answers so far and whether nothing blocks.

        As text: the report of ``simcancel assess`` when every field is known, else the
        partial one.  As JSON, always one shape: ``{"finished", "complete", "answers",
        "assessment"}``, the assessment being ``simcancel.assessment/1`` when ``complete``,
        else a partial assessment's ``to_dict()``.
        """
        data: dict[str, object]
        if self.partial.is_complete:
            from simcancel._assess import assess  # noqa: PLC0415 - the engine, when needed

            result = assess(self.partial.to_state(), rules=self.rules, locale=self.locale, as_of=self.as_of)
            shown, data, nothing_blocks = render_text(result), result.to_dict(), result.can_cancel_now
        else:
            partial = assess_partial(self.partial, rules=self.rules, locale=self.locale, as_of=self.as_of)
            shown, data = render_partial_text(partial), partial.to_dict()
            nothing_blocks = partial.nothing_blocks is Certainty.CERTAIN
        if as_json:
            import json  # noqa: PLC0415

            report = {
                "finished": finished,
                "complete": self.partial.is_complete,
                "answers": self.partial.to_dict(),
                "assessment": data,
            }
            shown = json.dumps(report, ensure_ascii=False, indent=2)
        return shown, nothing_blocks


class _InvalidAnswerError(Exception):
    """An answer that is not one of the choices, or not a number; its arguments are the
    answers expected."""


_PROMPTS = {
    AnswerKind.MONEY: "interview.amount",
    AnswerKind.COUNT: "interview.count",
    AnswerKind.SERVICES: "interview.count",
    AnswerKind.DATE: "interview.date",
}
"""The label asking for each kind of answer (a choice: ``interview.pick``)."""


_DIGITS = 12
"""Longest whole number read (more than any count the state accepts)."""


def _is_number(text: str) -> bool:
    """ASCII digits only (``"²"`` is a digit to ``str.isdigit``, not to ``int``)."""
    return text.isascii() and text.isdigit() and len(text) <= _DIGITS


def _whole(text: str) -> int:
    if not _is_number(text):
        raise _InvalidAnswerError("0", "1", "2", "...")
    return int(text)
