"""python -m cases {list,generate,validate,export} - see README."""
from __future__ import annotations

import argparse
import json
import sys

from . import generate, library, list_scenarios
from .loader import ContentError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def _markdown(case) -> str:
    lines = [f"# {case.title} ({case.case_id})", "", f"**SYNTHETIC PATIENT** {case.patient.name}, "
             f"{case.patient.age} {case.patient.sex}, MRN {case.patient.mrn}", ""]
    for d in case.documents:
        lines += [f"## {d.title} - {d.datetime} - {d.author}", "", "```", d.text.rstrip(), "```", ""]
    return "\n".join(lines)


def cmd_list(a) -> int:
    rows = list_scenarios()
    if a.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            print(f"{r['id']:<28} MDC {r['mdc']:02d}  difficulty {r['difficulty']}  {r['title']}")
    return 0


def cmd_generate(a) -> int:
    try:
        case = generate(a.scenario, a.seed)
    except KeyError:
        print(f"error: unknown scenario '{a.scenario}' (see python -m cases list)", file=sys.stderr)
        return 2
    print(_markdown(case) if a.markdown else json.dumps(case.to_dict(), indent=1))  # JSON is the default
    return 0


def cmd_validate(a) -> int:
    from .validate import validate_all
    ids = [a.scenario] if a.scenario else None
    if a.scenario and a.scenario not in library().scenarios:
        print(f"error: unknown scenario '{a.scenario}'", file=sys.stderr)
        return 2
    rep = validate_all(a.seeds, ids, progress=lambda i, n, sid: print(f"[{i}/{n}] {sid}", file=sys.stderr, flush=True))
    for sid, counts in sorted(rep.drgs.items()):
        print(f"{sid:<28} " + ", ".join(f"DRG {d}: {n}" for d, n in sorted(counts.items(), key=lambda x: (x[0] is None, x[0]))))
    if rep.disagreements:
        print(f"\ndrgpy disagreements for review ({len(rep.disagreements)}):")
        for sid, seed, ours, theirs in rep.disagreements[:200]:
            print(f"  {sid} seed {seed}: msdrg {ours}, drgpy {theirs}")
    for p in rep.problems:
        print(f"PROBLEM: {p}")
    print(f"\n{rep.cases} cases checked, {len(rep.problems)} problems")
    return 0 if rep.ok else 1


def cmd_export(a) -> int:
    n = 0
    with open(a.out, "w", encoding="utf-8") as fh:
        for sid in sorted(library().scenarios):
            for seed in range(a.start, a.start + a.seeds):
                fh.write(json.dumps(generate(sid, seed).to_dict()) + "\n")
                n += 1
    print(f"wrote {n} cases to {a.out}")
    return 0


def main(argv=None) -> int:
    p = _Parser(prog="python -m cases")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    s = sub.add_parser("list")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_list)
    s = sub.add_parser("generate")
    s.add_argument("--scenario", required=True)
    s.add_argument("--seed", type=int, required=True)
    g = s.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true")
    g.add_argument("--markdown", action="store_true")
    s.set_defaults(fn=cmd_generate)
    s = sub.add_parser("validate")
    s.add_argument("--seeds", type=int, default=50)
    s.add_argument("--scenario")
    s.set_defaults(fn=cmd_validate)
    s = sub.add_parser("export")
    s.add_argument("--seeds", type=int, required=True)
    s.add_argument("--start", type=int, default=0)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_export)
    a = p.parse_args(argv)
    if getattr(a, "seeds", 1) < 1:
        print("error: --seeds must be at least 1", file=sys.stderr)
        return 2
    try:
        return a.fn(a)
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
