"""Writing output files atomically, with ordinary permissions.

Every file the suite writes (results, reports, reconstructed data) is first written under a
temporary name in the destination folder and then renamed into place, so an interrupted run never
leaves a partial file that looks complete. Temporary files and folders are created private
(``mkstemp``/``mkdtemp``); :func:`publish_mode` gives them the permissions a plain ``open`` would
(0666 or 0777 less the umask) before they are renamed into place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from replication.engine.errors import InputError

__all__ = ["default_mode", "publish_mode", "atomic_write_text", "check_output_path"]


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


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def check_output_path(out: str | os.PathLike, *, inputs: tuple = (), option: str = "--out",
                      folder: bool = False) -> None:
    """Refuse an output location that would overwrite what the suite reads.

    Outputs never go into the project's ``data/`` or ``notebooks/`` folders, never replace an input
    file, and (for an output folder) never go into the folder of an input file.

    Raises
    ------
    InputError
        One line naming the location and what to do instead.
    """
    p = Path(out)
    root = Path(__file__).resolve().parents[2]
    for name in ("data", "notebooks"):
        if _inside(p, root / name):
            raise InputError(f"{p}: inside the project's {name}/ folder, which the suite only reads; "
                             f"choose another {option}")
    for src in inputs:
        if src is None:
            continue
        s = Path(src)
        if p.resolve() == s.resolve():
            raise InputError(f"{p}: is the input file {s}; choose another {option}")
        if folder and p.resolve() == s.resolve().parent:
            raise InputError(f"{p}: is the folder of the input file {s}; choose another {option}")
    if folder and p.exists() and not p.is_dir():
        raise InputError(f"{p}: exists and is not a folder; expected an output folder for {option}")
    if not folder and p.is_dir():
        raise InputError(f"{p}: is a directory; expected a file name for {option}")
