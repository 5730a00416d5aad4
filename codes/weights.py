"""FY2026 MS-DRG relative weights, mean lengths of stay and transfer flags (CMS IPPS Final
Rule Table 5, as shipped by the `drg` package) and an illustrative payment estimate.

The payment estimate is weight x base rate. The base rate is **illustrative**: a real
hospital's rate is adjusted for wage index, teaching, disproportionate share, outliers and
more. Set `CHARTLAB_BASE_RATE` to use another figure.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

SOURCE = "CMS FY2026 IPPS Final Rule, Table 5 (via the `drg` 1.0.0 package, public domain data)"
DEFAULT_BASE_RATE = 6500.00
# Patient status codes to which the post-acute care transfer policy applies (42 CFR 412.4(c)):
# SNF, home health, excluded hospitals/units (IRF, LTCH, psychiatric, cancer/children's) and,
# since FY2019, hospice (50, 51); the 8x/9x codes are the same places with a planned readmission.
POST_ACUTE_DISPOSITIONS = {"03", "05", "06", "50", "51", "62", "63", "65", "83", "85", "86", "90", "91", "93"}
# Transfers to another acute hospital (or a CAH) are paid per diem for every DRG (42 CFR 412.4(b)).
ACUTE_TRANSFER_DISPOSITIONS = {"02", "66", "82", "94"}


@dataclass(frozen=True)
class DrgInfo:
    drg: int
    title: str
    mdc: str
    type: str          # "MED" | "SURG" | "" (ungroupable)
    weight: float | None
    gmlos: float | None
    amlos: float | None
    post_acute: bool
    special_pay: bool


def _num(s: str) -> float | None:
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def table() -> dict[int, DrgInfo]:
    path = resources.files("drg") / "data" / "cms" / "drg_weights.txt"
    out = {}
    with path.open("r", encoding="latin-1", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 10 or not row[0].strip().isdigit():
                continue
            drg = int(row[0])
            out[drg] = DrgInfo(drg, " ".join(row[5].split()).title().replace(" Or ", " or ").replace(" And ", " and ")
                               .replace(" With ", " with ").replace(" Without ", " without ").replace("Cc/Mcc", "CC/MCC")
                               .replace("Mcc", "MCC").replace("Cc", "CC"),
                               row[3].strip(), row[4].strip() if row[4].strip() in ("MED", "SURG") else "",
                               _num(row[7]), _num(row[8]), _num(row[9]),
                               row[1].strip() == "Yes", row[2].strip() == "Yes")
    return out


def lookup(drg: int | None) -> DrgInfo | None:
    return table().get(drg) if drg is not None else None


def base_rate() -> float:
    try:
        v = float(os.environ.get("CHARTLAB_BASE_RATE", DEFAULT_BASE_RATE))
        return v if 0 < v < 1_000_000 else DEFAULT_BASE_RATE
    except ValueError:
        return DEFAULT_BASE_RATE


def payment(weight: float | None, rate: float | None = None) -> float | None:
    """Illustrative payment: relative weight x base rate (no wage index, outliers or add-ons)."""
    if weight is None:
        return None
    return round(weight * (rate if rate is not None else base_rate()), 2)


def transfer_policy(drg: int | None, disposition: str, los_days: int | None) -> str | None:
    """Explain when a transfer policy would reduce payment (None when no policy applies)."""
    inf = lookup(drg)
    if not inf or inf.gmlos is None:
        return None
    if disposition in ACUTE_TRANSFER_DISPOSITIONS:
        kind = f"Status {disposition} is a transfer to another acute care hospital, which affects every DRG"
    elif disposition in POST_ACUTE_DISPOSITIONS and (inf.post_acute or inf.special_pay):
        kind = (f"DRG {drg:03d} is a {'special-pay' if inf.special_pay else 'post-acute'} transfer DRG and "
                f"status {disposition} is a post-acute transfer")
    else:
        return None
    cutoff = inf.gmlos - 1
    if los_days is not None and los_days >= cutoff:
        return f"{kind}, but the stay ({los_days} days) reaches GMLOS-1 ({cutoff:.1f} days), so the full DRG payment applies."
    return f"{kind}: a stay shorter than GMLOS-1 ({cutoff:.1f} days) is paid per diem instead of the full DRG amount."


@lru_cache(maxsize=1)
def mdc_titles() -> dict[int, str]:
    """Major Diagnostic Category titles (CMS, as shipped in the `drg` package's Tuva reference)."""
    path = resources.files("drg") / "data" / "tuva" / "mdc.csv"
    with path.open("r", encoding="utf-8", newline="") as fh:
        return {int(num): title for num, title in csv.reader(fh) if num.strip().isdigit()}


def mdc_short(mdc: int) -> str:
    """A compact MDC title for pickers: "Respiratory System" rather than "Diseases and Disorders of ..."."""
    title = mdc_titles().get(int(mdc), "Pre-MDC" if int(mdc) == 0 else "other")
    return title.replace("Diseases and Disorders of the ", "").replace(" DDs", " disorders")
