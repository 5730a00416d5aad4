"""The one strict reader for ChartLab's data files (YAML), shared by every package.

    data, problems = load_yaml(path)          # never raises on bad content
    problems += check_keys(data, required=("id",), optional=("notes",), file=..., where="")
    if problems: raise ContentError(problems)

A `Problem` names the file, the field path inside it ("questions[2].correct") and what is wrong.
Readers collect every problem of a file before giving up, so an author sees all mistakes in one run.

Strict means: a mapping with the same key twice is an error, and so is every plain scalar that
YAML 1.1 (what PyYAML implements) reads differently from YAML 1.2 and from what an author means:
`yes`/`no`/`on`/`off` as booleans, `064` as the octal number 52, `1:30` as 90, `1_000`, and
unquoted dates turned into date objects. Such a scalar is kept as the text written and reported;
quote it (`"064"`, `"2026-04-01"`) or write what is meant (`64`, `true`).

This module imports nothing from ChartLab, so `codes`, `cases`, `scoring` and `lessons` can all
use it without import cycles.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

__all__ = ["Problem", "ContentError", "load_yaml", "load_strict", "parse_yaml", "check_keys", "join", "display_path",
           "raise_problems"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Problem:
    """One finding: which file, which field inside it, and what is wrong."""
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


class ContentError(ValueError):
    """A data file is wrong; `problems` lists every finding, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid content")


def raise_problems(problems: Iterable[Problem]) -> None:
    """Raise ContentError when there is any problem."""
    problems = list(problems)
    if problems:
        raise ContentError(problems)


def display_path(path: Path | str) -> str:
    """A path relative to the repository when it lies inside it (short, stable messages)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(p)


def join(where: str, key: str) -> str:
    """Field path: join("questions[2]", "stem") -> "questions[2].stem"."""
    return f"{where}.{key}" if where else key


# --- strict YAML -----------------------------------------------------------------------------

_BOOL_TEXT = {"true", "false"}
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*|0x[0-9a-fA-F]+|0o[0-7]+)")
_SURPRISE_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                  "tag:yaml.org,2002:timestamp"}


def _surprise(node: yaml.Node) -> str:
    """Why a plain scalar would not mean what it says, or "" when it is fine."""
    if not isinstance(node, yaml.ScalarNode) or node.style is not None or node.tag not in _SURPRISE_TAGS:
        return ""
    text = node.value
    if node.tag.endswith(":bool") and text.lower() not in _BOOL_TEXT:
        return f"{text!r} is read as a boolean by YAML 1.1; write true or false, or quote it"
    if node.tag.endswith(":int") and not _PLAIN_INT.fullmatch(text):
        return (f"{text!r} is not read as written by YAML 1.1 (a leading zero makes it octal, ':' base 60); "
                f"quote it (\"{text}\") or write the number without it")
    if node.tag.endswith(":float") and (":" in text or "_" in text):
        return f"{text!r} is not read as written by YAML 1.1; quote it"
    if node.tag.endswith(":timestamp"):
        return f"{text!r} is read as a date object by YAML 1.1; quote it (\"{text}\")"
    return ""


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps surprising plain scalars as the text written (they are reported)."""


def _scalar_constructor(base):
    def construct(loader: _Loader, node: yaml.ScalarNode):
        return node.value if _surprise(node) else base(loader, node)
    return construct


for _tag, _base in (("bool", yaml.SafeLoader.construct_yaml_bool), ("int", yaml.SafeLoader.construct_yaml_int),
                    ("float", yaml.SafeLoader.construct_yaml_float),
                    ("timestamp", yaml.SafeLoader.construct_yaml_timestamp)):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _scalar_constructor(_base))


def _line(node: yaml.Node) -> str:
    return f" (line {node.start_mark.line + 1})"


def _walk(node: yaml.Node, where: str, file: str, out: list[Problem]) -> None:
    """Problems for duplicate keys and surprising scalars anywhere under `node`."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            path = join(where, key)
            if key in seen:
                out.append(Problem(file, path, "duplicate key: this key is already set above" + _line(key_node)))
            seen.add(key)
            why = _surprise(key_node)
            if why:
                out.append(Problem(file, path, f"key {why}" + _line(key_node)))
            _walk(value_node, path, file, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _walk(child, f"{where}[{i}]", file, out)
    else:
        why = _surprise(node)
        if why:
            out.append(Problem(file, where or "(top level)", why + _line(node)))


def _syntax_problem(file: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}" if mark is not None else ""
    return Problem(file, where, f"YAML error: {getattr(exc, 'problem', None) or exc}")


def parse_yaml(text: str, file: str = "<text>") -> tuple[Any, list[Problem]]:
    """(data, problems) for YAML text. A syntax error gives (None, [that problem]); duplicate keys
    and YAML 1.1 surprises are all reported while the data is still returned."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        problems: list[Problem] = []
        _walk(node, "", file, problems)
        return loader.construct_document(node), problems
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(file, exc)]
    finally:
        loader.dispose()


def load_yaml(path: Path | str) -> tuple[Any, list[Problem]]:
    """(data, problems) for a YAML file; an unreadable file is a problem, not an exception."""
    file = display_path(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, "", f"cannot be read ({exc})")]
    return parse_yaml(text, file)


def check_keys(data: Any, required: Iterable[str], optional: Iterable[str], file: str, where: str) -> list[Problem]:
    """Problems for a mapping that is not a mapping, lacks a required key or has an unknown one."""
    if not isinstance(data, Mapping):
        return [Problem(file, where or "(top level)", f"must be a mapping, not {type(data).__name__}")]
    required, optional = list(required), set(optional)
    allowed = set(required) | optional
    out = [Problem(file, join(where, k), "required field is missing") for k in required if k not in data]
    out += [Problem(file, join(where, str(k)), f"unknown field (allowed: {', '.join(sorted(allowed))})")
            for k in data if k not in allowed]
    return out


def load_strict(path) -> Any:
    """The data of one file, or ContentError listing every problem (for data a program ships,
    where any problem is a bug to fix, not a message to show)."""
    data, problems = load_yaml(path)
    raise_problems(problems)
    return data if data is not None else {}
