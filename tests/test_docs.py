"""The README and docs say what the code does: their snippets run and print what they show."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import simcancel
from simcancel._facts import FACTS
from simcancel.cli import EXIT_BAD_INPUT, main

ROOT = Path(__file__).parents[1]
DOCUMENTS = [
    "README.md",
    "docs/tutorial.md",
    "docs/rule-authoring.md",
    "docs/api.md",
    "docs/architecture.md",
    "docs/tool-use.md",
    "docs/how-to-support-bot.md",
]
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def blocks(name: str) -> list[tuple[str, str]]:
    """The fenced blocks of a Markdown file, as (language, text)."""
    return [
        (match.group(1), match.group(2))
        for match in _BLOCK.finditer((ROOT / name).read_text(encoding="utf-8"))
    ]


@contextlib.contextmanager
def in_root() -> Iterator[None]:
    before = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_python_snippets_run_and_print_what_follows_them(name: str) -> None:
    """Each python block runs (one namespace per file) and prints the text block after it."""
    found = blocks(name)
    namespace: dict[str, Any] = {"__name__": "__snippet__"}
    ran = 0
    with in_root():
        for index, (language, text) in enumerate(found):
            if language != "python":
                continue
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(text, f"{name}[block {index}]", "exec"), namespace)
            ran += 1
            following = found[index + 1] if index + 1 < len(found) else None
            if following is not None and following[0] == "text":
                assert out.getvalue() == following[1], f"{name}, block {index}"
    if name in (
        "README.md",
        "docs/tutorial.md",
        "docs/api.md",
        "docs/tool-use.md",
        "docs/how-to-support-bot.md",
    ):
        assert ran > 0


def commands(text: str) -> list[tuple[str, str]]:
    """The ``$ command`` lines of a console block, each with the output shown after it."""
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif found:
            found[-1][1].append(line)
    return [(command, "".join(f"{line}\n" for line in output)) for command, output in found]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_console_commands_run_and_print_what_they_show(name: str) -> None:
    """Each `$ simcancel ...` runs without bad input and prints the output shown, if any.

    Output containing "..." is abridged and only the command is checked; `$ cat FILE`
    must show the file as it is.
    """
    with in_root():
        for language, text in blocks(name):
            if language != "console":
                continue
            for command, shown in commands(text):
                argv = shlex.split(command, comments=True)
                if argv[0] == "cat":
                    assert shown == Path(argv[1]).read_text(encoding="utf-8"), command
                    continue
                assert argv[0] == "simcancel", command
                out = io.StringIO()
                with contextlib.redirect_stderr(io.StringIO()) as err:
                    code = main(argv[1:], out=out)
                assert code != EXIT_BAD_INPUT, f"{name}: {command}: {err.getvalue()}"
                if shown and "..." not in shown:
                    assert out.getvalue() == shown, f"{name}: {command}"


def test_api_reference_covers_all_of_the_public_api() -> None:
    """docs/api.md documents every name in simcancel.__all__."""
    text = (ROOT / "docs/api.md").read_text(encoding="utf-8")
    missing = [name for name in simcancel.__all__ if f"`{name}" not in text]
    assert missing == []


def test_rule_authoring_facts_table_is_the_catalogue() -> None:
    """The facts table of docs/rule-authoring.md lists FACTS in order, with kind and values."""
    text = (ROOT / "docs/rule-authoring.md").read_text(encoding="utf-8")
    text = text[text.index("### Facts") :]
    text = text[: text.index("\n## ")]
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| ([^|]*) \|", text, flags=re.MULTILINE)
    assert [row[0] for row in rows] == list(FACTS)
    for name, kind, values in rows:
        spec = FACTS[name]
        assert kind == spec.kind.value, name
        if spec.values:
            assert values.strip() == ", ".join(spec.values), name


_FILE_BLOCK = re.compile(r"^```(\w*)(?: (\S+))?\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def _shown_lines_appear(shown: str, output: str, where: str) -> None:
    """Every shown line but ``...`` is a line of ``output``, in order; without ``...``, all of it."""
    if "..." not in shown:
        assert output == shown, where
        return
    lines = output.splitlines()
    position = 0
    for line in shown.splitlines():
        if "..." in line:
            prefix = line[: line.index("...")]
            found = next((i for i in range(position, len(lines)) if lines[i].startswith(prefix)), None)
        else:
            found = next((i for i in range(position, len(lines)) if lines[i] == line), None)
        assert found is not None, f"{where}: {line!r} not in the output (in order):\n{output}"
        position = found + 1


def test_tutorial_provider_runs_in_an_empty_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/tutorial-provider.md runs as written in an empty directory: files, commands, Python, tests."""
    text = (ROOT / "docs/tutorial-provider.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__snippet__"}
    found = [(match.group(1), match.group(2), match.group(3)) for match in _FILE_BLOCK.finditer(text)]
    ran = {"files": 0, "commands": 0, "python": 0, "tests": 0}
    for index, (language, name, body) in enumerate(found):
        where = f"tutorial-provider.md, block {index}"
        if name is not None:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(body, encoding="utf-8")
            ran["files"] += 1
        if language == "console":
            for command, shown in commands(body):
                argv = shlex.split(command, comments=True)
                ran["commands"] += 1
                if argv[0] == "rm":
                    (tmp_path / argv[1]).unlink()
                    continue
                assert argv[0] == "simcancel", command
                out = io.StringIO()
                with contextlib.redirect_stderr(io.StringIO()) as err:
                    code = main(argv[1:], out=out)
                assert code != EXIT_BAD_INPUT, f"{where}: {command}: {err.getvalue()}"
                if shown.rstrip().startswith("verdict:") or "\nverdict:" in shown:
                    assert code == (0 if shown.rstrip().endswith("verdict: consistent") else 1), where
                _shown_lines_appear(shown, out.getvalue(), f"{where}: {command}")
        elif language == "python":
            out = io.StringIO()
            scope = namespace if name is None else {"__name__": name}
            with contextlib.redirect_stdout(out):
                exec(compile(body, f"{where} ({name or 'snippet'})", "exec"), scope)
                for test_name, test in list(scope.items()):
                    if test_name.startswith("test_") and callable(test):
                        test()
                        ran["tests"] += 1
            ran["python"] += 1
            following = found[index + 1] if index + 1 < len(found) else None
            if following is not None and following[0] == "text":
                assert out.getvalue() == following[2], where
    assert ran == {"files": 6, "commands": 6, "python": 3, "tests": 2}


def test_the_support_bot_is_forty_lines() -> None:
    """The how-to's bot, imports and all, is at most 40 lines, as its title says."""
    code = next(text for language, text in blocks("docs/how-to-support-bot.md") if language == "python")
    assert len(code.splitlines()) <= 40


def test_the_support_bot_asks_again_for_a_future_day_and_choice_0() -> None:
    """The how-to's bot asks again for an issue date after its day (it raised, then stayed
    stuck with the date) and for choice 0 (it picked the last choice)."""
    code = next(text for language, text in blocks("docs/how-to-support-bot.md") if language == "python")
    namespace: dict[str, object] = {}
    exec(code, namespace)
    bot = namespace["SupportBot"]()  # type: ignore[operator]
    bot.reply()
    assert bot.reply("0").startswith("Sorry")
    assert bot.reply("8").startswith("On what day")
    assert bot.reply("2027-01-01").startswith("Sorry (expected a day on or before")
    assert not bot.reply("2026-02-10").startswith("Sorry")
