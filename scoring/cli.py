"""`python -m scoring score --case case.json --answer answer.json [--rubric exam] [--json]`.

Bad arguments or files print one line on stderr and exit with status 2 (no traceback).
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap

from cases.model import Answer, Case

from .engine import score
from .report import ScoreReport
from .rubric import RubricError, available, rubric


class UsageError(Exception):
    """A problem with the command line or an input file."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m scoring", description="Score a learner's answer against a ChartLab case key.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    s = sub.add_parser("score", help="score one answer")
    s.add_argument("--case", required=True, help="case JSON (as Case.to_dict() / `python -m cases generate --json`)")
    s.add_argument("--answer", required=True, help="answer JSON (as Answer.to_dict())")
    s.add_argument("--rubric", default="practice", help=f"rubric name ({', '.join(available())}) or a YAML path")
    s.add_argument("--json", action="store_true", help="print the full report as JSON")
    sub.add_parser("rubrics", help="list the built-in rubrics")
    return p


def _load_json(path: str, what: str):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise UsageError(f"{what} file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} file {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} file {path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None


def _load_case(path: str) -> Case:
    data = _load_json(path, "case")
    if not isinstance(data, dict):
        raise UsageError(f"case file {path} must hold a JSON object")
    if not data.get("key"):
        raise UsageError(f"case file {path} has no answer key (write it with the key included)")
    try:
        return Case.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"case file {path} is not a ChartLab case ({type(exc).__name__}: {exc})") from None


def _wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def human(report: ScoreReport) -> str:
    """A plain-text rendering of a report for the terminal."""
    lines = [f"Total: {report.total:.1f} / 100   (rubric {report.rubric_id} v{report.rubric_version})", ""]
    for c in report.components:
        if c.applicable:
            lines.append(f"  {c.label:<36} {c.score:6.1f} / {c.max:5.1f}")
    lines += ["", _wrap(report.drg_summary, ""), ""]
    if report.feedback:
        lines.append("What to fix (most consequential first):")
    for n, f in enumerate(report.feedback, 1):
        lines.append(f"{n:>2}. [{f.kind}] {f.code or f.expected}".rstrip())
        lines.append(_wrap(f.message))
        for label, value in (("Impact", f.impact), ("Teaching", f.teaching)):
            if value:
                lines.append(_wrap(f"{label}: {value}"))
    return "\n".join(lines)


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "rubrics":
            for name in available():
                r = rubric(name)
                print(f"{r.id} v{r.version}: {r.title}")
            return 0
        rub = rubric(args.rubric)
        case = _load_case(args.case)
        answer = Answer.from_dict(_load_json(args.answer, "answer"))
        report = score(answer, case.key, rub)
    except (UsageError, RubricError) as exc:
        print(f"python -m scoring: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.json else human(report))
    return 0
