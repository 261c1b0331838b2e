"""Progress callbacks of the long steps: they report every unit of work and change no result."""

from __future__ import annotations

import pandas as pd

from replication.analyses import montecarlo as mc
from replication.cli.common import progress_bar
from replication.engine.bootstrap import bootstrap
from tests.conftest import ROOT


def test_bootstrap_reports_every_resample_and_gives_the_same_result():
    data = pd.read_csv(ROOT / "tests" / "fixtures" / "lavaan" / "holzinger_swineford.csv")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    seen = []
    with_cb = bootstrap(model, data, n_boot=20, seed=3, progress=seen.append)
    without = bootstrap(model, data, n_boot=20, seed=3)
    assert sum(seen) == 20
    pd.testing.assert_frame_equal(with_cb.summary(), without.summary())


def test_monte_carlo_batches_report_their_replications_in_task_order(monkeypatch):
    monkeypatch.setattr(mc, "run_batch", lambda design, n, reps, seed, alpha: [(n, r) for r in reps])
    tasks = [(100, range(0, 3)), (100, range(3, 5)), (200, range(0, 3)), (200, range(3, 5))]
    seen = []
    outs = mc._execute(None, tasks, 1, 0.05, 1, None, seen.append)
    assert seen == [3, 2, 3, 2]
    assert outs == [[(n, r) for r in reps] for n, reps in tasks]


def test_progress_bar_is_off_when_quiet_or_not_a_terminal():
    with progress_bar(10, "x", quiet=True) as p:
        assert p is False
    with progress_bar(10, "x") as p:  # pytest captures standard error: not a terminal
        assert p is False
