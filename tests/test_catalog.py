"""The README's list of tables is generated from the records and kept current."""

from __future__ import annotations

import subprocess
import sys

from replication.report.catalog import published_tables
from replication.record.schema import load_record
from tests.conftest import ROOT


def test_live_commerce_tables_map_to_sections():
    entries = {e.location: e for e in published_tables(load_record("live_commerce"))}
    assert set(entries) >= {"Table I", "Table II", "Table III"}
    assert entries["Table I"].n_numbers == 21 + 14  # 21 loadings, 7 AVE, 7 CR
    assert "Table II" in entries["Table II"].section and "fit" in entries["Table II"].section
    assert "structural paths" in entries["Table III"].section


def test_readme_list_of_tables_is_current():
    res = subprocess.run([sys.executable, "scripts/update_readme.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
