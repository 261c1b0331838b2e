"""Every command the documentation shows runs as written.

The commands are read from the text itself, so the test cannot drift from it: each fenced ``sh``
block of ``README.md`` and ``docs/*.md``, each fenced ``python`` block of the README, and the
``Run:`` lines at the top of every bundled worked example's record. Each runs in a fresh folder
that holds a copy of ``data/`` and the project's ``.venv`` (so relative paths resolve as in a
clone), and must exit 0. ``make`` lines are the test command itself (``make test``) or its
installing siblings; they are checked to name a target of the Makefile instead.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def _fenced(lang: str) -> list[tuple[str, str]]:
    """``(where, block)`` for every fenced block of language ``lang`` in the documentation."""
    out = []
    for path in DOCS:
        for m in FENCE.finditer(path.read_text(encoding="utf-8")):
            if m.group(1) == lang:
                line = path.read_text(encoding="utf-8")[:m.start()].count("\n") + 1
                out.append((f"{path.name}:{line}", m.group(2)))
    return out


def _shell_commands() -> list[tuple[str, str]]:
    """Every command line of the documentation's shell blocks and of the examples' ``Run:``."""
    cmds = []
    for where, block in _fenced("sh"):
        for line in block.splitlines():
            line = line.split(" #")[0].strip()
            if line:
                cmds.append((where, line))
    for rec in sorted((ROOT / "data" / "examples").glob("*/paper.yaml")):
        head = rec.read_text(encoding="utf-8").split("\n\n")[0]
        for line in head.splitlines():
            m = re.match(r"#\s*(?:Run:)?\s*(replicate .*)$", line)
            if m:
                cmds.append((f"{rec.parent.name}/paper.yaml", m.group(1).strip()))
    return cmds


COMMANDS = _shell_commands()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A folder laid out as a clone: ``data/`` copied, ``.venv`` linked."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(ROOT / "data", root / "data")
    (root / ".venv").symlink_to(Path(sys.prefix))  # the environment running the tests
    return root


def _env(root: Path) -> dict:
    bin_dir = Path(sys.executable).parent
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                PYTHONHASHSEED="0", MPLBACKEND="Agg")


def test_the_documentation_shows_commands():
    assert any(c.startswith(".venv/bin/replicate") for _, c in COMMANDS)
    assert any(c.startswith("replicate run") for _, c in COMMANDS)
    assert _fenced("python")


@pytest.mark.parametrize("where, command", COMMANDS, ids=[c for _, c in COMMANDS])
def test_documented_command_runs_as_written(where, command, fresh):
    argv = shlex.split(command)
    if argv[0] == "make":
        targets = re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M)
        assert argv[1] in targets, f"{where}: make {argv[1]} is not a Makefile target"
        return
    proc = subprocess.run(argv, cwd=fresh, env=_env(fresh), capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{where}: {command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


@pytest.mark.parametrize("where, block", _fenced("python"), ids=[w for w, _ in _fenced("python")])
def test_documented_python_runs_as_written(where, block, fresh):
    proc = subprocess.run([sys.executable, "-c", block], cwd=fresh, env=_env(fresh),
                          capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{where}\n{proc.stderr[-3000:]}"
    assert (fresh / "results.json").stat().st_size > 0
