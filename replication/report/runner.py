"""Run the paper notebooks headlessly and write the reports.

:func:`run` executes ``notebooks/<id>.ipynb`` (parameters injected after the cell tagged
``parameters``, as papermill injects them), ``jobs`` papers at a time, each job with a kernel of
its own that runs its papers one after another with a cleared namespace
(:class:`replication.report.kernels.PaperKernel`), and writes for each paper::

    <out>/<id>/<id>.ipynb     the executed notebook
    <out>/<id>/<id>.html      the HTML report (code hidden unless show_code)
    <out>/<id>/results.json   written by the notebook itself (replication.pipeline.write_results)
    <out>/<id>/tables/        every table as CSV and LaTeX, <id>_tables.docx (Word, APA style)
    <out>/<id>/<id>_*.svg|pdf the path diagram (moderation panels, measurement view)

(the exports of :func:`replication.report.exports.write_exports`, from ``results.json``)

and ``<out>/index.html`` with one row per paper. Every paper is executed in a staging folder
inside ``<out>`` and moved into place only when its notebook ran to the end and its report was
exported, so an interrupted or failed run never leaves a report that looks complete: a paper
whose notebook fails gets ``<out>/<id>/<id>.ipynb`` (executed up to the failing cell) and
``<out>/<id>/FAILED.txt`` with the cell's error, and no ``results.json`` or HTML. One paper failing
does not stop the others. Nothing is written into the project's ``data/`` or ``notebooks/``
folders, nor into the folder of a user's response file or record, and a report folder that holds
an input or files of no report is refused rather than replaced
(:func:`replication.data.files.check_output_folder`).

Stopping a run (Ctrl-C, ``SIGTERM``, ``SIGHUP``) ends every process it started: the Jupyter
kernels, which jupyter_client starts in sessions of their own, so a signal to the run's process
group does not reach them (:func:`stop_children`); no further paper is started.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import threading
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from tqdm import tqdm

from replication.engine.errors import InputError
from replication.data.files import (atomic_write_text, check_output_folder, prepare_output_folder,
                                    publish_mode)
from replication.report.exports import write_exports
from replication.report.kernels import NotebookFailed, PaperKernel
from replication.report.schedule import run_papers
from replication.report.summary import decorate, index_html

__all__ = ["PaperOutcome", "RunSummary", "run", "main", "export_html", "write_index",
           "index_html", "notebooks_dir", "remove_stale_staging"]

def _project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def notebooks_dir() -> Path:
    """Folder of the paper notebooks (``notebooks/`` of the project)."""
    return _project_root() / "notebooks"


@dataclass
class PaperOutcome:
    """What happened to one paper."""

    paper: str
    ok: bool
    seconds: float
    error: str = ""
    cell: int | None = None
    folder: str = ""


@dataclass
class RunSummary:
    """Outcome of :func:`run`."""

    out_dir: str
    outcomes: list[PaperOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[PaperOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def exit_status(self) -> int:
        """0 when every paper ran, 1 when any failed."""
        return 1 if self.failed else 0

    def text(self) -> str:
        """A short human summary (one line per paper)."""
        lines = []
        for o in self.outcomes:
            if o.ok:
                lines.append(f"  ok      {o.paper} ({o.seconds:.1f} s)")
            else:
                where = f" in cell {o.cell}" if o.cell is not None else ""
                lines.append(f"  FAILED  {o.paper}{where}: {o.error}")
        n_ok = len(self.outcomes) - len(self.failed)
        head = f"{n_ok} of {len(self.outcomes)} papers ran in {self.seconds:.1f} s"
        tail = f"reports: {Path(self.out_dir) / 'index.html'}"
        if self.failed:
            head += "; failed: " + ", ".join(o.paper for o in self.failed)
        return "\n".join([head] + lines + [tail])


# --------------------------------------------------------------------------------------------
# HTML export
# --------------------------------------------------------------------------------------------
def export_html(notebook_path: str | Path, html_path: str | Path, show_code: bool = False,
                results: dict | None = None) -> Path:
    """Export an executed notebook to a self-contained HTML report.

    Parameters
    ----------
    notebook_path, html_path : path
    show_code : bool
        Keep the code cells (default: outputs and text only).
    results : dict, optional
        The paper's ``results.json``: the page then opens with a link back to the index, the
        summary and a table of contents (:func:`replication.report.summary.decorate`).

    Returns
    -------
    Path
        The HTML file (figures are embedded as data URIs or inline SVG; external scripts the
        template references for math rendering are removed, so the page needs no network).
    """
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    exporter = _html_exporter(show_code)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": Path(html_path).stem}})
    body = re.sub(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", "", body)
    body = re.sub(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*>", "", body)
    if results is not None:
        body = decorate(body, results)
    Path(html_path).write_text(body, encoding="utf-8")
    return Path(html_path)


_EXPORTERS = threading.local()


def _html_exporter(show_code: bool):
    """This thread's nbconvert ``HTMLExporter`` (lab template, prompts hidden), made once per
    thread and setting: building one loads and compiles the template."""
    from nbconvert import HTMLExporter

    made = getattr(_EXPORTERS, "by_setting", None)
    if made is None:
        made = _EXPORTERS.by_setting = {}
    if show_code not in made:
        exporter = HTMLExporter(template_name="lab")
        exporter.exclude_input = not show_code
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        made[show_code] = exporter
    return made[show_code]


# --------------------------------------------------------------------------------------------
# One paper
# --------------------------------------------------------------------------------------------
def _error_of(exc: BaseException) -> tuple[str, int | None]:
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    cell = getattr(exc, "exec_count", None)
    if ename:
        msg = f"{ename}: {evalue}".strip()
    else:
        msg = f"{type(exc).__name__}: {exc}".strip()
    msg = " ".join(msg.split())
    return (msg[:500] + " ...") if len(msg) > 500 else msg, cell


_STAGING_PID = re.compile(r"^\.staging-.*-(\d+)-[A-Za-z0-9_]+$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove what killed runs left in ``out``: staging folders of processes that no longer run.

    A run works in ``.staging-<paper>-<pid>-<random>`` folders (and ``.staging-data-<pid>-...``
    for a validated response file) and swaps a report in through ``.old-<paper>-<hex>``; a run
    that is killed leaves them behind. They are removed by the next run into the same folder,
    unless the process that made them is still running (a concurrent run). Folders of an older
    layout without a process id are removed too.

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed = []
    for entry in out.iterdir() if out.is_dir() else ():
        if not entry.name.startswith((".staging-", ".old-")) or not entry.is_dir() \
                or entry.is_symlink():
            continue
        m = _STAGING_PID.match(entry.name)
        if m is not None and (int(m.group(1)) == os.getpid() or _alive(int(m.group(1)))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _remove_own_staging(out: Path) -> None:
    """Remove the staging folders this process made in ``out`` (an interrupted run)."""
    for entry in out.glob(f".staging-*-{os.getpid()}-*"):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _replace_dir(staging: Path, final: Path) -> None:
    """Move ``staging`` to ``final``, replacing an older ``final`` (rename, not copy)."""
    publish_mode(staging, directory=True)
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class _Interrupted(Exception):
    """The run was interrupted while a paper was being finished."""


@dataclass
class _Staged:
    """A paper whose notebook has run (or failed) in its staging folder, to be finished."""

    paper: str
    staging: Path
    final: Path
    start: float
    record: str
    error: BaseException | None = None


def _execute_one(paper: str, params: dict[str, Any], out_dir: str, notebook: str,
                 kernel: PaperKernel) -> _Staged:
    """Run one paper's notebook in ``kernel`` inside a new staging folder of ``out_dir`` and
    write the executed notebook there (up to the failing cell when a cell failed)."""
    import nbformat

    start = time.perf_counter()
    out = Path(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{paper}-{os.getpid()}-", dir=out))
    staged = _Staged(paper, staging, out / paper, start, params.get("paper", paper))
    nb_out = staging / f"{paper}.ipynb"
    try:
        nb = kernel.execute(notebook, {**params, "out_dir": str(staging)}, staging)
        nbformat.write(nb, str(nb_out))
    except NotebookFailed as exc:
        staged.error = exc
        try:  # the notebook up to the failing cell, when it can be written
            nbformat.write(exc.notebook, str(nb_out))
        except (OSError, ValueError):
            pass
    except Exception as exc:  # noqa: BLE001 - one paper's failure is reported, not raised
        staged.error = exc
    return staged


def _finish_one(staged: _Staged, show_code: bool,
                stop: threading.Event | None = None) -> PaperOutcome:
    """Export a run paper's HTML report, tables and diagrams and move its folder into place;
    a failed paper gets its notebook and ``FAILED.txt`` only. Once ``stop`` is set (the run
    was interrupted) nothing is published: the staging folder is removed."""
    paper, staging, final = staged.paper, staged.staging, staged.final
    try:
        if staged.error is not None:
            raise staged.error
        if not (staging / "results.json").is_file():
            raise RuntimeError("the notebook ran but wrote no results.json")
        results = _read_results(staging)
        export_html(staging / f"{paper}.ipynb", staging / f"{paper}.html", show_code=show_code,
                    results=results)
        if results is not None:  # tables (CSV, LaTeX, Word) and diagrams (SVG, PDF) beside it
            write_exports(results, staging, record=staged.record)
        if stop is not None and stop.is_set():
            raise _Interrupted
        _replace_dir(staging, final)
        return PaperOutcome(paper, True, time.perf_counter() - staged.start, folder=str(final))
    except _Interrupted:
        shutil.rmtree(staging, ignore_errors=True)
        return PaperOutcome(paper, False, time.perf_counter() - staged.start, error="interrupted")
    except Exception as exc:  # noqa: BLE001 - one paper's failure is reported, not raised
        msg, cell = _error_of(exc)
        if stop is not None and stop.is_set():
            shutil.rmtree(staging, ignore_errors=True)
            return PaperOutcome(paper, False, time.perf_counter() - staged.start, error=msg)
        _keep_failed(staging, final, paper, msg, cell)
        return PaperOutcome(paper, False, time.perf_counter() - staged.start, error=msg,
                            cell=cell, folder=str(final))


def _start_quietly(kernel: PaperKernel) -> None:
    """Start ``kernel`` now; if it cannot start, each paper given to it says why."""
    try:
        kernel.start()
    except Exception:  # noqa: BLE001 - reported by the papers that need the kernel
        kernel.shutdown()


def _warm_up() -> None:
    """Import what finishing a paper needs (nbconvert and its template, python-docx, the
    diagrams) while the first notebooks run, instead of after them."""
    import docx  # noqa: F401

    from replication.report import diagrams  # noqa: F401

    _html_exporter(False)


def _keep_failed(staging: Path, final: Path, paper: str, msg: str, cell: int | None) -> None:
    """Publish a failed paper's folder: the notebook up to the failing cell and ``FAILED.txt``,
    nothing that could pass for a finished report."""
    try:
        for name in ("results.json", f"{paper}.html"):
            (staging / name).unlink(missing_ok=True)
        for tmp in staging.glob(".results.*"):
            tmp.unlink(missing_ok=True)
        for export in [*staging.glob("*.docx"), *staging.glob("*.svg"), *staging.glob("*.pdf")]:
            export.unlink(missing_ok=True)
        shutil.rmtree(staging / "tables", ignore_errors=True)
        (staging / "FAILED.txt").write_text(
            f"{paper} failed" + (f" in cell {cell}" if cell is not None else "") + f": {msg}\n",
            encoding="utf-8")
        _replace_dir(staging, final)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------
def _read_results(folder: Path) -> dict | None:
    p = folder / "results.json"
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

def write_index(out_dir: str | Path, outcomes: Sequence[PaperOutcome] | None = None) -> Path:
    """Write ``<out_dir>/index.html`` from the paper folders found there (atomically).

    Papers of ``outcomes`` come first in that order, with their errors; other paper folders
    already in ``out_dir`` (from earlier runs) follow in name order.
    """
    out = Path(out_dir)
    rows = []
    seen = set()
    for o in outcomes or []:
        seen.add(o.paper)
        rows.append({"paper": o.paper, "ok": o.ok, "error": o.error,
                     "results": _read_results(out / o.paper) if o.ok else None})
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name in seen:
            continue
        res = _read_results(folder)
        failed = (folder / "FAILED.txt").is_file()
        if res is None and not failed:
            continue
        rows.append({"paper": folder.name, "ok": res is not None and not failed, "results": res,
                     "error": (folder / "FAILED.txt").read_text(encoding="utf-8").strip()
                     if failed else ""})
    return atomic_write_text(out / "index.html", index_html(rows))


def _progress_bar(total: int, unit: str):
    """A tqdm bar on standard error, or None when standard error is not a terminal."""
    if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return None
    return tqdm(total=total, unit=unit.rstrip("s") or unit, desc="replicate run", file=sys.stderr,
                dynamic_ncols=True, leave=True)


# --------------------------------------------------------------------------------------------
# Stopping: no kernel outlives the run
# --------------------------------------------------------------------------------------------
def _children_map() -> dict[int, list[int]]:
    """``{parent pid: [child pids]}`` of every process visible in ``/proc`` (Linux)."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # after "pid (comm) "
        if len(fields) > 1 and fields[1].isdigit():
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def descendants(pid: int | None = None) -> list[int]:
    """Process ids of every descendant of ``pid`` (default: this process), parents first."""
    try:
        import psutil

        return [c.pid for c in psutil.Process(pid or os.getpid()).children(recursive=True)]
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - psutil.NoSuchProcess and the like: fall back to /proc
        pass
    tree, out, todo = _children_map(), [], [pid or os.getpid()]
    while todo:
        kids = tree.get(todo.pop(), [])
        out.extend(kids)
        todo.extend(kids)
    return out


def stop_children(grace: float = 1.0, keep: frozenset[int] = frozenset()) -> list[int]:
    """Terminate the descendant processes (kernels, workers) not in ``keep``: SIGTERM, then
    SIGKILL after ``grace`` seconds. The whole tree is listed first, so grandchildren of a worker
    (its kernel) are found before the worker ends. Returns the process ids signalled."""
    pids = [pid for pid in descendants() if pid not in keep]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = []
        for pid in pids:
            try:
                os.kill(pid, sig)
                alive.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        if not alive or sig == signal.SIGKILL:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) and not _zombie(p) for p in alive):
            time.sleep(0.05)
    return pids


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
        return stat[stat.rfind(")") + 2:].startswith("Z")
    except OSError:
        return True


@contextmanager
def _children_stopped() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP stop the run's children (:func:`stop_children`) and then raise
    ``KeyboardInterrupt`` (the command ends with "interrupted"); any other way out of the block by
    an exception stops them too. Processes that were already children of the caller when the
    block began are left alone. Handlers are installed only in the main thread."""
    keep = frozenset(descendants())

    def on_signal(signum, frame):
        stop_children(keep=keep)
        raise KeyboardInterrupt

    old = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            old[sig] = signal.signal(sig, on_signal)
    try:
        yield
    except BaseException:
        stop_children(keep=keep)
        raise
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------
def run(paper_ids: Sequence[str] | None = None, source: str = "reconstructed",
        data_path: str | None = None, seed: int = 2024, n_bootstrap: int | None = None,
        out_dir: str | Path = "reports", jobs: int = 1, show_code: bool = False,
        progress: bool = True, missing: str | None = None,
        sesoi: float | None = None, inputs: Sequence[str] = (),
        planning_reps: int | None = None) -> RunSummary:
    """Execute paper notebooks and write their reports and the index.

    Parameters
    ----------
    paper_ids : sequence of str, optional
        Papers to run: bundled ids or paths of published records (paper.yaml); default: every
        bundled paper.
    source : {"reconstructed", "simulated"}
        Data source when ``data_path`` is not given.
    data_path : str, optional
        CSV of responses (item names of the record as columns); only read.
    seed : int
        Seed of reconstruction and bootstrap.
    n_bootstrap : int, optional
        Bootstrap resamples (default: the notebook's own default).
    out_dir : path
        Output folder (created if missing).
    jobs : int
        Papers executed at once, each job in a kernel of its own.
    show_code : bool
        Keep code cells in the HTML reports.
    progress : bool
        Show progress on standard error: a tqdm bar over the papers when standard error is a
        terminal, otherwise one line per finished paper.
    missing : {"listwise", "fiml"}, optional
        Treatment of incomplete rows; default each record's ``sample.missing``.
    sesoi : float, optional
        Smallest effect size of interest of the equivalence tests of a replication (with
        ``data_path``).
    inputs : sequence of str
        Further files the run reads (the user's response file when ``data_path`` is a validated
        copy): like ``data_path`` and the records given as paths, never inside a report folder,
        replaced by the index or in ``out_dir`` itself.
    planning_reps : int, optional
        Monte Carlo replications per N of "Planning a replication" (default: the notebook's, 0:
        the analytic power alone).

    Returns
    -------
    RunSummary
        ``exit_status`` 0 when every paper ran, 1 otherwise; ``text()`` names failures with the
        failing cell's error.
    """
    from replication.record.schema import paper_ids as all_ids

    papers = list(paper_ids) if paper_ids else all_ids()
    build_dir = Path(tempfile.mkdtemp(prefix="replication-notebooks-"))
    try:
        plan = _plan(papers, build_dir)
        with _children_stopped():
            return _run_plan(plan, source=source, data_path=data_path, seed=seed,
                             n_bootstrap=n_bootstrap, out_dir=out_dir, jobs=jobs,
                             show_code=show_code, progress=progress, missing=missing,
                             sesoi=sesoi, inputs=tuple(inputs), planning_reps=planning_reps)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)


def _plan(papers: Sequence[str], build_dir: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """``{id: (notebook path, extra parameters)}`` for bundled ids and record YAML paths.

    A bundled paper runs its stored notebook; a record given as a path (or a bundled id without a
    stored notebook) gets a notebook built from the record by :func:`replication.report.notebook.build`,
    written into ``build_dir`` (never next to the record).
    """
    from replication.report import notebook as nbmod
    from replication.record.schema import load_record

    nb_dir = notebooks_dir()
    plan: dict[str, tuple[str, dict[str, Any]]] = {}
    for entry in papers:
        record = load_record(entry)
        is_path = Path(entry).suffix in (".yaml", ".yml") or Path(entry).is_file()
        if record.id in plan:
            raise InputError(f"{entry}: paper id {record.id!r} given twice; expected each paper once")
        stored = nb_dir / f"{record.id}.ipynb"
        if not is_path and stored.is_file():
            plan[record.id] = (str(stored), {})
            continue
        built = build_dir / f"{record.id}.ipynb"
        built.write_text(nbmod.dumps(nbmod.build(record)), encoding="utf-8")
        extra = {"paper": str(Path(entry).resolve())} if is_path else {}
        plan[record.id] = (str(built), extra)
    return plan


def _run_plan(plan: dict[str, tuple[str, dict[str, Any]]], *, source: str, data_path: str | None,
              seed: int, n_bootstrap: int | None, out_dir: str | Path, jobs: int,
              show_code: bool, progress: bool, missing: str | None = None,
              sesoi: float | None = None, inputs: tuple = (),
              planning_reps: int | None = None) -> RunSummary:
    ids = list(plan)
    if source not in ("reconstructed", "simulated"):
        raise InputError(f"source: {source!r}; expected 'reconstructed' or 'simulated'")
    if jobs < 1:
        raise InputError(f"jobs: expected a whole number of at least 1, got {jobs}")
    if data_path is not None:
        if not Path(data_path).is_file():
            raise InputError(f"{data_path}: file not found; expected a CSV of responses")
        data_path = str(Path(data_path).resolve())
    records = tuple(extra["paper"] for _, extra in plan.values() if "paper" in extra)
    check_output_folder(out_dir, inputs=(data_path, *records, *inputs), papers=tuple(ids))
    prepare_output_folder(out_dir)
    # absolute: each notebook runs with its own staging folder as working directory
    out = Path(out_dir).resolve()
    remove_stale_staging(out)
    params: dict[str, Any] = {"source": source, "data_path": data_path, "seed": int(seed)}
    if n_bootstrap is not None:
        params["n_bootstrap"] = int(n_bootstrap)
    if missing is not None:
        if missing not in ("listwise", "fiml"):
            raise InputError(f"missing: {missing!r}; expected 'listwise' or 'fiml'")
        params["missing"] = missing
    if sesoi is not None:
        params["sesoi"] = float(sesoi)
    if planning_reps is not None:
        params["planning_reps"] = int(planning_reps)
    summary = RunSummary(out_dir=str(Path(out_dir)))
    start = time.perf_counter()
    done = 0

    bar = _progress_bar(len(ids), "papers") if progress else None

    def report(o: PaperOutcome) -> None:
        nonlocal done
        done += 1
        state = "ok" if o.ok else f"FAILED ({o.error})"
        if bar is not None:
            bar.set_postfix_str(f"{o.paper}: {'ok' if o.ok else 'FAILED'}", refresh=False)
            bar.update(1)
            if not o.ok:
                bar.write(f"{o.paper}: {state}", file=sys.stderr)
        elif progress:
            print(f"[{done}/{len(ids)}] {o.paper}: {state} ({o.seconds:.1f} s)", file=sys.stderr,
                  flush=True)

    if progress and bar is None:
        print(f"running {len(ids)} notebook(s) with {min(jobs, len(ids))} job(s) into {out}",
              file=sys.stderr, flush=True)
    def execute(pid: str, kernel: PaperKernel) -> _Staged:
        return _execute_one(pid, {**params, **plan[pid][1]}, str(out), plan[pid][0], kernel)

    def failed(pid: str, exc: BaseException) -> PaperOutcome:
        msg, cell = _error_of(exc)
        return PaperOutcome(pid, False, 0.0, error=msg, cell=cell)

    booted = [PaperKernel() for _ in range(min(jobs, len(ids)))]
    stop = threading.Event()
    try:
        for kernel in booted:  # they boot while the run sets up; a failed start fails the papers
            _start_quietly(kernel)
        outcomes = run_papers(ids, execute, lambda staged: _finish_one(staged, show_code, stop),
                              failed, jobs=jobs, warm_up=_warm_up, on_outcome=report,
                              kernels=booted, stop=stop)
    except BaseException:
        for kernel in booted:
            kernel.close()
        _remove_own_staging(out)
        raise
    if bar is not None:
        bar.close()
    summary.outcomes = [outcomes.get(pid) or PaperOutcome(pid, False, 0.0, error="not run: the "
                                                          "run stopped before it")
                        for pid in ids]
    summary.seconds = time.perf_counter() - start
    write_index(out, summary.outcomes)
    return summary


def main(paper_ids: Sequence[str] | None = None, *, source: str = "reconstructed",
         data_path: str | None = None, seed: int = 2024, n_bootstrap: int | None = None,
         out_dir: str | Path = "reports", jobs: int = 1, show_code: bool = False,
         quiet: bool = False, missing: str | None = None, sesoi: float | None = None,
         inputs: Sequence[str] = (), planning_reps: int | None = None) -> int:
    """Run, print the summary on standard output, return the exit status (0 ok, 1 any failed).

    ``quiet`` turns the progress on standard error off.
    """
    summary = run(paper_ids, source=source, data_path=data_path, seed=seed,
                  n_bootstrap=n_bootstrap, out_dir=out_dir, jobs=jobs, show_code=show_code,
                  progress=not quiet, missing=missing, sesoi=sesoi, inputs=inputs,
                  planning_reps=planning_reps)
    print(summary.text())
    return summary.exit_status
