"""Loading records: bundled paper ids, YAML files, one-line validation messages."""

from __future__ import annotations

import os
import re
import stat
import types
import typing
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from replication.record.core import Record
from replication.record.printed import RecordError, _FieldError, _got

__all__ = ["load_record", "as_record", "load_all", "load_examples", "paper_ids", "papers_dir",
           "example_ids", "examples_dir", "MAX_RECORD_BYTES", "MAX_ALIASES", "MAX_DEPTH", "MAX_NODES"]

#: Largest record file read (bytes); the bundled records are about 20 kB.
MAX_RECORD_BYTES = 10 * 1024 * 1024
#: Most YAML aliases (``*name``) in a record: each may repeat a whole subtree, so a few nested
#: ones multiply into billions of values ("billion laughs"); the bundled records use none.
MAX_ALIASES = 100
#: Deepest nesting of lists and mappings (the bundled records nest 5 deep).
MAX_DEPTH = 50
#: Most YAML nodes (scalars, lists, mappings) in a record.
MAX_NODES = 500_000
#: YAML's safe loader (no code, no Python objects), with libyaml's C parser where PyYAML was
#: built with it (the same documents, several times faster) and the pure-Python one otherwise.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
            text = str(part)
            out += ("." if out else "") + (text if text.isprintable() else repr(text))
    return out


def _model_classes(annotation: Any) -> list[Any]:
    """The types an annotation allows, ``Optional`` and unions opened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return [t for arg in typing.get_args(annotation) for t in _model_classes(arg)]
    if origin is typing.Annotated:
        return _model_classes(typing.get_args(annotation)[0])
    return [annotation]


def _step(annotation: Any, part: Any) -> Any:
    """The annotation one step of a validation location further (a field, an index, a key)."""
    for t in _model_classes(annotation):
        origin = typing.get_origin(t)
        args = typing.get_args(t)
        if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(part, str):
            for name, info in t.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
        elif origin in (list, tuple, set, frozenset) and isinstance(part, int) and args:
            return args[0]
        elif origin is dict and isinstance(part, str) and len(args) == 2:
            return args[1]
    return None


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    """The field names a record allows where the unknown field ``loc[-1]`` stands, by their
    names as written in the YAML (aliases); empty when the place cannot be followed."""
    annotation: Any = Record
    for part in loc[:-1]:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    for t in _model_classes(annotation):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return [info.alias or name for name, info in t.model_fields.items()]
    return []


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
            allowed = _allowed_fields(err["loc"])
            msg = "unknown field" + (f"; expected one of {', '.join(allowed)}" if allowed else "")
        elif err["type"] != "value_error" and "input" in err:
            msg = f"{msg}, got {_got(err['input'])}"
    msg = " ".join(str(msg).split())
    return f"field {loc}: {msg}" if loc else msg


def _shown(p: FilePath) -> str:
    """A path for a one-line message: as written, or quoted when it holds a line break or
    another control character."""
    text = str(p)
    return text if text.isprintable() else repr(text)


def _record_path(path_or_id: str | os.PathLike) -> FilePath:
    """The paper.yaml a bundled paper id, worked example id, file or folder names."""
    if isinstance(path_or_id, os.PathLike):
        path_or_id = os.fspath(path_or_id)
    if not isinstance(path_or_id, str):
        raise TypeError(f"path_or_id: expected a paper id or the path of a paper.yaml (str or "
                        f"os.PathLike), got {type(path_or_id).__name__}")
    if not path_or_id.strip():
        raise RecordError(f"empty paper name; expected one of {', '.join(paper_ids())} or a paper.yaml path")
    if "\x00" in path_or_id:
        raise RecordError(f"{path_or_id!r}: a NUL character in the paper name; expected a paper id "
                          "or a paper.yaml path")
    try:
        return _existing_record_path(FilePath(path_or_id), path_or_id)
    except OSError as exc:  # a name too long, a loop of links, a folder not readable
        raise RecordError(f"{_got(path_or_id)}: cannot be opened ({exc.strerror or exc.__class__.__name__}); "
                          "expected a paper id or a paper.yaml path") from None


def _existing_record_path(p: FilePath, path_or_id: str) -> FilePath:
    if not p.suffix and not p.exists():
        candidate = papers_dir() / path_or_id / "paper.yaml"
        if not candidate.exists():
            candidate = examples_dir() / path_or_id / "paper.yaml"
        if not candidate.exists():
            raise RecordError(f"unknown paper {path_or_id!r}; expected one of "
                              f"{', '.join(paper_ids() + example_ids())}")
        p = candidate
    if p.is_dir():
        inner = p / "paper.yaml"
        if not inner.is_file():
            raise RecordError(f"{_shown(p)}: is a directory without paper.yaml; expected a paper id or a "
                              "paper.yaml file")
        p = inner
    return p


def _read_text(p: FilePath) -> str:
    """The text of a regular file, refused above :data:`MAX_RECORD_BYTES` (read bounded; a
    pipe or a device is never opened)."""
    try:
        regular = stat.S_ISREG(os.stat(p).st_mode)
    except FileNotFoundError:
        raise RecordError(f"{_shown(p)}: file not found") from None
    except (OSError, ValueError) as exc:
        raise RecordError(f"{_shown(p)}: cannot read ({exc.__class__.__name__})") from None
    if not regular:  # a pipe or a device may never end
        raise RecordError(f"{_shown(p)}: not a regular file; expected a paper.yaml file")
    try:
        with open(p, "rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
    except FileNotFoundError:
        raise RecordError(f"{_shown(p)}: file not found") from None
    except (OSError, ValueError) as exc:
        raise RecordError(f"{_shown(p)}: cannot read ({exc.__class__.__name__})") from None
    if len(raw) > MAX_RECORD_BYTES:
        raise RecordError(f"{_shown(p)}: file larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB; expected "
                          "a record of a few kB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError(f"{_shown(p)}: cannot read (not UTF-8 text)") from None


def _check_events(text: str, p: FilePath) -> None:
    """Refuse a YAML text with too many aliases, values or nesting levels before building it.

    The events are read one at a time (PyYAML's parser is not recursive) and every alias counts
    as the values and the depth of what it repeats, so neither an alias bomb (a few nested
    aliases that multiply into billions of values) nor ten thousand nested brackets can exhaust
    the memory or the stack of the steps that follow.
    """
    aliases = 0
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (values, depth) of what it names
    stack: list[list] = [[0, 0, None]]  # per open list or mapping: values, depth below, anchor

    def add(size: int, depth: int) -> None:
        top = stack[-1]
        top[0] += size
        top[1] = max(top[1], depth)
        if sum(frame[0] for frame in stack) > MAX_NODES:
            raise RecordError(f"{_shown(p)}: more than {MAX_NODES:,} YAML values (aliases expanded); "
                              "expected a record of a paper")
        if len(stack) - 1 + depth > MAX_DEPTH:
            raise RecordError(f"{_shown(p)}: lists and mappings nested more than {MAX_DEPTH} deep; "
                              "expected a record of a paper")

    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise RecordError(f"{_shown(p)}: more than {MAX_ALIASES} YAML aliases (*name); expected a "
                                  "record that writes its values out")
            add(*anchors.get(event.anchor, (1, 0)))
        elif isinstance(event, yaml.ScalarEvent):
            add(1, 0)
            if event.anchor is not None:
                anchors[event.anchor] = (1, 0)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([0, 0, event.anchor])
            add(0, 0)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            size, depth, anchor = stack.pop()
            if anchor is not None:
                anchors[anchor] = (size + 1, depth + 1)
            add(size + 1, depth + 1)


def _parse(text: str, p: FilePath) -> dict:
    """The top-level mapping of a record's YAML text (safe loader: no code, no Python objects)."""
    try:
        _check_events(text, p)
        raw = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml stops at 1,000 levels
            raise RecordError(f"{_shown(p)}: lists and mappings nested more than {MAX_DEPTH} "
                              "deep; expected a record of a paper") from None
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise RecordError(f"{_shown(p)}:{where} is not valid YAML") from None
    except RecordError:
        raise
    except Exception:  # PyYAML's constructors fail on some tagged scalars (``!!int`` alone)
        raise RecordError(f"{_shown(p)}: is not valid YAML (a value cannot be read)") from None
    if not isinstance(raw, dict):
        raise RecordError(f"{_shown(p)}: expected a mapping of record fields at the top level")
    return raw


def load_record(path_or_id: str | os.PathLike) -> Record:
    """Load and validate a record from a YAML path, a bundled paper id or a worked example id.

    The file is read with YAML's safe loader (no code runs, no Python objects are built); files
    above :data:`MAX_RECORD_BYTES`, with more than :data:`MAX_ALIASES` aliases, more than
    :data:`MAX_NODES` values or nesting deeper than :data:`MAX_DEPTH` are refused.

    Raises
    ------
    RecordError
        One line naming the file, the field and what was expected.
    TypeError
        ``path_or_id`` neither a ``str`` nor an ``os.PathLike``.
    """
    p = _record_path(path_or_id)
    text = _read_text(p)
    raw = _parse(text, p)
    try:
        return Record.model_validate(raw)
    except ValidationError as exc:
        raise RecordError(f"{_shown(p)}: {_with_file_line(_message(exc.errors()[0]), text)}") from None
    except RecursionError:
        raise RecordError(f"{_shown(p)}: nested too deeply; expected a record of a paper") from None


def as_record(value: Any, name: str = "record") -> Record:
    """A :class:`Record` given as itself, a bundled paper id or the path of a paper.yaml.

    Raises
    ------
    TypeError
        ``value`` is none of these (one sentence naming the argument ``name``).
    RecordError
        The id is unknown or the file does not load (:func:`load_record`).
    """
    if isinstance(value, Record):
        return value
    if isinstance(value, (str, os.PathLike)):
        return load_record(value)
    raise TypeError(f"{name}: expected a Record, a paper id or the path of a paper.yaml, got "
                    f"{type(value).__name__}")


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
