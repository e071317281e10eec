"""The pre-commit setup docs/tutorial-provider.md teaches works, with a real pre-commit.

The user's repository is a temporary git repository holding the tutorial's pack and its
``.pre-commit-config.yaml``, whose ``repo:`` is this checkout and ``rev:`` its HEAD
commit (the hook is read from what HEAD holds).  pre-commit builds the hook's own
environment once (``language: python``: simcancel from this checkout plus Hypothesis,
durable-rules from pip's wheel cache), in a temporary ``PRE_COMMIT_HOME``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial-provider.md"
_FILE_BLOCK = re.compile(r"^```\w* (\S+)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def _head() -> str:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: pre-commit needs a repository to clone the hook from")
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        check=True,
    )


def _pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # The hook must run the simcancel installed in its own environment, not this checkout's.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def test_the_documented_pre_commit_hook_checks_the_users_pack(tmp_path: Path) -> None:
    """The tutorial's pre-commit config, pointed at this checkout: passes on the tutorial's pack,
    fails on the broken route of step 3, and without args fails saying to name the pack."""
    blocks = dict(_FILE_BLOCK.findall(TUTORIAL.read_text(encoding="utf-8")))
    config = blocks[".pre-commit-config.yaml"]
    config, repos = re.subn(r"(?m)^(\s*- repo: )\S+", rf"\g<1>{ROOT.as_posix()}", config)
    config, revs = re.subn(r"(?m)^(\s*rev: )\S+", rf"\g<1>{_head()}", config)
    assert (repos, revs) == (1, 1)
    repo = tmp_path / "repo"
    (repo / "my_pack" / "providers").mkdir(parents=True)
    (repo / "my_pack" / "providers" / "easysim.yaml").write_text(
        blocks["my_pack/providers/easysim.yaml"], encoding="utf-8"
    )
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    clean = _pre_commit(repo, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "simcancel verify (rule pack consistency)" in clean.stdout
    assert "Passed" in clean.stdout

    (repo / "my_pack" / "easysim-routes.yaml").write_text(
        blocks["my_pack/easysim-routes.yaml"], encoding="utf-8"
    )
    _git(repo, "add", "-A")
    broken = _pre_commit(repo, home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "FAIL route_soundness" in broken.stdout
    assert "Failed" in broken.stdout

    (repo / ".pre-commit-config.yaml").write_text(re.sub(r"(?m)^\s*args: .*\n", "", config), encoding="utf-8")
    _git(repo, "add", "-A")
    unnamed = _pre_commit(repo, home)
    assert unnamed.returncode == 1, unnamed.stdout + unnamed.stderr
    assert "--require-pack: name the rules to check" in unnamed.stdout
    assert "args: [--pack, my_pack]" in unnamed.stdout
