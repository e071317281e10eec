"""Packaging: the wheel built by `make dist` installs outside the checkout, as docs/install.md says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import simcancel

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "docs" / "install.md"


def _install_block() -> str:
    text = INSTALL.read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```\n", text, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "docs/install.md has exactly one runnable sh block"
    return str(blocks[0])


@pytest.mark.skipif(not (ROOT / "Makefile").exists(), reason="needs the source checkout")
def test_the_documented_install_works_outside_the_checkout(tmp_path: Path) -> None:
    """The lines of docs/install.md build a wheel, install it in a fresh venv, and it answers from there."""
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _install_block()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    installed = tmp_path / "bot" / ".venv"
    rules = done.stdout.strip().splitlines()[-1]  # make echoes its commands first
    assert rules.startswith(str(installed)), done.stdout
    assert Path(rules, "ruleset.yaml").is_file()

    def installed_python(source: str) -> str:
        return subprocess.run(
            [str(installed / "bin" / "python"), "-c", source],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout

    assert installed_python("import simcancel; print(simcancel.__version__)").strip() == simcancel.__version__
    hook = (
        "import importlib.metadata as m; "
        "print(*[e.load().__module__ for e in m.entry_points(group='hypothesis') if e.name == 'simcancel'])"
    )
    assert installed_python(hook).split() == ["_simcancel_hypothesis"], "the entry point loads from the wheel"


def test_the_package_description_has_no_link_an_index_cannot_follow(tmp_path: Path) -> None:
    """The wheel's long description is the README with relative links turned into sdist paths."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("simcancel-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (item for item in archive.namelist() if item.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode("utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/" in readme
    assert "](docs/" not in metadata
    assert "Tutorial (`docs/tutorial.md` in the source distribution)" in metadata
    assert "Description-Content-Type: text/markdown" in metadata


def test_the_license_file_is_the_one_pyproject_names() -> None:
    """LICENSE exists and is the MIT text pyproject.toml declares."""
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
