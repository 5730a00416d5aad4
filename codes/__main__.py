"""python -m codes {search,index,show,group,build-cache} — see README."""
from __future__ import annotations

import argparse
import json
import sys

from . import CM, FY_LABEL, PCS, cm, group, index, lookup, normalize, search, store
from .grouper import Claim, coerce_claim


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, never a traceback
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def _fail(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def cmd_search(a) -> int:
    hits = search(a.query, system=(a.system or "").upper() or None, limit=a.limit, ranking=a.ranking)
    if a.json:
        print(json.dumps([{"code": h.display, "system": h.system, "title": h.title, "billable": h.billable,
                           "match": h.match, "term": h.term} for h in hits], indent=1))
    else:
        for h in hits:
            flag = "" if h.billable else "  (header: not billable)"
            print(f"{h.display:<9} {h.system:<4} {h.title}{flag}" + (f"  [{h.term}]" if h.term else ""))
        if not hits:
            print("No matches.")
    return 0


def cmd_index(a) -> int:
    entries = index.lookup(a.term, a.system.upper())
    if a.json:
        print(json.dumps([[{"depth": d, "term": e.term, "code": e.display, "source": e.source,
                            "notes": [{"kind": n.kind, "text": n.text, "code": n.code} for n in e.notes]}
                           for d, e in top.walk()] for top in entries], indent=1))
        return 0
    for top in entries:
        print(f"[{top.source}]")
        for d, e in top.walk():
            notes = "; ".join(f"{n.kind} {n.text}" + (f" {n.code}" if n.code else "") for n in e.notes)
            print("  " * d + e.term + (f"  {e.display}" if e.code else "") + (f"  - {notes}" if notes else ""))
    if not entries:
        print("No index entry.")
    return 0


def cmd_show(a) -> int:
    n = normalize(a.code)
    if not n.ok:
        return _fail(n.error)
    inf = lookup(n.code)
    if inf is None:
        return _fail(f"{n.display} is not in the {FY_LABEL} ICD-10-CM or ICD-10-PCS code set.")
    if isinstance(inf, cm.CmInfo):
        data = {"code": inf.display, "system": CM, "title": inf.title, "billable": inf.billable,
                "path": [{"code": c, "title": t} for c, t in inf.path],
                "children": [{"code": c, "title": t} for c, t in inf.children],
                "notes": [{"level": lv.code, "kind": k, "text": t} for lv in inf.levels for k, ts in lv.notes.items() for t in ts],
                "seven_chr_def": inf.seven_chr_def}
        if a.json:
            print(json.dumps(data, indent=1))
            return 0
        print(f"{inf.display}  {inf.title}  [{'billable' if inf.billable else 'header - not billable'}]")
        print("  " + " > ".join(f"{c}" for c, _ in inf.path))
        for note in data["notes"]:
            text = note["text"].replace("\n", "\n" + " " * 20)
            print(f"  {note['kind']:<16} ({note['level']}) {text}")
        for c, t in inf.children:
            print(f"  child {c}  {t}")
        if inf.seven_chr_def and len(inf.code) < 7:
            print("  7th characters: " + "; ".join(f"{k} = {v}" for k, v in inf.seven_chr_def.items()))
        return 0
    data = {"code": inf.code, "system": PCS, "title": inf.title, "fiscal_years": list(inf.fiscal_years),
            "characters": [{"position": c.position, "axis": c.axis, "value": c.value, "meaning": c.meaning,
                            "definition": c.definition} for c in inf.characters]}
    if a.json:
        print(json.dumps(data, indent=1))
        return 0
    print(f"{inf.code}  {inf.title}  (valid FY{', FY'.join(map(str, inf.fiscal_years))})")
    for c in inf.characters:
        print(f"  {c.position} {c.axis:<15} {c.value}  {c.meaning}" + (f" - {c.definition}" if c.definition else ""))
    return 0


def _result_json(r) -> dict:
    return {"ok": r.ok, "drg": r.drg, "drg_title": r.drg_title, "mdc": r.mdc, "mdc_title": r.mdc_title,
            "type": r.type, "weight": r.weight, "gmlos": r.gmlos, "amlos": r.amlos,
            "post_acute": r.post_acute, "special_pay": r.special_pay, "severity": r.severity,
            "return_code": r.return_code, "return_message": r.return_message,
            "payment_estimate": r.payment(), "transfer_note": r.transfer_note,
            "edits": [{"name": e.name, "code": e.code, "message": e.message} for e in r.edits],
            "codes": [{"code": c.display, "kind": c.kind, "role": c.role, "severity": c.severity,
                       "poa": c.poa, "drives": c.drives, "hac": c.hac, "title": c.title} for c in r.codes],
            "warnings": list(r.warnings), "errors": list(r.errors), "version": r.version}


def _print_result(r) -> None:
    if not r.ok and r.errors:
        print("Not grouped:")
        for e in r.errors:
            print(f"  - {e}")
        return
    print(f"MS-DRG {r.drg:03d} {r.drg_title}  (MDC {r.mdc:02d}, {r.type or '-'}, v{r.version})" if r.drg is not None else "No DRG")
    if r.weight is not None:
        print(f"  weight {r.weight:.4f}  GMLOS {r.gmlos}  AMLOS {r.amlos}  illustrative payment ${r.payment():,.2f}")
    print(f"  {r.return_message}")
    for c in r.codes:
        print(f"  {c.kind:<4} {c.display:<9} {c.poa or ' ':<1} {c.role}{'  <- drives DRG' if c.drives else ''}{'  HAC: ' + c.hac if c.hac else ''}")
    for e in r.edits:
        print(f"  MCE {e.name} {e.code}: {e.message}")
    for w in r.warnings:
        print(f"  warning: {w}")


def cmd_group(a) -> int:
    if a.batch:
        try:
            fh = sys.stdin if a.batch == "-" else open(a.batch, encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot read {a.batch}: {exc.strerror}")
        with fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    claim = coerce_claim(json.loads(line))
                    out = _result_json(group(claim))
                except (ValueError, TypeError, AttributeError) as exc:
                    out = {"ok": False, "line": lineno, "error": f"line {lineno}: {exc}"}
                print(json.dumps(out), flush=True)
        return 0
    if not a.pdx:
        return _fail("--pdx is required (or use --batch FILE)")
    sdx = []
    for item in a.sdx or []:
        code, _, poa = item.partition(":")
        sdx.append((code, poa or "Y"))
    claim = Claim(pdx=a.pdx, pdx_poa=a.pdx_poa, sdx=tuple(sdx), procedures=tuple(a.proc or ()), age=a.age,
                  sex=a.sex, disposition=a.disposition, version=a.version)
    r = group(claim)
    if a.json:
        print(json.dumps(_result_json(r), indent=1))
    else:
        _print_result(r)
    return 0 if r.ok else 1


def cmd_build(a) -> int:
    path = store.build(progress=lambda f, m: print(f"{f:4.0%}  {m}", flush=True))
    print(path)
    return 0


def main(argv=None) -> int:
    p = _Parser(prog="python -m codes", description="ChartLab reference layer: search, show, group.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    s = sub.add_parser("search", help="search ICD-10-CM and ICD-10-PCS")
    s.add_argument("query")
    s.add_argument("--system", choices=["cm", "pcs", "CM", "PCS"])
    s.add_argument("--limit", type=int, default=20)
    s.add_argument("--ranking", choices=["encoder", "plain", "legacy"], default="encoder")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_search)
    s = sub.add_parser("index", help="look a main term up in the ICD-10-CM or ICD-10-PCS index")
    s.add_argument("term")
    s.add_argument("--system", choices=["cm", "pcs", "CM", "PCS"], default="CM")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_index)
    s = sub.add_parser("show", help="a code's title and notes (CM) or character meanings (PCS)")
    s.add_argument("code")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_show)
    s = sub.add_parser("group", help="group a claim with the MS-DRG grouper and run the MCE")
    s.add_argument("--pdx")
    s.add_argument("--pdx-poa", default="Y")
    s.add_argument("--sdx", nargs="*", help="CODE:POA ...")
    s.add_argument("--proc", nargs="*", help="ICD-10-PCS codes, principal first")
    s.add_argument("--age", type=int, default=65)
    s.add_argument("--sex", default="U", choices=["M", "F", "U", "m", "f", "u"])
    s.add_argument("--disposition", default="01")
    s.add_argument("--version", type=int, default=431)
    s.add_argument("--batch", help="JSON-lines file of claims ('-' for stdin)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_group)
    s = sub.add_parser("build-cache", help="(re)build the reference cache and search index")
    s.set_defaults(fn=cmd_build)
    a = p.parse_args(argv)
    if getattr(a, "sex", None):
        a.sex = a.sex.upper()
    if getattr(a, "limit", 1) is not None and getattr(a, "limit", 1) < 1:
        return _fail("--limit must be at least 1")
    return a.fn(a)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` etc.
        sys.exit(0)
