"""Realistic random inpatient claims for cross-checks and benchmarks (common principal
diagnoses with typical comorbidities and, for surgical stories, a matching procedure)."""
import random

from codes import Claim

# (principal diagnosis, plausible procedures or None, sex restriction)
PRINCIPALS = [
    ("A41.9", None, ""), ("A41.51", None, ""), ("A41.01", None, ""), ("I50.23", None, ""), ("I50.33", None, ""),
    ("I11.0", None, ""), ("I13.0", None, ""), ("J18.9", None, ""), ("J15.1", None, ""), ("J69.0", None, ""),
    ("J44.1", None, ""), ("J44.0", None, ""), ("J96.01", None, ""), ("N17.9", None, ""), ("N17.0", None, ""),
    ("N39.0", None, ""), ("N10", None, ""), ("I63.9", None, ""), ("I63.511", None, ""), ("K92.2", None, ""),
    ("K25.4", ["0DJ08ZZ"], ""), ("L03.115", None, ""), ("L03.116", None, ""), ("I21.4", None, ""),
    ("I21.09", ["02703DZ", "027034Z"], ""), ("I21.4", ["02703DZ"], ""), ("M17.11", ["0SRD0J9"], ""),
    ("M16.11", ["0SR90J9"], ""), ("S72.001A", ["0SRB0J9"], ""), ("S72.141A", ["0QS634Z"], ""),
    ("S72.001A", ["0QS604Z"], ""), ("K80.00", ["0FT44ZZ"], ""), ("K81.0", ["0FT44ZZ"], ""),
    ("K35.80", ["0DTJ4ZZ"], ""), ("K35.32", ["0DTJ4ZZ"], ""), ("K57.20", ["0DTN0ZZ"], ""),
    ("F20.9", None, ""), ("F25.0", None, ""), ("F10.239", None, ""), ("F10.231", None, ""),
    ("E10.10", None, ""), ("E11.10", None, ""), ("E11.65", None, ""), ("E87.1", None, ""), ("E86.0", None, ""),
    ("R55", None, ""), ("R07.9", None, ""), ("R07.89", None, ""), ("I48.91", None, ""), ("I26.99", None, ""),
    ("K85.90", None, ""), ("K85.20", None, ""), ("D57.00", None, ""), ("T40.1X1A", None, ""),
    ("T40.411A", None, ""), ("R04.0", None, ""), ("N40.1", ["0VT08ZZ"], "M"), ("D25.1", ["0UT94ZZ"], "F"),
    ("M43.16", ["0SG00AJ"], ""), ("E11.621", ["0Y6W0Z0"], ""), ("S06.5X0A", None, ""), ("K56.609", None, ""),
    ("I20.0", None, ""), ("J45.51", None, ""), ("K70.31", None, ""), ("C34.90", None, ""), ("D50.0", None, ""),
]
SECONDARIES = [
    "I10", "E11.9", "E11.22", "E78.5", "N18.30", "N18.4", "N18.6", "I48.91", "J44.9", "E66.9", "Z79.4", "Z79.01",
    "Z87.891", "F17.210", "K21.9", "F32.A", "G47.33", "E03.9", "D64.9", "D62", "E87.1", "E87.20", "E87.6",
    "N17.9", "J96.01", "J96.11", "R65.20", "R65.21", "I50.23", "I50.33", "I50.9", "E43", "E44.0", "L89.154",
    "L89.313", "G93.41", "F05", "D69.6", "E86.0", "N39.0", "B96.20", "I25.10", "Z95.5", "Z96.651", "M19.90",
    "E11.65", "J18.9", "J69.0", "I63.9", "G81.91", "R13.10", "F10.20", "F10.239", "K70.30", "I85.00", "E87.0",
    "D68.32", "I26.99", "I82.401", "T81.40XA", "Y83.8", "Z99.2", "E83.42", "F03.90", "G30.9", "R78.81",
]


def realistic_claim(r: random.Random) -> Claim:
    pdx, procs, sex_only = r.choice(PRINCIPALS)
    sex = sex_only or r.choice("MF")
    n = r.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8])
    sdx = []
    for code in r.sample(SECONDARIES, n):
        if code[:3] != pdx[:3]:  # no second code from the principal's own category
            sdx.append((code, r.choice("YYYYYN") if code[0] not in "Z" else "1" if code.startswith("Z79") else "Y"))
    proc = tuple(r.sample(procs, 1)) if procs and r.random() < 0.9 else ()
    disp = r.choice(["01", "01", "01", "06", "03", "62", "20", "07", "02"])
    return Claim(pdx, "Y", tuple(sdx), proc, age=r.randint(45, 95), sex=sex, disposition=disp)
