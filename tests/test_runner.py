"""The runner: output safety, index escaping, staged outputs, failures that do not stop others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from replication import pipeline as analysis
from replication.report import runner
from replication.engine.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def test_index_escapes_text_from_records_and_files(tmp_path):
    results = {"short_title": "<script>alert(1)</script> & co", "evidence": "tables",
               "data": {"source": "csv", "file": "a<b>.csv", "seed": 1, "n_rows": 10},
               "summary": {"hypotheses": {"reproduced": 2, "not reproduced": 1},
                           "values": {"reproduced": 3, "not reproduced": 1}},
               "audit": {"summary": {"counts": {"inconsistent": 1, "consistent": 2},
                                     "classification": "minor <b>inconsistencies</b>"}}}
    page = runner.index_html([
        {"paper": "p1", "ok": True, "results": results},
        {"paper": "p2", "ok": False, "error": "ValueError: bad <tag> & \"quote\""}])
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "a&lt;b&gt;.csv" in page
    assert "bad &lt;tag&gt; &amp; &quot;quote&quot;" in page
    assert "minor &lt;b&gt;inconsistencies&lt;/b&gt;" in page
    assert 'href="p1/p1.html"' in page and 'href="p2/FAILED.txt"' in page
    assert "3 of 4" in page


def test_write_index_reads_result_folders_and_skips_staging(tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "results.json").write_text(json.dumps(
        {"short_title": "A", "evidence": "abstract", "summary": {"hypotheses": {"reproduced": 4}}}))
    (tmp_path / ".staging-beta-x").mkdir()
    (tmp_path / ".staging-beta-x" / "results.json").write_text("{}")
    (tmp_path / "gamma").mkdir()
    (tmp_path / "gamma" / "FAILED.txt").write_text("gamma failed in cell 3: KeyError: 'x'\n")
    page = runner.write_index(tmp_path).read_text(encoding="utf-8")
    assert "alpha" in page and "staging" not in page and "beta" not in page
    assert "KeyError: &#x27;x&#x27;" in page
    assert not list(tmp_path.glob(".index.*"))


def test_outputs_never_go_into_data_or_notebooks_or_next_to_the_input(tmp_path):
    for bad in (ROOT / "data" / "x", ROOT / "notebooks"):
        with pytest.raises(InputError, match="inside the project"):
            runner.run(["live_commerce"], out_dir=bad, progress=False)
    csv = tmp_path / "responses.csv"
    csv.write_text("a\n1\n")
    with pytest.raises(InputError, match="folder of the input file"):
        runner.run(["live_commerce"], data_path=str(csv), out_dir=tmp_path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["responses.csv"]


def test_bad_arguments_are_input_errors(tmp_path):
    with pytest.raises(InputError):
        runner.run(["no_such_paper"], out_dir=tmp_path, progress=False)
    with pytest.raises(InputError, match="source"):
        runner.run(["live_commerce"], source="invented", out_dir=tmp_path, progress=False)
    with pytest.raises(InputError, match="file not found"):
        runner.run(["live_commerce"], data_path=str(tmp_path / "none.csv"), out_dir=tmp_path / "o",
                   progress=False)


def test_replace_dir_is_a_rename(tmp_path):
    old = tmp_path / "p"
    old.mkdir()
    (old / "results.json").write_text("old")
    new = tmp_path / ".staging-p"
    new.mkdir()
    (new / "results.json").write_text("new")
    runner._replace_dir(new, old)
    assert (old / "results.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_write_results_atomic_and_deterministic(tmp_path):
    res = {"z": 1.2345678901234567, "p": 2.8e-8, "a": [float("inf")]}
    p = analysis.write_results(res, tmp_path / "out")
    first = p.read_bytes()
    analysis.write_results(res, tmp_path / "out")
    assert p.read_bytes() == first
    # 10 significant digits: a small p-value keeps its digits
    assert first == b'{\n  "a": [\n    null\n  ],\n  "p": 2.8e-08,\n  "z": 1.23456789\n}\n'
    assert analysis.write_results(res, None) is None


def test_summary_text_names_failures():
    s = runner.RunSummary(out_dir="r", outcomes=[
        runner.PaperOutcome("a", True, 1.0),
        runner.PaperOutcome("b", False, 2.0, error="InputError: missing item column X1", cell=4)])
    assert s.exit_status == 1
    text = s.text()
    assert "failed: b" in text and "b in cell 4: InputError: missing item column X1" in text
    assert runner.RunSummary(out_dir="r", outcomes=[runner.PaperOutcome("a", True, 1.0)]).exit_status == 0


@pytest.mark.slow
def test_one_failing_paper_does_not_stop_the_others(tmp_path):
    """A CSV with value_cocreation items: live_commerce fails on its columns, value_cocreation
    runs."""
    from replication.data import reconstruct
    from replication.record.schema import load_record

    data_dir = tmp_path / "input"
    data_dir.mkdir()
    csv = data_dir / "vc.csv"
    rec = reconstruct.reconstruct(load_record("value_cocreation"), source="simulated", seed=5)
    reconstruct.write_csv(rec.data, csv)
    before = csv.read_bytes()
    out = tmp_path / "reports"
    summary = runner.run(["live_commerce", "value_cocreation"], data_path=str(csv), seed=5,
                         n_bootstrap=20, out_dir=out, jobs=2, progress=False)
    assert summary.exit_status == 1
    assert [o.paper for o in summary.failed] == ["live_commerce"]
    failed = summary.failed[0]
    missing = [i for i in load_record("live_commerce").item_list if i not in rec.data.columns]
    assert "missing item column" in failed.error and missing[0] in failed.error
    assert failed.cell is not None
    assert (out / "value_cocreation" / "results.json").is_file()
    assert (out / "value_cocreation" / "value_cocreation.html").is_file()
    assert (out / "live_commerce" / "FAILED.txt").is_file()
    assert not (out / "live_commerce" / "results.json").exists()
    assert not (out / "live_commerce" / "live_commerce.html").exists()
    res = json.loads((out / "value_cocreation" / "results.json").read_text())
    assert res["data"]["source"] == "csv" and res["data"]["file"] == "vc.csv"
    index = (out / "index.html").read_text()
    assert "live_commerce" in index and "failed" in index
    assert csv.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["vc.csv"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_record_text_is_escaped_in_built_notebooks():
    """A record's title or table location cannot inject markup into a report."""
    from replication.report.notebook import build
    from replication.record.schema import Record, load_record

    raw = load_record("live_commerce").model_dump(by_alias=True)
    raw["title"] = "<script>alert(1)</script> Trust & more"
    raw["results"]["loadings"]["T1"]["where"] = "Table <b>I</b>, row T1"
    nb = build(Record.model_validate(raw))
    text = "\n".join("".join(c["source"]) for c in nb.cells if c["cell_type"] == "markdown")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<b>" not in text and "Trust &amp; more" in text


def _notebook(path, *sources):
    """A notebook of code cells, the first tagged ``parameters``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cells = [nbformat.v4.new_code_cell(src) for src in sources]
    cells[0].metadata["tags"] = ["parameters"]
    nb.cells = cells
    nbformat.write(nb, str(path))
    return path


def test_a_kernel_that_dies_fails_its_notebook_and_the_next_gets_a_new_one(tmp_path):
    from replication.report.kernels import NotebookFailed, PaperKernel

    dies = _notebook(tmp_path / "dies.ipynb", "x = 1", "import os\nos._exit(1)", "y = 2")
    lives = _notebook(tmp_path / "lives.ipynb", "x = 1", "print(x * 10)")
    kernel = PaperKernel()
    try:
        with pytest.raises(NotebookFailed) as failed:
            kernel.execute(dies, {"x": 2}, tmp_path)
        # parameters, injected parameters, then the cell that ended the kernel
        assert failed.value.ename == "DeadKernelError" and failed.value.exec_count == 3
        nb = kernel.execute(lives, {"x": 3}, tmp_path)
        assert nb.cells[-1].outputs[0]["text"] == "30\n"
    finally:
        kernel.close()


def test_every_notebook_in_a_reused_kernel_starts_clean_at_cell_one(tmp_path):
    from replication.report.kernels import PaperKernel

    first = _notebook(tmp_path / "first.ipynb", "x = 1", "leftover = 5")
    second = _notebook(tmp_path / "second.ipynb", "x = 1", "print('leftover' in dir())")
    kernel = PaperKernel()
    try:
        kernel.execute(first, {"x": 2}, tmp_path)
        nb = kernel.execute(second, {"x": 2}, tmp_path)
    finally:
        kernel.close()
    assert [c.execution_count for c in nb.cells] == [1, 2, 3]
    assert nb.cells[-1].outputs[0]["text"] == "False\n"
