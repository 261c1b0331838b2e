"""Writing output files atomically, with ordinary permissions.

Every file the suite writes (results, reports, reconstructed data) is first written under a
temporary name in the destination folder and then renamed into place, so an interrupted run never
leaves a partial file that looks complete. Temporary files and folders are created private
(``mkstemp``/``mkdtemp``); :func:`publish_mode` gives them the permissions a plain ``open`` would
(0666 or 0777 less the umask) before they are renamed into place.
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
from pathlib import Path

from replication.engine.errors import InputError

__all__ = ["default_mode", "publish_mode", "atomic_write_text", "check_output_path",
           "check_output_folder", "prepare_output_folder", "REPORT_FILES"]


def default_mode(directory: bool = False) -> int:
    """Permissions of a newly created file (0666) or folder (0777) under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


def publish_mode(path: str | os.PathLike, directory: bool | None = None) -> None:
    """Give a (temporary, private) file or folder the ordinary permissions of a new one."""
    p = Path(path)
    is_dir = p.is_dir() if directory is None else directory
    os.chmod(p, default_mode(is_dir))
    if is_dir:
        for sub in p.rglob("*"):
            os.chmod(sub, default_mode(sub.is_dir()))


def atomic_write_text(path: str | os.PathLike, text: str, *, what: str = "output") -> Path:
    """Write ``text`` (UTF-8, no newline translation) to ``path`` atomically.

    Parameters
    ----------
    path : path
        Destination; its folder must exist.
    text : str
    what : str
        Names the destination in error messages (e.g. ``"--out"``).

    Raises
    ------
    InputError
        The folder does not exist or cannot be written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{what} {target}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"{what} {target}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, default_mode())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{what} {target}: cannot write ({exc.strerror or exc})") from None
        raise
    return target


def _real(path: str | os.PathLike) -> str:
    """The path with every symbolic link resolved (``os.path.realpath``: a loop does not raise)."""
    return os.path.realpath(os.fspath(path))


def _within(path: str, folder: str) -> bool:
    """Whether the resolved ``path`` is ``folder`` or lies inside it (both from :func:`_real`)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _inside(path: Path, folder: Path) -> bool:
    return _within(_real(path), _real(folder))


def _unreachable(p: Path) -> str | None:
    """Why ``p`` cannot be looked at (a symbolic link loop, a denied folder), or ``None``."""
    try:
        os.stat(p)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(out: str | os.PathLike, *, inputs: tuple = (), option: str = "--out",
                      folder: bool = False) -> None:
    """Refuse an output location that would overwrite what the suite reads.

    Outputs never go into the project's ``data/`` or ``notebooks/`` folders, never replace an input
    file (symbolic and hard links resolved), and never go into the folder of an input file. An output file's existing folder must be writable (tested with a temporary
    file, removed at once).

    Raises
    ------
    InputError
        One line naming the location and what to do instead.
    """
    p = Path(out)
    why = _unreachable(p)
    if why:
        raise InputError(f"{option} {p}: cannot be used ({why}); expected a writable "
                         f"{'folder' if folder else 'file name'}")
    root = Path(__file__).resolve().parents[2]
    for name in ("data", "notebooks"):
        if _inside(p, root / name):
            raise InputError(f"{p}: inside the project's {name}/ folder, which the suite only reads; "
                             f"choose another {option}")
    real = _real(p)
    for src in inputs:
        if src is None:
            continue
        s = Path(src)
        if real == _real(s) or _same_file(real, _real(s)):
            raise InputError(f"{p}: is the input file {s}; choose another {option}")
        if folder and real == os.path.dirname(_real(s)):
            raise InputError(f"{p}: is the folder of the input file {s}; choose another {option}")
        if not folder and os.path.dirname(real) == os.path.dirname(_real(s)):
            raise InputError(f"{p}: would be written into the folder of the input file {s}, "
                             f"which the suite only reads; choose another {option}")
    if folder and p.exists() and not p.is_dir():
        raise InputError(f"{p}: exists and is not a folder; expected an output folder for {option}")
    if not folder and p.is_dir():
        raise InputError(f"{p}: is a directory; expected a file name for {option}")
    if not folder and os.path.isdir(os.path.dirname(real) or "."):
        _write_test(os.path.dirname(real) or ".", p, option, "file name")


def _write_test(folder: str, shown: Path, option: str, expected: str) -> None:
    """Create and remove a temporary file in ``folder``; refuse with one line when that fails."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise InputError(f"{option} {shown}: cannot write there ({exc.strerror or exc}); "
                         f"expected a writable {expected}") from None


#: Files a report folder ``DIR/<id>`` of ``replicate run`` holds (``{id}`` is the paper id);
#: a folder holding anything else is not replaced.
REPORT_FILES = ("{id}.ipynb", "{id}.html", "results.json", "FAILED.txt",
                # the exports beside a report: tables (CSV, LaTeX), Word, diagrams (SVG, PDF)
                "tables", "{id}_tables.docx", "{id}_*.svg", "{id}_*.pdf")


def _foreign(folder: str, paper: str) -> list[str]:
    """Entries of an existing report folder that no report of ``paper`` writes."""
    known = [name.replace("{id}", paper) for name in REPORT_FILES]
    return sorted(e for e in os.listdir(folder)
                  if not any(fnmatch.fnmatchcase(e, k) for k in known))


def check_output_folder(out: str | os.PathLike, *, inputs: tuple = (), papers: tuple = (),
                        option: str = "--out") -> None:
    """Refuse an output folder ``DIR`` of reports ``DIR/<id>/...`` and ``DIR/index.html``.

    On top of :func:`check_output_path` (``folder=True``): no input file (record, response file)
    may lie inside a report folder ``DIR/<id>`` of a paper run (it would be moved aside and
    deleted), nor be ``DIR/index.html``; an existing ``DIR/<id>`` must be a folder (not a link)
    holding only the files of an earlier report (:data:`REPORT_FILES`), which are the only ones a
    new report replaces. Links are resolved before paths are compared.

    Raises
    ------
    InputError
        One line naming the folder, the input or the foreign file, and what to do instead.
    """
    check_output_path(out, inputs=inputs, option=option, folder=True)
    d = _real(out)
    shown = Path(out)
    sources = [(Path(s), _real(s)) for s in inputs if s is not None]
    for s, real in sources:
        index = os.path.join(d, "index.html")
        if real == index or _same_file(real, index):
            raise InputError(f"{option} {shown}: its index.html would replace the input file {s}; "
                             f"choose another {option}")
    for paper in papers:
        final = shown / paper
        for s, real in sources:
            if _within(real, os.path.join(d, paper)) or _within(real, _real(final)):
                raise InputError(f"{option} {shown}: the report folder {final} would replace the "
                                 f"folder of the input file {s}; choose another {option}")
        if not os.path.lexists(final):
            continue
        if os.path.islink(final) or not os.path.isdir(final):
            raise InputError(f"{option} {shown}: {final} exists and is not a report folder; "
                             f"expected a folder of an earlier report, or choose another {option}")
        try:
            foreign = _foreign(str(final), paper)
        except OSError as exc:
            raise InputError(f"{option} {shown}: cannot read {final} ({exc.strerror or exc}); "
                             f"choose another {option}") from None
        if foreign:
            more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
            raise InputError(f"{option} {shown}: {final} holds {foreign[0]}{more}, which no report "
                             f"writes; expected a folder of an earlier report (move those files "
                             f"or choose another {option})")


def prepare_output_folder(out: str | os.PathLike, option: str = "--out") -> bool:
    """Create the output folder (and its parents) and test that a file can be written in it.

    Returns
    -------
    bool
        Whether the folder was created here (so that a caller refusing later can remove it).

    Raises
    ------
    InputError
        One line: the folder cannot be created or written (read-only file system, ``/proc``, a
        symbolic link loop, no permission).
    """
    p = Path(out)
    why = _unreachable(p)
    if why:
        raise InputError(f"{option} {p}: cannot be used ({why}); expected a writable folder")
    created = not os.path.isdir(p)
    try:
        os.makedirs(p, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option} {p}: cannot create the folder ({exc.strerror or exc}); "
                         f"expected a writable folder") from None
    _write_test(str(p), p, option, "folder")
    return created
