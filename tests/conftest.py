"""Shared test helpers."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m replication ARGS`` and capture its output."""
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "replication", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def cli():
    return run_cli


# ------------------------------------------------------------------------------------------------
# The bundled papers' notebooks, executed once per test run
# ------------------------------------------------------------------------------------------------
#: Arguments of the one shared ``replicate run`` of the bundled papers (and the worked example
#: reported beside them): every test that reads executed reports reads these.
BUNDLED_EXAMPLE = "political_democracy"
BUNDLED_RUN = {"n_bootstrap": 30, "seed": 11, "jobs": 2}


def _shared_root(tmp_path_factory) -> Path:
    """A folder shared by every worker of this test run: the parent of the workers' base
    folders under pytest-xdist (the base folder itself without it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _exclusive(lock_path: Path):
    """Hold an exclusive lock on ``lock_path`` (the other workers wait)."""
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def bundled_ids() -> list[str]:
    from replication.record.schema import paper_ids

    return list(paper_ids()) + [BUNDLED_EXAMPLE]


@pytest.fixture(scope="session")
def bundled_reports(tmp_path_factory) -> Path:
    """``replicate run`` of the five bundled papers and the worked example (reconstructed data,
    ``BUNDLED_RUN``), executed once per test run: the first worker that asks runs the notebooks
    under a file lock, the others read the same folder. Read only: a test that changes reports
    makes its own run."""
    from replication.report import runner

    root = _shared_root(tmp_path_factory)
    out = root / "bundled_reports"
    done, failed = root / "bundled_reports.done", root / "bundled_reports.failed"
    with _exclusive(root / "bundled_reports.lock"):
        if not done.exists() and not failed.exists():
            summary = runner.run(bundled_ids(), out_dir=out, progress=False, **BUNDLED_RUN)
            (done if summary.exit_status == 0 else failed).write_text(summary.text())
    if failed.exists():
        pytest.fail("replicate run of the bundled papers failed:\n" + failed.read_text())
    return out
