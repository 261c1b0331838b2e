"""The record schema published as JSON Schema (docs/record-schema.json) and its field
reference (docs/record-fields.md): both up to date with the record's pydantic models, every
field described, and every bundled record valid against the schema."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from replication.record.json_schema import fields_markdown, record_schema, schema_text, undescribed

ROOT = Path(__file__).resolve().parents[1]
RECORDS = sorted([*ROOT.glob("data/papers/*/paper.yaml"), *ROOT.glob("data/examples/*/paper.yaml")])


def test_generated_files_up_to_date():
    assert (ROOT / "docs" / "record-schema.json").read_text(encoding="utf-8") == schema_text(), \
        "docs/record-schema.json is out of date: run python scripts/record_schema.py"
    assert (ROOT / "docs" / "record-fields.md").read_text(encoding="utf-8") == fields_markdown(), \
        "docs/record-fields.md is out of date: run python scripts/record_schema.py"


def test_script_check_passes():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "record_schema.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_every_field_described():
    schema = record_schema()
    assert undescribed(schema) == []
    assert "matrix" in schema["$defs"]["Results"]["properties"]
    md = fields_markdown(schema)
    for name in ("Record", "Results", "Published", "PrintedMatrix", "FitBlock"):
        assert f"\n## {name}\n" in md


def test_readme_links_the_field_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Replicating another study", 1)[1].split("\n## ", 1)[0]
    assert "docs/record-fields.md" in section


@pytest.mark.parametrize("path", RECORDS, ids=[p.parent.name for p in RECORDS])
def test_bundled_records_validate(path):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads((ROOT / "docs" / "record-schema.json").read_text()))
    errors = [f"{list(e.absolute_path)}: {e.message[:120]}" for e in validator.iter_errors(
        yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert errors == []


def test_schema_refuses_what_the_loader_refuses():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(record_schema())
    raw = yaml.safe_load((ROOT / "data" / "examples" / "holzinger_swineford" / "paper.yaml").read_text())
    assert validator.is_valid(raw)
    for edit in (lambda r: r.update(unknown=1),  # no field outside the schema
                 lambda r: r["sample"]["n"].update(value="301"),  # a number, not its text
                 lambda r: r["model"].update(kind="mixture"),
                 lambda r: r["results"].update(matrix={"kind": "correlation", "variables": ["x1"],
                                                       "lower": [[1.0]], "where": "Table 1"})):
        bad = copy.deepcopy(raw)
        edit(bad)
        assert not validator.is_valid(bad)
