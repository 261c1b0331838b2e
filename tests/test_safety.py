"""Hostile inputs of the command line: every refusal is one line on standard error, exit status 2,
no traceback, and no input file is changed, moved or deleted.

Each case runs the real command line (``python -m replication``) in a subprocess. The refusals
of ``run`` happen before any notebook runs, so they take about a second each.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "political_democracy"
HS = ROOT / "data" / "examples" / "holzinger_swineford"
PAPER = "political_democracy"  # the record's id
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m replication ARGS`` with its output captured."""
    full = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg", **(env or {}))
    return subprocess.run([sys.executable, "-m", "replication", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=full)


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (links not followed) with the hash of each file's bytes."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(folder))
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "dir"
    return out


def refused(res: subprocess.CompletedProcess, *needles: str) -> str:
    """Assert a one-line refusal with status 2 that names each of ``needles``; the line."""
    assert res.returncode == 2, (res.returncode, res.stdout[-500:], res.stderr[-2000:])
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def tree(tmp_path):
    """``D/paper.yaml`` and ``D/<id>/responses.csv`` (the layout that lost user files), and a
    record and responses kept apart in ``src/``."""
    d = tmp_path / "D"
    (d / PAPER).mkdir(parents=True)
    shutil.copy(EXAMPLE / "paper.yaml", d / "paper.yaml")
    shutil.copy(EXAMPLE / "data.csv", d / PAPER / "responses.csv")
    (tmp_path / "src").mkdir()
    shutil.copy(EXAMPLE / "paper.yaml", tmp_path / "src" / "paper.yaml")
    shutil.copy(EXAMPLE / "data.csv", tmp_path / "src" / "data.csv")
    return tmp_path


# ------------------------------------------------------------------------------------------------
# 1. run --out never writes into, moves or deletes a folder holding an input
# ------------------------------------------------------------------------------------------------
def _layout(case: str, t: Path) -> list[str]:
    """Arguments of ``replicate run`` for one hostile layout under ``t``."""
    d, src = t / "D", t / "src"
    if case == "out_is_record_folder_with_data_in_report_folder":
        return [d / "paper.yaml", "--data", d / PAPER / "responses.csv", "--out", d]
    if case == "data_inside_report_folder":
        return [src / "paper.yaml", "--data", d / PAPER / "responses.csv", "--out", d]
    if case == "record_inside_report_folder":
        shutil.copy(src / "paper.yaml", d / PAPER / "paper.yaml")
        return [d / PAPER / "paper.yaml", "--out", d]
    if case == "out_is_link_to_record_folder":
        (t / "link").symlink_to(d)
        return [d / "paper.yaml", "--out", t / "link"]
    if case == "report_folder_is_link_to_data_folder":
        (t / "E").mkdir()
        (t / "E" / PAPER).symlink_to(src)
        return [d / "paper.yaml", "--data", src / "data.csv", "--out", t / "E"]
    if case == "report_folder_holds_foreign_files":
        (t / "F" / PAPER).mkdir(parents=True)
        (t / "F" / PAPER / "thesis.docx").write_text("years of work")
        (t / "F" / PAPER / "results.json").write_text("{}")
        return [src / "paper.yaml", "--out", t / "F"]
    if case == "index_would_replace_record":
        shutil.copy(src / "paper.yaml", t / "G.yaml")
        (t / "G").mkdir()
        (t / "G" / "index.html").symlink_to(t / "G.yaml")
        return [t / "G.yaml", "--out", t / "G"]
    raise AssertionError(case)


@pytest.mark.parametrize("case", [
    "out_is_record_folder_with_data_in_report_folder", "data_inside_report_folder",
    "record_inside_report_folder", "out_is_link_to_record_folder",
    "report_folder_is_link_to_data_folder", "report_folder_holds_foreign_files",
    "index_would_replace_record"])
def test_run_out_never_touches_input_folders(tree, case):
    args = _layout(case, tree)
    before = snapshot(tree)
    res = cli("run", *args, "--quiet", timeout=120)
    refused(res, "--out")
    assert snapshot(tree) == before


def test_run_refuses_before_reading_bad_data_and_leaves_no_folder(tree):
    out = tree / "new_reports"
    (tree / "bad.csv").write_text("a,b\n1,2\n")
    res = cli("run", tree / "src" / "paper.yaml", "--data", tree / "bad.csv", "--out", out,
              "--quiet", timeout=120)
    refused(res, "bad.csv")
    assert not out.exists()


# ------------------------------------------------------------------------------------------------
# 2. an unusable --out is one line, before anything runs
# ------------------------------------------------------------------------------------------------
def _unusable(case: str, t: Path) -> Path:
    if case == "proc":
        return Path("/proc/replication-safety-test/reports")
    if case == "sys":
        return Path("/sys/replication-safety-test")
    if case == "loop":
        (t / "a").symlink_to(t / "b")
        (t / "b").symlink_to(t / "a")
        return t / "a"
    if case == "under_loop":
        (t / "a").symlink_to(t / "b")
        (t / "b").symlink_to(t / "a")
        return t / "a" / "reports"
    if case == "a_file":
        (t / "plain.txt").write_text("x")
        return t / "plain.txt"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["proc", "sys", "loop", "under_loop", "a_file"])
def test_run_unusable_out_is_one_line(tree, case):
    out = _unusable(case, tree)
    if case == "sys" and not Path("/sys/kernel").is_dir():
        pytest.skip("no sysfs here")
    before = snapshot(tree)
    res = cli("run", tree / "src" / "paper.yaml", "--out", out, "--quiet", timeout=120)
    refused(res, str(out))
    assert snapshot(tree) == before


@pytest.mark.parametrize("case", ["record", "beside_record", "link_to_record",
                                  "hard_link_to_record", "proc", "loop", "under_loop",
                                  "project_data"])
def test_reconstruct_out_never_overwrites_an_input(tree, case):
    record = tree / "src" / "paper.yaml"
    if case == "record":
        out = record
    elif case == "beside_record":
        out = tree / "src" / "responses.csv"
    elif case == "link_to_record":
        out = tree / "out.csv"
        out.symlink_to(record)
    elif case == "hard_link_to_record":
        out = tree / "out.csv"
        os.link(record, out)
    elif case == "proc":
        out = Path("/proc/replication-safety-test.csv")
    elif case == "project_data":
        out = EXAMPLE / "data.csv"
    else:
        out = _unusable(case, tree)
    before, example = snapshot(tree), snapshot(EXAMPLE)
    res = cli("reconstruct", record, "--out", out, "--quiet", timeout=120)
    refused(res, "--out")
    assert snapshot(tree) == before and snapshot(EXAMPLE) == example


# ------------------------------------------------------------------------------------------------
# 3. --jobs: below 1 refused, above the CPUs lowered to them (one note)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["run", PAPER], ["power", "value_cocreation"],
                                     ["fit", HS / "paper.yaml", HS / "data.csv"]])
@pytest.mark.parametrize("jobs", ["0", "-3", "many"])
def test_jobs_below_one_refused(command, jobs):
    refused(cli(*command, "--jobs", jobs, timeout=60), "--jobs")


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def test_power_jobs_lowered_to_cpu_count():
    res = cli("power", "value_cocreation", "--reps", "2", "--bootstrap", "20", "--n", "300",
              "--jobs", "1000", "--json", timeout=300)
    assert res.returncode == 0, res.stderr
    note = [ln for ln in res.stderr.splitlines() if "--jobs" in ln]
    assert note == [f"replicate: --jobs 1000 lowered to {_cpus()}, the number of CPUs available"]


def test_fit_jobs_lowered_to_cpu_count(tmp_path):
    model = tmp_path / "hs.lav"
    model.write_text(HS_MODEL)
    res = cli("fit", model, HS / "data.csv", "--bootstrap", "20", "--jobs", "1000", "--json",
              "--quiet", timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("lowered to") == 1 and "Traceback" not in res.stderr


# ------------------------------------------------------------------------------------------------
# 4. --scheduler: malformed addresses, a server that never answers, a cluster without workers
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", ["tcp://", "foo:bar:baz", "tcp://host:notaport",
                                     "tcp://127.0.0.1:0", "tcp://127.0.0.1:70000", "http://x:1"])
def test_malformed_scheduler_address(address):
    res = cli("power", "value_cocreation", "--reps", "2", "--scheduler", address, timeout=60)
    refused(res, "--scheduler", "tcp://HOST:PORT")


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    held, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{srv.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    srv.close()


def test_scheduler_that_never_answers_is_not_waited_on_forever(silent_server):
    start = time.monotonic()
    res = cli("power", "value_cocreation", "--reps", "2", "--bootstrap", "20", "--n", "300",
              "--scheduler", silent_server, env={"REPLICATION_SCHEDULER_TIMEOUT": "2"},
              timeout=90)
    refused(res, "--scheduler", silent_server, "no answer within 2 s")
    assert time.monotonic() - start < 60


def test_scheduler_without_workers_gives_up_after_the_wait():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        res = cli("power", "value_cocreation", "--reps", "2", "--bootstrap", "20", "--n", "300",
                  "--scheduler", cluster.scheduler_address,
                  env={"REPLICATION_SCHEDULER_WAIT": "3"}, timeout=120)
    refused(res, "--scheduler", cluster.scheduler_address, "no result within 3 s")


# ------------------------------------------------------------------------------------------------
# 5. stopping a run stops its kernel
# ------------------------------------------------------------------------------------------------
def _tree_of(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            kids.setdefault(int(stat[stat.rfind(")") + 2:].split()[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kernels_of(pid: int) -> list[int]:
    found = []
    for child in _tree_of(pid):
        try:
            cmd = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmd:
            found.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return not stat[stat.rfind(")") + 2:].startswith("Z")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigterm_stops_the_kernel(tmp_path):
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, "-m", "replication", "run", "live_commerce", "--out",
                             str(tmp_path / "out"), "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, kernels = time.monotonic() + 90, []
        while time.monotonic() < deadline and not kernels and proc.poll() is None:
            kernels = _kernels_of(proc.pid)
            time.sleep(0.2)
        assert kernels, "no kernel started within 90 s"
        time.sleep(2)  # the kernel is busy in the notebook's cells
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_running(k) for k in kernels):
            time.sleep(0.1)
        assert not [k for k in kernels if _running(k)], "the kernel outlived the run"
        assert proc.returncode != 0 and "Traceback" not in err
        assert not list((tmp_path / "out").glob(".staging-*"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


# ------------------------------------------------------------------------------------------------
# 6. too few replications claim nothing about the effect
# ------------------------------------------------------------------------------------------------
def test_one_replication_says_too_few():
    res = cli("power", "value_cocreation", "--reps", "1", "--bootstrap", "20", "--n", "300",
              timeout=300)
    assert res.returncode == 0, res.stderr
    assert "zero or on the other side" not in res.stdout
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("  ")]
    assert lines and all("too few replications" in ln and "not estimated" in ln for ln in lines)


def test_one_replication_with_target_power_is_refused():
    res = cli("power", "value_cocreation", "--reps", "1", "--bootstrap", "20", "--n", "300",
              "--target-power", "0.8", timeout=300)
    refused(res, "--reps", "too few")
