"""Loading records: bundled paper ids, YAML files, one-line validation messages."""

from __future__ import annotations

import re
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import ValidationError

from replication.record.core import Record
from replication.record.printed import RecordError, _FieldError, _got

__all__ = ["load_record", "load_all", "load_examples", "paper_ids", "papers_dir", "example_ids",
           "examples_dir"]


def papers_dir() -> FilePath:
    """Folder holding ``<id>/paper.yaml`` for the bundled papers."""
    return FilePath(__file__).resolve().parents[2] / "data" / "papers"


def paper_ids() -> list[str]:
    """Ids of the bundled papers, sorted."""
    return sorted(p.parent.name for p in papers_dir().glob("*/paper.yaml"))


def examples_dir() -> FilePath:
    """Folder holding the bundled worked examples, ``<id>/paper.yaml`` with their ``data.csv``."""
    return FilePath(__file__).resolve().parents[2] / "data" / "examples"


def example_ids() -> list[str]:
    """Ids of the bundled worked examples (real published analyses with public data), sorted."""
    return sorted(p.parent.name for p in examples_dir().glob("*/paper.yaml"))


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            out += " (name)"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: Any) -> str:
    """One line ``field <dotted.path>: <what was expected, got what>`` from a pydantic error."""
    loc = _loc(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, _FieldError):
        loc = ".".join(part for part in (loc, cause.field) if part).replace(".[", "[")
        msg = cause.message
    else:
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] != "value_error" and "input" in err:
            msg = f"{msg}, got {_got(err['input'])}"
    msg = " ".join(str(msg).split())
    return f"field {loc}: {msg}" if loc else msg


def load_record(path_or_id: str | FilePath) -> Record:
    """Load and validate a record from a YAML path, a bundled paper id or a worked example id.

    Raises
    ------
    RecordError
        One line naming the file, the field and what was expected.
    """
    p = FilePath(path_or_id)
    if not p.suffix and not p.exists():
        candidate = papers_dir() / str(path_or_id) / "paper.yaml"
        if not candidate.exists():
            candidate = examples_dir() / str(path_or_id) / "paper.yaml"
        if not candidate.exists():
            raise RecordError(f"unknown paper {str(path_or_id)!r}; expected one of "
                              f"{', '.join(paper_ids() + example_ids())}")
        p = candidate
    if not str(path_or_id).strip():
        raise RecordError(f"empty paper name; expected one of {', '.join(paper_ids())} or a paper.yaml path")
    if p.is_dir():
        inner = p / "paper.yaml"
        if not inner.is_file():
            raise RecordError(f"{p}: is a directory without paper.yaml; expected a paper id or a "
                              "paper.yaml file")
        p = inner
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"{p}: cannot read ({exc.__class__.__name__})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise RecordError(f"{p}:{where} is not valid YAML") from None
    if not isinstance(raw, dict):
        raise RecordError(f"{p}: expected a mapping of record fields at the top level")
    try:
        return Record.model_validate(raw)
    except ValidationError as exc:
        raise RecordError(f"{p}: {_with_file_line(_message(exc.errors()[0]), text)}") from None


_SYNTAX_LINE = re.compile(r"^field (model\.syntax|results\.fit\[(\d+)\]\.syntax): line (\d+):")


def _with_file_line(message: str, text: str) -> str:
    """A model-syntax message with the line of the YAML file it stands on added.

    ``field model.syntax: line 3: ...`` becomes ``field model.syntax: line 3 (file line 41): ...``
    when the syntax is a block scalar (``syntax: |``) whose lines map one to one on the file.
    """
    m = _SYNTAX_LINE.match(message)
    if not m:
        return message
    try:
        node = yaml.compose(text)
        path = ["model", "syntax"] if m.group(2) is None else ["results", "fit", int(m.group(2)), "syntax"]
        for key in path:
            if isinstance(key, int):
                node = node.value[key]
            else:
                node = next(v for k, v in node.value if k.value == key)
    except Exception:  # the file was read already; a layout we cannot follow keeps the message
        return message
    if getattr(node, "style", None) not in ("|", ">"):
        return message
    line = node.start_mark.line + int(m.group(3)) + 1
    head = f"field {m.group(1)}: line {m.group(3)}"
    return f"{head} (file line {line}):" + message[len(head) + 1:]


def load_all() -> dict[str, Record]:
    """All bundled records by id."""
    return {pid: load_record(pid) for pid in paper_ids()}


def load_examples() -> dict[str, Record]:
    """All bundled worked examples by id."""
    return {eid: load_record(eid) for eid in example_ids()}
