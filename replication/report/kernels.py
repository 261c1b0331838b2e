"""Jupyter kernels that execute paper notebooks one after another.

A run of several papers keeps one kernel per job and executes its papers in it in turn: the
second paper of a kernel starts without the second or so a kernel takes to start and import the
suite. Before each notebook the kernel's namespace is cleared (IPython's ``%reset -f``) and its
working directory set to the paper's staging folder, so a notebook sees what a fresh kernel
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

    def start(self) -> "PaperKernel":
        """Start the kernel now (it boots while the caller goes on); returns ``self``."""
        self._manager()
        return self

    def _manager(self):
        """The running kernel's manager, (re)started when there is none or it died."""
        from jupyter_client.manager import KernelManager

        if self._km is not None and self._km.is_alive():
            return self._km
        self.shutdown()
        km = KernelManager(kernel_name="python3")
        km.start_kernel(extra_arguments=["--log-level=CRITICAL"],
                        env={**os.environ, **KERNEL_ENV}, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
        self._km = km
        return km

    def execute(self, notebook: str | Path, parameters: dict[str, Any], cwd: Path):
        """Execute ``notebook`` with ``parameters`` in ``cwd``; the executed notebook node.

        Raises
        ------
        NotebookFailed
            A cell raised; ``notebook`` holds the outputs up to and including that cell.
        """
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters)
        client = NotebookClient(nb, km=self._manager(), kernel_name="python3", timeout=None,
                                startup_timeout=START_TIMEOUT,
                                resources={"metadata": {"path": str(cwd)}})

        async def prepare(notebook) -> None:
            """Clear the namespace and enter ``cwd``, silently, before the first cell."""
            msg_id = client.kc.execute(f"%reset -f\nimport os as _os\n_os.chdir({str(cwd)!r})\n"
                                       "del _os", silent=True, store_history=False)
            reply = await client.async_wait_for_reply(msg_id)
            if reply is None or reply["content"].get("status") != "ok":
                raise RuntimeError("the kernel could not be prepared for the next notebook")

        client.on_notebook_start = prepare
        self._client = client
        try:
            client.execute()
        except CellExecutionError as exc:
            raise NotebookFailed(exc.ename, exc.evalue, _failing_cell(nb), nb) from None
        finally:
            self._client = None
            if client.kc is not None:
                client.kc.stop_channels()
        return nb

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


def _failing_cell(nb) -> int | None:
    """Execution count of the first code cell with an error output."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return cell.get("execution_count")
    return None
