"""Jupyter kernels that execute paper notebooks one after another.

A run of several papers keeps one kernel per job and executes its papers in it in turn: the
second paper of a kernel starts without the second or so a kernel takes to start and import the
suite. Before each notebook the kernel's namespace is cleared and its execution count set back
to 1 (IPython's ``reset`` with a new session) and its working directory set to the paper's
staging folder, so a notebook sees what a fresh kernel
would show it: its own parameters and imports, nothing of the paper before. What stays is the
modules' code, which holds no state that reaches a result (every random draw has its seed
passed in), so results are byte-identical whatever the order of papers or the number of jobs.

Parameters are injected after the cell tagged ``parameters`` as papermill injects them (its
``parameterize_notebook``); the notebook runs with nbclient (Project Jupyter's executor, which
papermill wraps). A notebook that fails keeps its outputs up to the failing cell; a kernel that
died is replaced before the next paper.
"""

from __future__ import annotations

import atexit
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["NotebookFailed", "PaperKernel", "KERNEL_ENV"]

#: Environment of the kernels: single-threaded linear algebra (several papers share the cores,
#: and results do not depend on thread scheduling) and a fixed hash seed.
KERNEL_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}

#: Seconds a kernel may take to start and answer, and to clear its namespace.
START_TIMEOUT = 60
#: Run silently before each notebook: IPython's reset with a new session (the namespace
#: cleared, as ``%reset -f`` does, and the execution count back at 1, so cells are numbered as
#: in a fresh kernel), then the paper's staging folder as working directory.
_PREPARE = ("get_ipython().reset(new_session=True)\nimport os as _os\n_os.chdir({cwd!r})\n"
            "del _os")


class _NotStarted(Exception):
    """The kernel failed before the notebook's first cell started."""


@dataclass
class NotebookFailed(Exception):
    """A cell raised: ``ename: evalue`` of its error, in the cell of ``exec_count``."""

    ename: str
    evalue: str
    exec_count: int | None
    notebook: Any = None

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}"


class PaperKernel:
    """One kernel (``python3``) executing notebooks one after another; started at the first one.

    Use it from one thread at a time, and :meth:`shutdown` it when the run ends.
    """

    def __init__(self) -> None:
        self._km = None
        self._client = None
        self._closed = False

    def start(self) -> "PaperKernel":
        """Start the kernel now (it boots while the caller goes on); returns ``self``."""
        self._manager()
        return self

    def _manager(self):
        """The running kernel's manager, (re)started when there is none or it died."""
        from jupyter_client.manager import KernelManager

        if self._km is not None and self._km.is_alive():
            return self._km
        if self._closed:
            raise RuntimeError("the run has ended; no kernel is started for it any more")
        self.shutdown()
        km = KernelManager(kernel_name="python3")
        # nbclient waits for an asynchronous client's messages in slices and checks between
        # them that the kernel still runs; a blocking client would wait for ever on a dead one
        km.client_class = "jupyter_client.asynchronous.AsyncKernelClient"
        km.start_kernel(extra_arguments=["--log-level=CRITICAL"],
                        env={**os.environ, **KERNEL_ENV}, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
        self._km = km
        if self._closed:  # closed while this one started (an interrupted run): stop it too
            self.shutdown()
            raise RuntimeError("the run has ended; no kernel is started for it any more")
        return km

    def execute(self, notebook: str | Path, parameters: dict[str, Any], cwd: Path):
        """Execute ``notebook`` with ``parameters`` in ``cwd``; the executed notebook node.

        A kernel that fails before the notebook's first cell starts (it did not come up, or
        stopped while it was being prepared) is replaced and the notebook run once more on the
        new one: nothing of the notebook had run.

        Raises
        ------
        NotebookFailed
            A cell raised; ``notebook`` holds the outputs up to and including that cell.
        """
        try:
            return self._execute(notebook, parameters, cwd)
        except _NotStarted:
            self.shutdown()
            return self._execute(notebook, parameters, cwd, last_try=True)

    def _execute(self, notebook: str | Path, parameters: dict[str, Any], cwd: Path,
                 last_try: bool = False):
        """One attempt of :meth:`execute`; :class:`_NotStarted` when no cell started."""
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, DeadKernelError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters)
        client = NotebookClient(nb, km=self._manager(), kernel_name="python3", timeout=None,
                                startup_timeout=START_TIMEOUT,
                                resources={"metadata": {"path": str(cwd)}})

        async def prepare(notebook) -> None:
            """Clear the namespace and enter ``cwd``, silently, before the first cell."""
            msg_id = client.kc.execute(_PREPARE.format(cwd=str(cwd)), silent=True,
                                       store_history=False)
            reply = await client.async_wait_for_reply(msg_id)
            if reply is None or reply["content"].get("status") != "ok":
                raise RuntimeError("the kernel could not be prepared for the next notebook")

        started: list[int] = []
        client.on_notebook_start = prepare
        client.on_cell_start = lambda cell, cell_index: started.append(cell_index)
        self._client = client
        try:
            client.execute()
        except CellExecutionError as exc:
            raise NotebookFailed(exc.ename, exc.evalue, _failing_cell(nb), nb) from None
        except (DeadKernelError, RuntimeError, TimeoutError) as exc:
            if not started and not last_try:
                raise _NotStarted from exc
            if not isinstance(exc, DeadKernelError):
                raise
            raise NotebookFailed("DeadKernelError", "the kernel stopped in this cell (killed, or "
                                 "out of memory)", _code_cell_number(nb, started), nb) from None
        finally:
            self._client = None
            if client.kc is not None:
                client.kc.stop_channels()
        return nb

    def close(self) -> None:
        """Stop the kernel for good: a run that has ended starts no new one."""
        self._closed = True
        self.shutdown()

    def shutdown(self) -> None:
        """Stop the kernel (if one runs); callable from another thread while a notebook runs
        (an interrupted run)."""
        client, self._client = self._client, None
        if client is not None:  # nbclient's own clean-up at exit would wait on its sockets
            atexit.unregister(client._cleanup_kernel)
        km, self._km = self._km, None
        if km is not None:
            try:
                km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - a kernel that is gone already
                pass


def _code_cell_number(nb, started: list[int]) -> int | None:
    """The number, among the code cells, of the last cell that started (the one running when
    the kernel stopped): the execution count it would show, as every code cell runs in turn."""
    if not started:
        return None
    return sum(c.get("cell_type") == "code" for c in nb.cells[:started[-1] + 1])


def _failing_cell(nb) -> int | None:
    """Execution count of the first code cell with an error output."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return cell.get("execution_count")
    return None
