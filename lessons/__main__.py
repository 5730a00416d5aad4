"""`python -m lessons validate` and `python -m lessons list`."""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict

from .validate import validate_all


def _print_problems(problems) -> None:
    by_file = defaultdict(list)
    for p in problems:
        by_file[p.file].append(p)
    for file in sorted(by_file):
        print(file)
        for p in by_file[file]:
            print(f"  - {p.field + ': ' if p.field else ''}{p.message}")


def cmd_validate(args) -> int:
    s = validate_all(args.content, args.questions, args.blueprints, args.overrides, check_codes=not args.no_codes,
                     scenarios_dir=args.scenarios)
    _print_problems(s.problems)
    for w in s.warnings:
        print(f"warning: {w}")
    files = len({p.file for p in s.problems})
    print(f"{len(s.lessons)} lessons, {len(s.questions)} questions, {len(s.blueprints)} blueprints: "
          + (f"{len(s.problems)} problems in {files} files" if s.problems else "no problems")
          + ("" if not args.no_codes else " (codes not checked)"))
    return 1 if s.problems or (args.strict and s.warnings) else 0


def cmd_list(args) -> int:
    s = validate_all(args.content, args.questions, args.blueprints, args.overrides, check_codes=False,
                     scenarios_dir=args.scenarios)
    print(f"Lessons ({len(s.lessons)})")
    for les in s.lessons:
        print(f"  {les.order:2d}. {les.id:32s} {les.minutes:3d} min  {len(les.check)} checks  {les.title}")
    print(f"Questions ({len(s.questions)})")
    for file, n in sorted(Counter(q.file for q in s.questions).items()):
        print(f"  {file}: {n}")
    print("  by domain: " + ", ".join(f"{d} {n}" for d, n in sorted(Counter(q.domain for q in s.questions).items())))
    print("  by credential: " + ", ".join(f"{c} {n}" for c, n in
                                          sorted(Counter(c for q in s.questions for c in q.credentials).items())))
    print(f"Blueprints ({len(s.blueprints)})")
    for bp in s.blueprints.values():
        cases = f" + {bp.cases} cases" if bp.cases else ""
        print(f"  {bp.id:16s} {bp.credential:5s} {bp.items:3d} items{cases} / {bp.minutes} min"
              f"{'  (instructor override)' if bp.overridden else ''}")
    if s.problems:
        print(f"({len(s.problems)} problems: run `python -m lessons validate`)")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lessons", description="ChartLab lessons, question bank and blueprints")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn, help_ in (("validate", cmd_validate, "check every lesson, question file and blueprint"),
                            ("list", cmd_list, "list lessons, question files and blueprints")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--content", help="lessons directory (default lessons/content)")
        p.add_argument("--questions", help="question bank directory (default lessons/questions)")
        p.add_argument("--blueprints", help="shipped blueprints directory (default lessons/blueprints)")
        p.add_argument("--scenarios", help="scenario files case links may name (default cases/scenarios)")
        p.add_argument("--overrides", help="instructor overrides (default $CHARTLAB_BLUEPRINT_DIR or data/blueprints)")
        p.set_defaults(fn=fn)
    v = sub.choices["validate"]
    v.add_argument("--no-codes", action="store_true", help="skip the ICD-10/MS-DRG checks (faster)")
    v.add_argument("--strict", action="store_true", help="also fail on warnings (totals, blueprint coverage)")
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
