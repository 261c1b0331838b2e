"""``replicate fit`` files: model and data files read, fitted and laid out like lavaan."""

import json
from pathlib import Path

import pandas as pd
import pytest

from replication.engine.errors import InputError
from replication.engine.summary import format_text
from replication.pipeline.fit_files import fit_files

FX = Path(__file__).parent / "fixtures" / "lavaan"
TOL = 1e-3


def load(case):
    d = json.loads((FX / f"{case}.json").read_text())
    return d, pd.read_csv(FX / d["data"])


def test_fit_files(tmp_path):
    d, data = load("hs_cfa")
    mp = tmp_path / "model.lav"
    mp.write_text(d["model"])
    dp = tmp_path / "data.csv"
    data.to_csv(dp, index=False)
    out = fit_files(mp, dp)
    assert out["fit_measures"]["chisq"] == pytest.approx(d["fit_measures"]["chisq"], abs=TOL)
    with pytest.raises(InputError, match="not found"):
        fit_files(tmp_path / "nope.lav", dp)
    with pytest.raises(InputError, match="not found"):
        fit_files(mp, tmp_path / "nope.csv")
    (tmp_path / "bad.lav").write_text("visual =~ x1 + x2\nnonsense here\n")
    with pytest.raises(InputError, match=r"bad\.lav.*line 2"):
        fit_files(tmp_path / "bad.lav", dp)


def test_fit_files_reads_data_as_response_files(tmp_path):
    d, data = load("hs_cfa")
    mp = tmp_path / "model.lav"
    mp.write_text(d["model"])
    ref = fit_files(mp, _write(tmp_path / "plain.csv", data.to_csv(index=False)))
    # semicolon-delimited with a byte-order mark and an extra text column: same fit
    text = data.assign(id=[f"r{i}" for i in range(len(data))]).to_csv(index=False, sep=";")
    out = fit_files(mp, _write(tmp_path / "semi.csv", text, bom=True))
    assert out["fit_measures"] == ref["fit_measures"]
    bad = data.astype({"x2": object})
    bad.loc[[4, 9], "x2"] = "abc"
    with pytest.raises(InputError, match=r"bad\.csv: column x2, rows 5, 10: non-numeric value 'abc'"):
        fit_files(mp, _write(tmp_path / "bad.csv", bad.to_csv(index=False)))
    with pytest.raises(InputError, match=r"dup\.csv: duplicate column name x1"):
        fit_files(mp, _write(tmp_path / "dup.csv", data.rename(columns={"x2": "x1"}).to_csv(index=False)))
    with pytest.raises(InputError, match=r"empty\.csv: file is empty"):
        fit_files(mp, _write(tmp_path / "empty.csv", ""))
    with pytest.raises(InputError, match=r"short\.csv: no column 'x9'"):
        fit_files(mp, _write(tmp_path / "short.csv", data.drop(columns="x9").to_csv(index=False)))


def _write(path, text, bom=False):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_format_text_lays_out_lavaan_summary(tmp_path):
    d, data = load("hs_cfa")
    mp = tmp_path / "model.lav"
    mp.write_text(d["model"])
    dp = tmp_path / "data.csv"
    data.to_csv(dp, index=False)
    out = fit_files(mp, dp)
    text = format_text(out)
    assert text == format_text(out) and "Bootstrap" not in text
    lines = text.splitlines()
    fm = out["fit_measures"]
    assert lines[0].startswith("Estimator") and lines[0].split()[-1] == "ML"
    user = lines.index("Model Test User Model:")
    assert lines[user + 2].split()[-1] == f"{fm['chisq']:.3f}"
    assert lines[user + 3].split()[-1] == "24"
    for label, key in (("Sample-size adjusted Bayesian (SABIC)", "bic2"),
                       ("P-value H_0: RMSEA <= 0.050", "rmsea.pvalue")):
        line = next(x for x in lines if x.strip().startswith(label))
        assert line.split()[-1] == f"{fm[key]:.3f}"
    assert next(x for x in lines if "Number of iterations" in x).split()[-1] == str(out["iterations"])
    order = [lines.index(h) for h in ("Model Test User Model:", "Parameter Estimates:",
                                      "Latent Variables:", "Covariances:", "Variances:",
                                      "R-Square:")]
    assert order == sorted(order)
    head = lines[lines.index("Latent Variables:") + 1].split()
    assert head == ["Estimate", "Std.Err", "z-value", "P(>|z|)", "Std.lv", "Std.all"]
    # the loading block: a header per factor, fixed first loading without se, z and p
    i = lines.index("  visual =~")
    first, second = lines[i + 1].split(), lines[i + 2].split()
    x1 = next(r for r in out["parameters"] if (r["lhs"], r["op"], r["rhs"]) == ("visual", "=~", "x1"))
    x2 = next(r for r in out["parameters"] if (r["lhs"], r["op"], r["rhs"]) == ("visual", "=~", "x2"))
    assert first == ["x1", f"{x1['est']:.3f}", f"{x1['std_lv']:.3f}", f"{x1['std_all']:.3f}"]
    assert second == ["x2"] + [f"{x2[c]:.3f}" for c in ("est", "se", "z", "pvalue", "std_lv",
                                                        "std_all")]
    with pytest.raises(InputError, match="format_text"):
        format_text({"parameters": []})


def test_warnings_come_first():
    text = format_text({"parameters": [], "fit_measures": {}, "warnings": ["w1", "w2"]})
    assert text.splitlines()[:3] == ["Warnings:", "  w1", "  w2"]


def test_fit_without_optimum_prints_warnings_first_and_exits_1(tmp_path):
    """noise_1 (pure noise; lavaan 0.6.14 does not converge either, scripts/starts_fixtures.R):
    the summary opens with the warnings and the command exits 1 (text and JSON alike)."""
    import subprocess
    import sys

    fx = json.loads((Path(__file__).parent / "fixtures" / "starts" / "noise.json").read_text())
    assert not next(c for c in fx["cases"] if c["data"] == "noise_1.csv")["converged"]
    mp = tmp_path / "two.lav"
    mp.write_text(fx["model"])
    data = Path(__file__).parent / "fixtures" / "starts" / "noise_1.csv"
    run = subprocess.run([sys.executable, "-m", "replication", "fit", str(mp), str(data)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0] == "Warnings:" and "did not converge" in lines[1]
    assert "did not converge" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "replication", "fit", str(mp), str(data), "--json"],
                         capture_output=True, text=True)
    assert run.returncode == 1 and json.loads(run.stdout)["converged"] is False


def test_bootstrap_standard_errors_in_the_main_table(tmp_path):
    """As lavaan's se = "bootstrap": the table's se, z, p are the bootstrap ones, with the
    percentile interval; the draws are the same for any number of jobs."""
    d, data = load("hs_cfa")
    mp = tmp_path / "model.lav"
    mp.write_text(d["model"])
    dp = tmp_path / "data.csv"
    data.to_csv(dp, index=False)
    out = fit_files(mp, dp, bootstrap=20, seed=3)
    assert out == fit_files(mp, dp, bootstrap=20, seed=3, jobs=2)
    assert out["se"] == "bootstrap"
    boot = out["bootstrap"]
    assert boot["n_boot"] == 20 and boot["n_used"] + boot["n_failed"] == 20
    assert {"n_nonconverged", "n_inadmissible", "seed"} <= set(boot)
    by_key = {(r["lhs"], r["op"], r["rhs"]): r for r in boot["parameters"]}
    x2 = next(r for r in out["parameters"] if (r["lhs"], r["rhs"]) == ("visual", "x2"))
    b2 = by_key[("visual", "=~", "x2")]
    assert x2["se"] == b2["boot_se"] and x2["z"] == pytest.approx(x2["est"] / x2["se"], rel=1e-5)
    assert (x2["ci_lower"], x2["ci_upper"]) == (b2["ci_lower"], b2["ci_upper"])
    x1 = next(r for r in out["parameters"] if (r["lhs"], r["rhs"]) == ("visual", "x1"))
    assert x1["se"] is None and x1["ci_lower"] == x1["ci_upper"] == 1.0
    text = format_text(out)
    assert "Standard errors" in text and text.split("Standard errors")[1].split()[0] == "Bootstrap"
    head = text.splitlines()[text.splitlines().index("Latent Variables:") + 1].split()
    assert head == ["Estimate", "Std.Err", "z-value", "P(>|z|)", "ci.lower", "ci.upper",
                    "Std.lv", "Std.all"]


# ------------------------------------------------------------------ plain ML path
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def _hs_files(tmp_path, change=None):
    data = pd.read_csv(FX / "holzinger_swineford.csv")
    if change is not None:
        data = change(data)
    mp, dp = tmp_path / "hs.lav", tmp_path / "hs.csv"
    mp.write_text(HS_MODEL)
    data.to_csv(dp, index=False)
    return mp, dp


@pytest.mark.parametrize("change, message", [
    (lambda d: d.assign(x5=d["x2"]), "columns x2 and x5 are identical"),
    (lambda d: d.assign(x5=d["x2"], x8=d["x2"]), "columns x2 and x5 are identical"),
    (lambda d: d.assign(x7=d["x3"], x8=d["x1"], x9=d["x1"]), "columns x3 and x7 are identical"),
    (lambda d: d.assign(x6=7.25), "constant column x6"),
    (lambda d: d.assign(x6=0.0), "constant column x6"),
    (lambda d: d.assign(x4=d["x1"] + 2.0), "columns x1, x4 are collinear"),
    (lambda d: d.assign(x6=1e6 + 1e-6 * d["x6"]), None),
    (lambda d: d.assign(x9=None), "empty column x9"),
    (lambda d: d.iloc[:9], "9 complete rows; expected at least 10"),
])
def test_structure_named_from_the_covariance(tmp_path, change, message):
    """Identical and constant columns found from the covariance matrix and confirmed on the
    data: the messages of the column-by-column checks, and no false alarm for a column
    with a tiny spread around a large mean."""
    mp, dp = _hs_files(tmp_path, change)
    if message is None:
        assert fit_files(mp, dp)["n"] == 301
        return
    with pytest.raises(InputError, match=message) as err:
        fit_files(mp, dp)
    assert str(err.value).startswith(str(dp))


def test_fit_files_same_numbers_as_the_engine_on_a_dataframe(tmp_path):
    """The file path (one float array, covariance computed once) gives the JSON the engine
    gives on a DataFrame of the same file, to the last digit; rows with a missing cell are
    dropped alike."""
    from replication.engine.sem import fit

    mp, dp = _hs_files(tmp_path, lambda d: d.assign(x2=d["x2"].mask(d.index % 17 == 3)))
    out = fit_files(mp, dp)
    ref = fit(HS_MODEL, pd.read_csv(dp)).to_json()
    assert out["n_dropped"] == 18 and out["warnings"][0].startswith("18 of 301 rows")
    assert {k: out[k] for k in ref if k != "warnings"} == {k: v for k, v in ref.items()
                                                          if k != "warnings"}


def test_plain_fit_loads_neither_pandas_nor_scipy(tmp_path):
    import subprocess
    import sys

    mp, dp = _hs_files(tmp_path)
    code = ("import sys, io, contextlib\nfrom replication.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    status = main(['fit', {str(mp)!r}, {str(dp)!r}, '--json'])\n"
            "print(status, sorted(m for m in ('pandas', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "0 []", out.stdout + out.stderr


def test_result_tables_become_pandas_on_first_use():
    from replication.engine.sem import fit

    data = pd.read_csv(FX / "holzinger_swineford.csv")
    res = fit(HS_MODEL, data)
    js = res.to_json()
    params = res.parameters
    assert isinstance(params, pd.DataFrame)
    assert res.params.equals(params.drop(columns=["group", "label"]))
    assert list(params.columns) == ["lhs", "op", "rhs", "group", "label", "est", "se", "z",
                                    "pvalue", "std_lv", "std_all"]
    assert (params["group"] == "").all()
    assert all(params[c].dtype == float for c in params.columns[5:])
    assert isinstance(res.r2, pd.Series) and res.r2.name == "r2"
    assert list(res.implied_cov.index) == list(res.sample_cov.columns) == res.spec.ov
    assert res.to_json() == js
    params.loc[0, "est"] = 2.0  # a result does not change when a table it gave is changed
    assert res.to_json() == js and res.parameters.loc[0, "est"] == 1.0
