"""Papers through kernels: who runs which paper when, and how a run stops.

``jobs`` threads each drive one kernel (:class:`replication.report.kernels.PaperKernel`)
through the papers, taking the next one from a shared queue as soon as their kernel is free;
one more thread finishes the papers (HTML report, tables, diagrams) in the order their notebooks
end, while the kernels go on with the next ones. The threads are daemons and the calling thread
waits in short slices, so a signal (Ctrl-C, ``SIGTERM``) interrupts the wait at once: no further
paper is started or finished, and the caller's cleanup runs without waiting for a thread that
sits on a stopped kernel.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Sequence

from replication.report.kernels import PaperKernel

__all__ = ["run_papers"]

#: Seconds the calling thread waits at a time (how soon it sees a signal).
WAIT_SLICE = 0.1
#: Seconds an interrupted run gives the finishing thread to end the paper it is on (HTML and
#: tables of one paper take about a second).
FINISH_WAIT = 10.0


def run_papers(ids: Sequence[str], execute: Callable[[str, PaperKernel], Any],
               finish: Callable[[Any], Any], failed: Callable[[str, BaseException], Any], *,
               jobs: int, warm_up: Callable[[], None] | None = None,
               on_outcome: Callable[[Any], None] | None = None,
               kernels: Sequence[PaperKernel] = (),
               stop: threading.Event | None = None) -> dict[str, Any]:
    """Execute and finish every paper of ``ids``; ``{id: outcome}``.

    Parameters
    ----------
    ids : sequence of str
    execute : callable
        ``execute(id, kernel)``: runs the paper's notebook in ``kernel``; its value goes to
        ``finish``.
    finish : callable
        ``finish(executed)``: the paper's outcome.
    failed : callable
        ``failed(id, error)``: the outcome of a paper whose ``execute`` or ``finish`` raised.
    jobs : int
        Kernels (and threads driving them), at most one per paper.
    warm_up : callable, optional
        Run by the finishing thread before the first paper ends (imports it will need).
    on_outcome : callable, optional
        Called with each outcome, in the finishing thread, as the papers end.
    kernels : sequence of PaperKernel, optional
        Kernels started already (:meth:`PaperKernel.start`), used before new ones are made;
        every kernel is closed when the run ends.
    stop : threading.Event, optional
        Set when the run is interrupted (and when it ends); ``finish`` may look at it before it
        publishes anything.

    Returns
    -------
    dict
        The outcome of every paper that ended; a paper without one was not run (the finishing
        thread failed, or the run was interrupted).
    """
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    for pid in ids:
        tasks.put(pid)
    ended: queue.SimpleQueue = queue.SimpleQueue()
    stopping = stop if stop is not None else threading.Event()
    outcomes: dict[str, Any] = {}
    spare = list(kernels)
    kernels = list(kernels)
    lock = threading.Lock()

    def drive() -> None:
        with lock:
            kernel = spare.pop(0) if spare else PaperKernel()
            if kernel not in kernels:
                kernels.append(kernel)
        while not stopping.is_set():
            try:
                pid = tasks.get_nowait()
            except queue.Empty:
                return
            try:
                executed = execute(pid, kernel)
                ended.put((pid, lambda executed=executed: finish(executed)))
            except BaseException as exc:  # noqa: BLE001 - one paper's failure, reported
                ended.put((pid, lambda exc=exc, pid=pid: failed(pid, exc)))

    def finish_all() -> None:
        if warm_up is not None:
            try:
                warm_up()
            except Exception:  # noqa: BLE001 - finishing imports again what it needs
                pass
        try:
            for _ in ids:
                pid, outcome_of = ended.get()
                if stopping.is_set():
                    return
                try:
                    outcome = outcome_of()
                except Exception as exc:  # noqa: BLE001 - one paper's failure, reported
                    outcome = failed(pid, exc)
                outcomes[pid] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
        finally:  # whatever ends this thread ends the run: no paper is started after it
            stopping.set()

    drivers = [threading.Thread(target=drive, name=f"kernel-{k + 1}", daemon=True)
               for k in range(max(1, min(jobs, len(ids))))]
    finisher = threading.Thread(target=finish_all, name="finisher", daemon=True)
    try:
        for t in [*drivers, finisher]:
            t.start()
        while finisher.is_alive():
            finisher.join(WAIT_SLICE)
    except BaseException:
        stopping.set()
        finisher.join(FINISH_WAIT)  # it waits on no kernel: let it leave the folders alone
        raise
    finally:
        stopping.set()
        with lock:
            for kernel in kernels:
                kernel.close()
    return outcomes
