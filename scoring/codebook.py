"""Code-book checks on the learner's own code set, each with a reason to act on:
invalid or wrong-system codes, header codes, a missing 7th character, Excludes1 pairs,
missing "code first" / "use additional code" partners, code-first order, duplicates,
Medicare Code Editor edits and sex conflicts.

Checks that could fire on the key itself are suppressed: the key is the reference, so only
differences from it are the learner's to fix.
"""
from __future__ import annotations

from functools import lru_cache

import codes
from codes.normalize import CM

from .clean import Dx, KeyView, Proc, Submission
from .explain import feedback, label, title
from .grouping import Groupings
from .part import ItemIndex

_COVERED_EDITS = {"INVALID_CODE", "DUPLICATE_OF_PDX"}   # already explained by invalid_code / duplicate_code
MAX_CHILDREN_SHOWN = 8


@lru_cache(maxsize=8192)
def _valid(code: str) -> bool:
    return codes.is_valid(code)


def _placeholder_fix(code: str) -> str:
    """A valid code obtained by inserting placeholder X characters, or ""."""
    for n in range(1, 4):
        for pos in range(4, min(len(code), 6) + 1):
            trial = code[:pos] + "X" * n + code[pos:]
            if len(trial) <= 7 and codes.cm.exists(trial) and codes.cm.is_billable(trial):
                return trial
    return ""


def _nearest_parent(code: str) -> str:
    for n in range(len(code) - 1, 2, -1):
        if codes.cm.exists(code[:n]):
            return code[:n]
    return ""


def _children_text(inf) -> str:
    shown = [f"{c} ({t})" for c, t in inf.children[:MAX_CHILDREN_SHOWN]]
    more = f" and {len(inf.children) - MAX_CHILDREN_SHOWN} more" if len(inf.children) > MAX_CHILDREN_SHOWN else ""
    return "; ".join(shown) + more


def _seventh_text(inf) -> str:
    return "; ".join(f"{k} = {v}" for k, v in sorted(inf.seven_chr_def.items())[:6])


def _unknown_dx(d: Dx, component: str, item: int | None):
    fix = _placeholder_fix(d.code)
    if fix:
        hint = (f" Did you mean {codes.display(fix, CM)} ({title(fix)})? When a code needs a 7th character but has "
                f"fewer than 6, fill the empty positions with the placeholder X (guideline I.A.4).")
    else:
        parent = _nearest_parent(d.code)
        hint = (f" The nearest existing level is {label(parent)}; pick the complete code from the Tabular List under "
                f"it." if parent else " Look the term up in the Alphabetic Index, then verify it in the Tabular List "
                                      "(guideline I.B.1).")
    return feedback("invalid_code", component, f"{d.display} does not exist in ICD-10-CM.{hint}", code=d.display,
                    item=item)


def _not_billable(d: Dx, component: str, item: int | None) -> list:
    inf = codes.cm.info(d.code)
    if inf.seven_chr_def and len(d.code) < 7:
        return [feedback("missing_7th_character", component,
                         f"{d.display} ({inf.title}) needs a 7th character ({_seventh_text(inf)}). Add the character "
                         f"for this encounter, with placeholder X in any empty position before it (guidelines I.A.4, "
                         f"I.A.5).", code=d.display, item=item)]
    return [feedback("header_code", component,
                     f"{d.display} ({inf.title}) is a header, not a reportable code: add characters. Codes below it: "
                     f"{_children_text(inf)}. Report codes to the full number of characters available (guideline "
                     f"I.B.2).", code=d.display, item=item)]


def dx_checks(d: Dx, component: str, items: ItemIndex) -> list:
    """Validity of one entered diagnosis (`codes.check` decides; this explains)."""
    item = items.entry(component, d.display)
    if d.error:   # not an ICD-10-CM shape at all: the reader's message says what the shape should be
        return [feedback("invalid_code", component, d.error, code=d.display, item=item)]
    chk = codes.check(d.code, codes.CM)
    if chk.error:
        return [_unknown_dx(d, component, item) if codes.system_of(d.code) == CM else
                feedback("invalid_code", component, chk.error, code=d.display, item=item)]
    if not chk.billable:
        return _not_billable(d, component, item)
    return [] if _valid(d.code) else [feedback(
        "invalid_code", component, f"{d.display} is not valid for the fiscal year of this discharge; use the "
                                   f"code set in effect on the discharge date.", code=d.display, item=item)]


def proc_checks(p: Proc, items: ItemIndex) -> list:
    item = items.entry("pcs", p.display)
    if p.error:
        return [feedback("invalid_code", "pcs", p.error, code=p.display, item=item)]
    if codes.check(p.code, codes.PCS).ok:
        return []
    return [feedback("invalid_code", "pcs",
                     f"{p.code} is not a valid ICD-10-PCS code for this fiscal year. Build it in the PCS Table that "
                     f"starts with {p.code[:3]}: every character must come from the same row of that table.",
                     code=p.code, item=item)]


def _learner_codes(sub: Submission) -> list[str]:
    out = [sub.pdx.code] if sub.pdx and sub.pdx.code else []
    return out + [d.code for d in sub.sdx if d.code]


def _key_codes(key: KeyView) -> list[str]:
    return [k.code for k in key.diagnoses]


def _ranges(note, limit: int = 3) -> str:
    shown = ", ".join(str(r) for r in note.ranges[:limit])
    return shown + (" or another listed code" if len(note.ranges) > limit else "")


def excludes1(sub: Submission, key: KeyView, items: ItemIndex) -> list:
    allowed = {frozenset((c.code, c.other)) for c in codes.cm.excludes1_conflicts(_key_codes(key))}
    out = []
    for c in codes.cm.excludes1_conflicts(_learner_codes(sub)):
        if frozenset((c.code, c.other)) in allowed:
            continue
        a, b = codes.display(c.code, CM), codes.display(c.other, CM)
        out.append(feedback("excludes1", "sdx",
                            f"{a} and {b} cannot be reported together: an Excludes1 note at {c.level} marks them as "
                            f"mutually exclusive, so only one can describe this patient (guideline I.A.12.a). Keep the "
                            f"one the documentation supports.", code=a, expected="", item=items.entry("sdx", a)))
    return out


def partners(sub: Submission, key: KeyView, items: ItemIndex) -> list:
    """Notes satisfied in the key but not in the learner's set (required ones are errors)."""
    mine = _learner_codes(sub)
    keyset = _key_codes(key)
    out = []
    for note in codes.cm.missing_partners(mine, required_only=False):
        if note.code not in keyset or not note.satisfied_by(keyset):
            continue
        partner = next((k for k in key.diagnoses if any(r.contains(k.code) for r in note.ranges)), None)
        what = "a 'code first' instruction" if note.kind == "code_first" else "a 'use additional code' instruction"
        shown = codes.display(note.code, CM)
        msg = (f"{shown} carries {what} (at {note.level}) pointing to {_ranges(note)}; the record supports "
               f"{label(partner.code) if partner else 'such a code'}, so report it"
               + (" and sequence it before " + shown if note.kind == "code_first" else " as well")
               + " (guideline I.A.13).")
        out.append(feedback("missing_partner", "sdx", msg, key, partner, code=shown,
                            expected=partner.display if partner else "",
                            severity="error" if note.required else "hint",
                            item=items.key_code(partner.display, "sdx", "pdx") if partner else None))
    return out


def code_first_order(sub: Submission, key: KeyView, items: ItemIndex) -> list:
    """'Code first' partners listed after the code that carries the note."""
    keyerr = {(n.code, n.text) for n in codes.cm.sequencing_errors(_key_codes(key))}
    out = []
    mine = _learner_codes(sub)
    for note in codes.cm.sequencing_errors(mine):
        if (note.code, note.text) in keyerr:
            continue
        shown = codes.display(note.code, CM)
        later = ", ".join(codes.display(c, CM) for c in mine if c != note.code and any(r.contains(c) for r in note.ranges))
        component = "pdx" if sub.pdx and note.code == sub.pdx.code else "sdx"
        out.append(feedback("sequencing", component,
                            f"{shown} has a 'code first' instruction (at {note.level}), and {later}, the condition it "
                            f"points to, is listed after it. The underlying condition is sequenced before the "
                            f"manifestation or consequence it explains (guideline I.A.13).", code=shown,
                            severity="warning", item=items.entry(component, shown)))
    return out


def _edit_set(g) -> set:
    return {(e.name, e.code) for e in g.edits}


def mce(groups: Groupings, items: ItemIndex) -> list:
    known = _edit_set(groups.key)
    out = []
    for e in groups.learner.edits:
        if e.name in _COVERED_EDITS or (e.name, e.code) in known:
            continue
        component = "pdx" if codes.normalize(e.code).code == groups.learner_claim.pdx else "sdx"
        out.append(feedback("mce_edit", component,
                            f"Medicare Code Editor, {e.name.replace('_', ' ').lower()}"
                            + (f" on {e.code}" if e.code else "") + f": {e.message}", code=e.code,
                            item=items.entry(component, e.code)))
    return out


def sex(sub: Submission, key: KeyView, items: ItemIndex) -> list:
    out = []
    for c in _learner_codes(sub):
        w = codes.cm.sex_conflict(c, key.sex)
        if w:
            shown = codes.display(c, CM)
            out.append(feedback("sex_conflict", "sdx", w + " Check the code against the patient's sex; the current "
                                                       "Medicare Code Editor no longer catches this.",
                                code=shown, item=items.entry("sdx", shown)))
    return out


def duplicates(sub: Submission, items: ItemIndex) -> list:
    return [feedback("duplicate_code", "sdx", f"{shown} was entered more than once (or repeats the principal "
                                              f"diagnosis); report each code once. It was counted once.",
                     code=shown, severity="warning", item=items.entry("sdx", shown))
            for shown in dict.fromkeys(sub.duplicates)]


def claim_limit(sub: Submission) -> list:
    n = len([d for d in sub.sdx if d.code])
    if n <= codes.MAX_SDX:
        return []
    return [feedback("claim_limit", "sdx",
                     f"{n} secondary diagnoses were entered; a UB-04 claim carries {codes.MAX_SDX}, so only "
                     f"{codes.MAX_SDX} were grouped. Report the diagnoses that affected this stay, and make sure "
                     f"every CC/MCC is among the first {codes.MAX_SDX}.", severity="warning")]


def all_checks(sub: Submission, key: KeyView, groups: Groupings, items: ItemIndex) -> list:
    """Every code-book check on the learner's answer; `items` says which scored item each is about."""
    out = dx_checks(sub.pdx, "pdx", items) if sub.pdx else []
    for d in sub.sdx:
        out += dx_checks(d, "sdx", items)
    for p in sub.procedures:
        out += proc_checks(p, items)
    return (out + excludes1(sub, key, items) + partners(sub, key, items) + code_first_order(sub, key, items)
            + mce(groups, items) + sex(sub, key, items) + duplicates(sub, items) + claim_limit(sub))
