"""Generate a synthetic inpatient case from a declarative scenario.

`generate(scenario_id, seed)` is deterministic for (scenario_id, seed, GENERATOR_VERSION) on
every machine: all randomness comes from one `random.Random` seeded with a string, and Faker
is seeded per case from the same source. The answer key's DRG comes from `codes.group`.
"""
from __future__ import annotations

import hashlib
import random
import re
import threading
from datetime import datetime, timedelta
from functools import lru_cache

from faker import Faker

import codes

from .loader import Condition, Library, Procedure, Scenario, library, reference
from .model import (AnswerKey, Case, CodeEntry, Document, Encounter, LabRow, Patient, Physician,
                    TeachingPoint, source_label, ADMISSION_TYPES)

GENERATOR_VERSION = "1.0"
FY_START, FY_END = codes.DEFAULT_DATES   # discharges the default grouper and code release cover
SYNTHETIC = "SYNTHETIC RECORD - FOR TRAINING ONLY - NOT A REAL PATIENT"


@lru_cache(maxsize=1)
def _templates() -> dict:
    return reference("templates.yaml")


@lru_cache(maxsize=1)
def _labs() -> dict:
    return reference("labs.yaml")


def _template_set(s: Scenario) -> dict:
    """Default chart language, with the newborn set and then the scenario's own overrides on top."""
    base = dict(_templates())
    layers = [base.get("newborn", {})] if s.newborn else []
    layers.append(s.templates)
    for layer in layers:
        for k, v in layer.items():
            base[k] = {**base[k], **v} if isinstance(v, dict) else v
    return base


_PLACEHOLDER = re.compile(r"\{([a-zA-Z_]+)\}")


def fill(text: str, ctx: dict) -> str:
    """Replace {placeholders}; an unknown placeholder is a content error."""
    def sub(m):
        if m.group(1) not in ctx:
            raise KeyError(f"unknown placeholder {{{m.group(1)}}} in: {text}")
        return str(ctx[m.group(1)])
    return _PLACEHOLDER.sub(sub, text)


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


_local = threading.local()


def _faker() -> Faker:
    """One Faker per thread (building one costs ~5 ms); each case reseeds it."""
    if not hasattr(_local, "faker"):
        _local.faker = Faker("en_US")
    return _local.faker


class _Names:
    """Faker's en_US name tables with their frequency weights, sampled with the case's seeded
    Faker RNG. Same names and distribution as fake.first_name()/last_name(), ~20x faster
    (Faker recomputes the weight table on every call)."""

    def __init__(self):
        from faker.providers.person.en_US import Provider
        self.tables = {}
        for kind, table in (("M", Provider.first_names_male), ("F", Provider.first_names_female),
                            ("last", Provider.last_names)):
            names = list(table)
            total, cum = 0.0, []
            for n in names:
                total += float(table[n])
                cum.append(total)
            self.tables[kind] = (names, cum)

    def pick(self, rnd: random.Random, kind: str) -> str:
        names, cum = self.tables[kind]
        return rnd.choices(names, cum_weights=cum)[0]


@lru_cache(maxsize=1)
def _names() -> _Names:
    return _Names()


def _first(fake: Faker, sex: str) -> str:
    return _names().pick(fake.random, sex if sex in ("M", "F") else fake.random.choice("MF"))


def _last(fake: Faker) -> str:
    return _names().pick(fake.random, "last")


def _address(fake: Faker) -> str:
    """A US-style address from Faker's en_US address tables (same shapes as fake.address())."""
    from faker.providers.address.en_US import Provider as A
    r = fake.random
    street = f"{r.randint(100, 99999)} {_last(fake) if r.random() < 0.5 else _first(fake, '')} {r.choice(A.street_suffixes)}"
    form = r.randrange(4)
    first = _first(fake, "")
    city = (f"{r.choice(A.city_prefixes)} {first}{r.choice(A.city_suffixes)}", f"{r.choice(A.city_prefixes)} {first}",
            f"{first}{r.choice(A.city_suffixes)}", f"{_last(fake)}{r.choice(A.city_suffixes)}")[form]
    return f"{street}, {city}, {r.choice(A.states_abbr)} {r.randint(10000, 99999)}"


def _seed_int(*parts) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:12], 16)


# ---------------------------------------------------------------- selection
def _select(s: Scenario, lib: Library, rng: random.Random):
    variant = rng.choices(s.variants, weights=[v.weight for v in s.variants])[0]
    chosen: list[str] = [variant.principal, *variant.with_]
    level = _weighted(rng, s.severity)
    pools = {"cc": s.cc_pool, "mcc": s.mcc_pool}
    if level in pools and pools[level]:
        chosen.append(rng.choice(pools[level]))
        if level == "mcc" and s.cc_pool and rng.random() < 0.4:
            chosen.append(rng.choice(s.cc_pool))
    for pick in s.comorbidities:
        if rng.random() < pick.p:
            chosen.extend(rng.choices([ids for _w, ids in pick.options], weights=[w for w, _ in pick.options])[0])
    hospital = []
    for pick in s.complications:
        if rng.random() < pick.p:
            hospital.extend(rng.choices([ids for _w, ids in pick.options], weights=[w for w, _ in pick.options])[0])
    # one code once: the first condition carrying a code wins (principal first)
    seen, conds = set(), []
    for cid in chosen + hospital:
        c = lib.conditions[cid]
        if c.code not in seen:
            seen.add(c.code)
            conds.append(c)
    procs = [lib.procedures[p] for p in variant.procedures]
    return variant, level, conds, procs


# ---------------------------------------------------------------- people
def _patient(s: Scenario, fake: Faker, rng: random.Random, admit: datetime) -> Patient:
    sex = s.sex if s.sex in ("M", "F") else rng.choice("MF")
    age = rng.randint(*s.age)
    if s.newborn:
        dob = admit.date()
    else:
        dob = admit.date() - timedelta(days=age * 365 + rng.randint(age // 4 + 1, age // 4 + 360))
        age = admit.date().year - dob.year - ((admit.month, admit.day) < (dob.month, dob.day))
    first = _first(fake, sex)
    last = _last(fake)
    if age >= 65:
        payer = "Medicare" if rng.random() < 0.88 else rng.choice(["Commercial", "Medicaid"])
    elif s.newborn:
        payer = rng.choice(["Medicaid", "Commercial", "Commercial"])
    else:
        payer = rng.choices(["Commercial", "Medicaid", "Self-pay", "Medicare"], weights=[60, 25, 10, 5])[0]
    return Patient(
        first_name=first, last_name=last, sex=sex, dob=dob.isoformat(), age=age,
        mrn=f"CL{rng.randint(1000000, 9999999)}", account=f"A{rng.randint(10**8, 10**9 - 1)}",
        address=_address(fake), phone=f"({rng.randint(201, 989)}) 555-01{rng.randint(0, 99):02d}",
        payer=payer, marital_status=rng.choice(["Married", "Single", "Widowed", "Divorced"]) if age >= 18 else "Single",
        emergency_contact=f"{_first(fake, '')} {last if rng.random() < 0.6 else _last(fake)} "
                          f"({rng.choice(['spouse', 'daughter', 'son', 'sister', 'friend'])}) "
                          f"({rng.randint(201, 989)}) 555-01{rng.randint(0, 99):02d}" if not s.newborn else f"{_first(fake, 'F')} {last} (mother)")


def _doctor(fake: Faker, specialty: str) -> Physician:
    return Physician(f"{_first(fake, '')} {_last(fake)}, {'MD' if fake.random.random() < 0.8 else 'DO'}",
                     specialty, npi=f"1{fake.random.randint(100000000, 999999999)}")


# ---------------------------------------------------------------- text helpers
def _phrase(c: Condition, doc: str, rng: random.Random) -> str:
    for key in (doc, "progress" if doc == "hp" else "hp", "discharge"):
        if key in c.phrases:
            return rng.choice(c.phrases[key])
    return c.name


def _at(admit: datetime, day: int, hour: int, minute: int = 0) -> datetime:
    """A time on hospital day `day` (0 = admission day: one hour after arrival)."""
    if day == 0:
        return admit + timedelta(hours=1)
    return datetime.combine(admit.date() + timedelta(days=day), datetime.min.time()) + timedelta(hours=hour, minutes=minute)


def _fmt_dt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M")


def _vitals(conds, rng, day: int, los: int, newborn: bool = False) -> dict:
    base = _labs()["vitals_newborn" if newborn else "vitals"]
    out = {}
    for k, (lo, hi) in base.items():
        v = rng.uniform(lo, hi)
        for c in conds:
            if k in c.vitals and (c.poa != "N" or day >= c.onset_day):
                a, b = c.vitals[k]
                sick = rng.uniform(a, b)
                frac = min(1.0, day / max(1, los - 1)) if c.poa != "N" else 0.0
                v = sick + (v - sick) * frac  # recovers toward normal over the stay
        out[k] = v
    return out


def _vitals_line(v: dict) -> str:
    return (f"T {v['temp_c']:.1f} C, HR {v['hr']:.0f}, RR {v['rr']:.0f}, BP {v['sbp']:.0f}/{v['dbp']:.0f}, "
            f"SpO2 {v['spo2']:.0f}%")


def _flag(value: float, ref: tuple) -> str:
    lo, hi = ref
    if value < lo:
        return "LL" if value < lo - (hi - lo) else "L"
    if value > hi:
        return "HH" if value > hi + (hi - lo) * 2 else "H"
    return ""


def _num(v: float, decimals: int) -> str:
    return f"{v:.{decimals}f}"


def _lab_rows(conds, rng, admit: datetime, los: int, newborn: bool = False) -> list[LabRow]:
    """CBC + BMP on admission, hospital day 1 and discharge day (adults); condition tests as written."""
    panels = {} if newborn else _labs()["panels"]
    overrides = {}
    extra = []
    for c in conds:
        for lab in c.labs:
            if any(lab.test == b["test"] for p in panels.values() for b in p):
                overrides[lab.test] = (lab, c)
            else:
                extra.append((lab, c))
    incidental = rng.choice(_labs()["incidental"]) if rng.random() < 0.6 else None
    days = sorted({0, min(1, los - 1), max(0, los - 1)})
    rows = []
    for day in days:
        when = _fmt_dt(_at(admit, day, 5, 30))
        for panel, tests in panels.items():
            for b in tests:
                ref = tuple(b["ref"])
                value = rng.uniform(*b["value"])
                dec = b["decimals"]
                if b["test"] in overrides:
                    lab, c = overrides[b["test"]]
                    if c.poa != "N" or day >= c.onset_day:
                        sick = rng.uniform(*lab.value)
                        frac = 0.0 if day == 0 or c.poa == "N" else day / max(1, los - 1)
                        value = sick + (value - sick) * frac * 0.8
                        ref, dec = lab.ref, lab.decimals
                elif incidental and incidental["test"] == b["test"] and day == 0:
                    value = rng.uniform(*incidental["value"])
                rows.append(LabRow(when, panel, b["test"], _num(value, dec), b["unit"],
                                   f"{_num(ref[0], dec)}-{_num(ref[1], dec)}", _flag(value, ref)))
    for lab, c in extra:
        lab_days = [lab.day] + [lab.day + 1 + i for i in range(len(lab.trend))]
        for i, day in enumerate(lab_days):
            if day >= los and los > 0 and day > 0:
                break
            if c.poa == "N" and day < c.onset_day:
                continue
            value = rng.uniform(*lab.value) if i == 0 else float(lab.trend[i - 1])
            when = _at(admit, day, 5, 30)
            rows.append(LabRow(_fmt_dt(when), lab.panel, lab.test, _num(value, lab.decimals), lab.unit,
                               f"{_num(lab.ref[0], lab.decimals)}-{_num(lab.ref[1], lab.decimals)}", _flag(value, lab.ref)))
    return sorted(rows, key=lambda r: (r.datetime, r.panel))


def _labs_text(rows: list[LabRow]) -> str:
    lines = [f"{'Collected':<17} {'Panel':<12} {'Test':<22} {'Result':>8} {'Flag':<4} {'Units':<9} Reference"]
    for r in rows:
        lines.append(f"{r.datetime:<17} {r.panel:<12} {r.test:<22} {r.value:>8} {r.flag:<4} {r.unit:<9} {r.ref_range}")
    return "\n".join(lines)


def _admit_labs_summary(rows: list[LabRow]) -> str:
    first = [r for r in rows if r.datetime == rows[0].datetime] if rows else []
    abnormal = [f"{r.test} {r.value}{' ' + r.flag if r.flag else ''}" for r in first if r.flag]
    return ("Admission labs notable for " + ", ".join(abnormal) + ".") if abnormal else "Admission labs within normal limits."


# ---------------------------------------------------------------- documents
class _Writer:
    def __init__(self, s: Scenario, lib: Library, rng, fake, patient, enc, conds, principal, procs, proc_days, level):
        self.s, self.lib, self.rng, self.fake = s, lib, rng, fake
        self.p, self.enc, self.conds, self.principal = patient, enc, conds, principal
        self.procs, self.proc_days = procs, proc_days
        self.admit = datetime.fromisoformat(enc.admit_datetime)
        self.disch = datetime.fromisoformat(enc.discharge_datetime)
        self.los = enc.los_days
        he = "he" if patient.sex == "M" else "she"
        self.ctx = {
            "patient": f"{'Mr.' if patient.sex == 'M' else 'Ms.'} {patient.last_name}" if not s.newborn else f"Baby {patient.last_name}",
            "age": patient.age, "man": ("man" if patient.sex == "M" else "woman") if patient.age >= 18 else ("boy" if patient.sex == "M" else "girl"),
            "he": he, "He": he.capitalize(), "his": "his" if he == "he" else "her", "His": "His" if he == "he" else "Her",
            "him": "him" if he == "he" else "her", "service": s.service, "days": enc.los_days,
            "baby": "male infant" if patient.sex == "M" else "female infant",
        }
        self.docs: list[Document] = []
        self.evidence: dict[str, tuple[str, str]] = {}
        self.t = _template_set(s)
        self.present = [c for c in conds if c.poa != "N"]
        self.acquired = [c for c in conds if c.poa == "N"]
        self.chronic = [c for c in self.present if "history" in c.phrases]

    def f(self, text: str) -> str:
        return fill(text, self.ctx)

    def pick(self, options) -> str:
        return self.f(self.rng.choice(list(options)))

    def add(self, dtype, title, author, when: datetime, text: str, labs=()) -> Document:
        doc = Document(f"doc{len(self.docs) + 1:02d}", dtype, title, author, _fmt_dt(when),
                       f"*** {SYNTHETIC} ***\n" + text.strip() + "\n", tuple(labs))
        self.docs.append(doc)
        return doc

    # ---- pieces
    def pmh(self) -> str:
        items = [self.rng.choice(c.phrases["history"]) for c in self.chronic]
        return ", ".join(items[:-1]) + (" and " + items[-1] if len(items) > 1 else items[0]) if items else ""

    def hpi(self) -> str:
        cc = self.rng.choice(self.s.chief_complaint)
        self.ctx["cc"] = cc
        pmh = self.pmh()
        self.ctx["pmh"] = pmh
        opener = self.pick(self.t["hpi_openers"] if pmh else self.t["hpi_openers_no_pmh"])
        body = [self.pick(self.principal.hpi)] if self.principal.hpi else []
        for c in self.present:
            if c is not self.principal and c.hpi and self.rng.random() < 0.5:
                body.append(self.pick(c.hpi))
        return " ".join([opener, *body])

    def exam(self, vitals: dict) -> str:
        normal = self.t["exam_normal"]
        findings = {}
        for c in self.present:
            for line in c.exam:
                system, _, text = line.partition(":")
                if text and system.strip().lower() in normal:
                    findings.setdefault(system.strip().lower(), []).append(self.f(text.strip()))
        lines = [f"Vitals: {_vitals_line(vitals)}"]
        for system, options in normal.items():
            text = " ".join(findings[system]) if system in findings else self.pick(options)
            lines.append(f"{system.upper() if system == 'heent' else system.capitalize()}: {text}")
        return "\n".join(lines)

    def meds(self, attr: str) -> list[str]:
        out = []
        for c in self.conds:
            for m in getattr(c, attr):
                if m not in out:
                    out.append(self.f(m))
        return out

    def assessment(self, doc: str, conds, day: int | None = None) -> list[str]:
        """Numbered problem list. Before discharge, a condition appears only if it has wording for
        an admission/daily note (history-only items such as Z codes live in the history sections)."""
        if doc != "discharge":
            conds = [c for c in conds if {"ed_note", "hp", "progress", "consult"} & set(c.phrases)]
        lines = []
        for i, c in enumerate(conds, 1):
            phrase = self.f(_phrase(c, doc, self.rng))
            # a phrase that already carries its plan ("X - IV diuresis") gets no second one
            plan = self.pick(c.plan) if c.plan and doc in ("hp", "progress", "ed_note") and " - " not in phrase else ""
            lines.append(f"{i}. {phrase[0].upper() + phrase[1:]}" + (f" - {plan}" if plan else ""))
        return lines

    def allergies(self) -> str:
        """An allergy line that never contradicts a drug the patient is given (e.g. lisinopril)."""
        drugs = " ".join(self.meds("home_meds") + self.meds("inpatient_meds")).lower()
        drug_words = {"Penicillin": ("penicillin", "amoxicillin", "piperacillin", "ampicillin", "nafcillin"),
                      "Sulfa": ("sulfa", "sulfamethoxazole"), "Codeine": ("codeine",), "Lisinopril": ("lisinopril",)}
        safe = [a for a in self.t["allergies"]
                if not any(w in drugs for k, words in drug_words.items() if a.startswith(k) for w in words)]
        return self.pick(safe or ["No known drug allergies."])

    def noise(self, doc: str) -> list[str]:
        return [self.f(x) for x in self.s.noise.get(doc, ())]

    # ---- documents
    def face_sheet(self):
        p, e = self.p, self.enc
        atype = ADMISSION_TYPES[e.admission_type]
        text = "\n".join([
            "FACE SHEET / REGISTRATION", f"Facility: {e.facility}",
            f"Patient: {p.last_name.upper()}, {p.first_name}    Sex: {p.sex}    DOB: {p.dob}    Age: {p.age}",
            f"MRN: {p.mrn}    Account: {p.account}", f"Address: {p.address}", f"Phone: {p.phone}",
            f"Marital status: {p.marital_status}    Language: {p.language}",
            f"Emergency contact: {p.emergency_contact}",
            f"Primary insurance: {p.payer if p.payer != 'Commercial' else 'Commercial - ' + self.rng.choice(['Blue Plains PPO', 'Unity Health HMO', 'Summit Choice PPO'])}"
            + (f"    Policy #: {self.rng.randint(10**8, 10**9 - 1)}" if p.payer != "Self-pay" else ""),
            f"Admission date/time: {e.admit_datetime.replace('T', ' ')}",
            f"Admission type: {atype}    Admitted from: {source_label(e.admission_type, e.admission_source)}",
            f"Admitting/attending physician: {e.attending.name} ({e.attending.specialty})",
            f"Service: {self.s.service}",
        ])
        self.add("face_sheet", "Face sheet", "Patient Access", self.admit, text)

    def ed_note(self, ed_doc: Physician, vitals):
        lines = ["EMERGENCY DEPARTMENT NOTE", f"Chief complaint: {self.rng.choice(self.s.chief_complaint).capitalize()}",
                 "", "History of present illness:", self.hpi(), "", "Physical examination:", self.exam(vitals), "",
                 "ED course: " + " ".join(self.noise("ed_note") or ["Labs and imaging obtained; see results."]), "",
                 "Impression:", *self.assessment("ed_note", self.present[:3]), "",
                 f"Disposition: Admitted to {self.s.service} under {self.enc.attending.name}."]
        self.add("ed_note", "Emergency department note", ed_doc.name, self.admit - timedelta(hours=self.rng.randint(2, 5)),
                 "\n".join(lines))

    def hp(self, vitals, lab_rows):
        meds = self.meds("home_meds")
        social = [self.f(x) for c in self.present for x in c.social] or [self.pick(self.t["social_default"])]
        lines = [
            "HISTORY AND PHYSICAL", f"Chief complaint: {self.ctx.get('cc') or self.rng.choice(self.s.chief_complaint)}", "",
            "History of present illness:", self.ctx.get("hpi_text") or self.hpi(), "",
            "Past medical history: " + (", ".join(self.rng.choice(c.phrases["history"]) for c in self.chronic) or "None reported."),
            *self.noise("history"),
            "Home medications: " + ("; ".join(meds) if meds else "None."),
            "Allergies: " + self.allergies(),
            "Social history: " + " ".join(social),
            "Family history: " + self.pick(self.t["family"]),
            "Review of systems: " + self.pick(self.t["ros_negative"]), "",
            "Physical examination:", self.exam(vitals), "",
            "Data: " + _admit_labs_summary(lab_rows) + " " + " ".join(self.noise("hp")), "",
            "Assessment and plan:", *self.assessment("hp", self.present),
            self.pick(self.t["progress_plan_generic"]),
        ]
        if self.s.newborn:
            lines[0] = "NEWBORN ADMISSION HISTORY AND PHYSICAL"
        self.add("hp", "History and physical", self.enc.attending.name, self.admit + timedelta(hours=2), "\n".join(lines))

    def progress(self, lab_rows):
        last_assessment = None
        for day in range(1, max(1, self.los)):
            when = datetime.combine(self.admit.date() + timedelta(days=day), datetime.min.time()) + timedelta(hours=self.rng.randint(7, 10), minutes=self.rng.randint(0, 59))
            today = self.present + [c for c in self.acquired if day >= max(1, c.onset_day)]
            new = [c for c in self.acquired if day == max(1, c.onset_day)]
            vitals = _vitals(self.conds, self.rng, day, self.los, self.s.newborn)
            assessment = self.assessment("progress", today, day)
            copied = last_assessment is not None and self.rng.random() < 0.5 and not new
            if copied:
                assessment = last_assessment  # copy-forward, as real notes often are
            lines = [f"PROGRESS NOTE - HOSPITAL DAY {day + 1}", "Subjective: " + self.pick(self.t["progress_subjective"])]
            for c in new:
                lines.append("Interval event: " + self.pick(c.hpi or c.phrases.get("progress") or c.phrases["discharge"]))
            for p, pday in zip(self.procs, self.proc_days):
                if pday == day - 1:
                    title = self.rng.choice(p.title)
                    if title[:2].istitle():  # "Laparoscopic ..." -> "laparoscopic ...", but keep "IV", "TURP"
                        title = title[0].lower() + title[1:]
                    lines.append(f"Status post {title} yesterday; doing well.")
            lines += ["Objective: " + _vitals_line(vitals), *self.noise("progress")[: 1 if day == 1 else 0],
                      "Assessment and plan:", *assessment, self.pick(self.t["progress_plan_generic"])]
            self.add("progress", f"Progress note, day {day + 1}", self.enc.attending.name, when, "\n".join(lines))
            last_assessment = assessment

    def consult(self, consultant: Physician):
        c = self.s.consult
        when = self.admit + timedelta(days=1 if self.los > 1 else 0, hours=3)
        lines = [f"{consultant.specialty.upper()} CONSULTATION", f"Requested by: {self.enc.attending.name}",
                 "Reason for consultation: " + self.pick(c["reason"]), "",
                 "Impression:", *self.assessment("consult", [self.principal] + [x for x in self.present if x is not self.principal][:2]),
                 "", "Recommendations:", *[f"- {self.f(r)}" for r in c["recommendations"]]]
        self.add("consult", f"{consultant.specialty} consult", consultant.name, when, "\n".join(lines))

    def findings(self, p: Procedure) -> str:
        """Operative findings: the principal condition's own wording wins over the procedure's."""
        if "findings" in self.principal.phrases:
            return self.pick(self.principal.phrases["findings"])
        return self.pick(p.findings)

    def operative(self, p: Procedure, day: int, surgeon: Physician) -> Document:
        when = datetime.combine(self.admit.date() + timedelta(days=day), datetime.min.time()) + timedelta(hours=self.rng.randint(8, 16))
        if day == 0 and when < self.admit:
            when = self.admit + timedelta(hours=3)
        pre = self.f(_phrase(self.principal, "operative", self.rng))
        title = self.pick(p.title)
        if p.kind == "bedside":
            lines = ["PROCEDURE NOTE", f"Procedure: {title}", "Indication: " + (self.pick(p.indication) if p.indication else pre),
                     "Findings: " + self.findings(p), "Description: " + " ".join(self.f(x) for x in p.technique),
                     f"Complications: {p.complications}"]
        else:
            lines = [
                "OPERATIVE REPORT" if p.kind == "operative" else "PROCEDURE REPORT",
                f"Date of procedure: {when.date().isoformat()}", f"Surgeon: {surgeon.name}",
                f"Preoperative diagnosis: {pre}", f"Postoperative diagnosis: {pre}" + (", " + self.pick(p.indication) if p.indication and self.rng.random() < 0.3 else ""),
                f"Procedure performed: {title}",
                "Anesthesia: " + (self.pick(p.anesthesia) if p.anesthesia else "General endotracheal anesthesia"),
                f"Estimated blood loss: {self.rng.randint(*p.ebl)} mL" if p.ebl != (0, 0) else "Estimated blood loss: Minimal",
                "Specimens: " + ("; ".join(self.f(x) for x in p.specimens) if p.specimens else "None"),
                "Implants/devices: " + ("; ".join(self.f(x) for x in p.devices) if p.devices else "None"),
                f"Complications: {p.complications}", "", "Findings: " + self.findings(p), "",
                "Description of procedure:", *[self.f(x) for x in p.technique],
            ]
        return self.add(p.kind if p.kind != "bedside" else "procedure", f"{p.kind.capitalize()} note: {title}",
                        surgeon.name, when, "\n".join(lines))

    def imaging(self):
        for c in self.conds:
            for im in c.imaging:
                day = max(im.day, c.onset_day if c.poa == "N" else 0)
                if day >= max(1, self.los) and day > 0:
                    continue
                when = _at(self.admit, day, 11)
                text = "\n".join([f"{im.study.upper()}", f"Indication: {self.rng.choice(self.s.chief_complaint)}",
                                  "Findings: " + self.pick(im.findings), "Impression: " + self.pick(im.impression)])
                self.add("imaging", im.study, f"{_last(self.fake)}, MD (Radiology)", when, text)

    def mar(self):
        inpatient = self.meds("inpatient_meds")
        home = self.meds("home_meds")
        start = self.admit.date().isoformat()
        lines = ["MEDICATION ADMINISTRATION SUMMARY", f"Period: {start} to {self.disch.date().isoformat()}"]
        lines += [f"- {m}  (started {start})" for m in inpatient]
        lines += [f"- {m}  (home medication, continued)" for m in home]
        if len(lines) == 2:
            lines.append("- Acetaminophen 650 mg by mouth every 6 hours as needed for pain")
        self.add("mar", "Medication administration summary", "Pharmacy", self.disch - timedelta(hours=1), "\n".join(lines))

    def discharge(self, disp_text: str):
        final = self.assessment("discharge", self.conds)
        for c, line in zip(self.conds, final):
            self.evidence[c.id] = ("", line)
        course = []
        for c in self.conds:
            if c.course:
                course.append(self.pick(c.course))
        course.append(self.pick(self.t["course_closers"]))
        procs = [f"- {self.rng.choice(p.title)} ({(self.admit.date() + timedelta(days=d)).isoformat()})"
                 for p, d in zip(self.procs, self.proc_days)]
        meds = self.meds("home_meds")
        lines = [
            "DISCHARGE SUMMARY" if self.enc.discharge_disposition != "20" else "DEATH SUMMARY",
            f"Admission date: {self.admit.date().isoformat()}    Discharge date: {self.disch.date().isoformat()}",
            f"Attending physician: {self.enc.attending.name}", "",
            "Final diagnoses:", *final, "",
            "Procedures:", *(procs or ["None"]), "",
            "Hospital course:", " ".join(course), *self.noise("discharge"), "",
            "Discharge disposition: " + disp_text,
        ]
        if self.enc.discharge_disposition != "20":
            lines += ["Discharge medications: " + ("; ".join(meds) if meds else "See medication reconciliation."),
                      "Follow-up: " + self.pick(self.t["followup"])]
        doc = self.add("discharge", "Discharge summary", self.enc.attending.name, self.disch, "\n".join(lines))
        self.evidence = {k: (doc.doc_id, line) for k, (_d, line) in self.evidence.items()}


# ---------------------------------------------------------------- main entry
def case_id(scenario_id: str, seed: int) -> str:
    return f"{scenario_id}-{seed}-v{GENERATOR_VERSION}"


def generate(scenario_id: str, seed: int, lib: Library | None = None) -> Case:
    """Generate one case. Raises KeyError for an unknown scenario id."""
    lib = lib or library()
    if scenario_id not in lib.scenarios:
        raise KeyError(f"unknown scenario '{scenario_id}'")
    seed = int(seed)
    s = lib.scenarios[scenario_id]
    rng = random.Random(f"{scenario_id}:{seed}:{GENERATOR_VERSION}")
    fake = _faker()
    fake.seed_instance(_seed_int(scenario_id, seed, GENERATOR_VERSION, "faker"))
    variant, level, conds, procs = _select(s, lib, rng)
    principal = conds[0]

    los = rng.randint(*s.los)
    span = (FY_END - FY_START).days - los - 1
    admit = datetime.combine(FY_START + timedelta(days=rng.randint(0, span)), datetime.min.time()) + \
        timedelta(hours=rng.randint(0, 23), minutes=rng.choice([0, 10, 15, 20, 30, 40, 45, 50]))
    disch = datetime.combine(admit.date() + timedelta(days=los), datetime.min.time()) + timedelta(hours=rng.randint(10, 17), minutes=rng.choice([0, 15, 30, 45]))
    proc_days = [min(rng.randint(*p.day), max(0, los - 1)) if los else 0 for p in procs]
    patient = _patient(s, fake, rng, admit)
    atype = _weighted(rng, s.admission_type)
    asource = _weighted(rng, s.admission_source)
    disp = _weighted(rng, s.disposition)
    attending = _doctor(fake, s.attending_specialty)
    consultants = []
    if s.consult and rng.random() < float(s.consult.get("p", 1.0)):
        consultants.append(_doctor(fake, s.consult["specialty"]))
    surgeon = None
    if procs:
        surgeon = attending if procs[0].specialty == s.attending_specialty else _doctor(fake, procs[0].specialty)
    enc = Encounter(admit.isoformat(timespec="minutes"), disch.isoformat(timespec="minutes"), los, atype, asource, disp,
                    attending, tuple(consultants), surgeon, s.service)

    w = _Writer(s, lib, rng, fake, patient, enc, conds, principal, procs, proc_days, level)
    lab_rows = _lab_rows(conds, rng, admit, los, s.newborn)
    vitals0 = _vitals(conds, rng, 0, los, s.newborn)
    w.face_sheet()
    if atype in ("1", "5") and not s.newborn:
        w.ed_note(_doctor(fake, "Emergency Medicine"), vitals0)
        w.ctx["hpi_text"] = w.hpi()
    w.hp(vitals0, lab_rows)
    for c in consultants:
        w.consult(c)
    op_docs = [w.operative(p, d, surgeon) for p, d in zip(procs, proc_days)]
    w.progress(lab_rows)
    w.imaging()
    if lab_rows:
        w.add("labs", "Laboratory results", "Laboratory", admit + timedelta(hours=1), _labs_text(lab_rows), lab_rows)
    w.mar()
    facility = rng.choice(_templates()["facilities"])
    disp_text = fill(w.t["dispositions"][disp], {"facility": facility, "time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"})
    w.discharge(disp_text)
    docs = tuple(sorted(w.docs, key=lambda d: (d.datetime, d.doc_id)))

    teaching_ids = []
    def tp_ids(ids):
        for t in ids:
            if t not in teaching_ids:
                teaching_ids.append(t)
        return tuple(ids)

    dx_entries = [CodeEntry(codes.normalize(c.code).code, c.poa, "", codes.cm.title(c.code) or "", c.id,
                            w.evidence[c.id][0], w.evidence[c.id][1], tp_ids(c.teaching),
                            tuple(codes.normalize(a).code for a in c.alternatives)) for c in conds]
    px_entries = [CodeEntry(p.code, "", (admit.date() + timedelta(days=d)).isoformat(), codes.pcs.title(p.code) or "",
                            p.id, op.doc_id, f"Procedure performed: {op.text.split('Procedure performed: ')[1].splitlines()[0]}"
                            if "Procedure performed: " in op.text else f"Procedure: {op.text.split('Procedure: ')[1].splitlines()[0]}",
                            tp_ids(p.teaching), tuple(p.alternatives)) for p, d, op in zip(procs, proc_days, op_docs)]
    tp_ids(s.teaching)
    claim = codes.Claim(dx_entries[0].code, dx_entries[0].poa, tuple((e.code, e.poa) for e in dx_entries[1:]),
                        tuple(e.code for e in px_entries), age=patient.age, sex=patient.sex, disposition=disp,
                        discharge_date=int(disch.strftime("%Y%m%d")), los_days=los)
    grouped = codes.group(claim)
    abstract = {
        "admission_date": admit.date().isoformat(), "discharge_date": disch.date().isoformat(),
        "admission_type": atype, "admission_source": asource, "discharge_disposition": disp,
        "attending_physician": attending.name, "expected_payer": patient.payer,
    }
    key = AnswerKey(abstract=abstract, principal_dx=dx_entries[0], secondary_dx=tuple(dx_entries[1:]),
                    procedures=tuple(px_entries), drg=grouped.drg, drg_title=grouped.drg_title, mdc=grouped.mdc,
                    weight=grouped.weight, severity=grouped.severity,
                    teaching_points=tuple(TeachingPoint(t.id, t.title, t.guideline, t.explanation, t.common_error)
                                          for t in (lib.teaching[i] for i in teaching_ids)),
                    sex=patient.sex, age=patient.age,
                    interchangeable=tuple((dx_entries[0].code, codes.normalize(lib.conditions[c].code).code)
                                          for c in variant.either_principal),
                    optional=tuple(dict.fromkeys(codes.normalize(o).code for c in conds for o in c.optional
                                                 if codes.normalize(o).code not in {e.code for e in dx_entries})))
    return Case(case_id(scenario_id, seed), scenario_id, seed, GENERATOR_VERSION, s.title, s.mdc, s.difficulty,
                patient, enc, docs, key, topics=tuple(s.topics))


def claim_for(case: Case) -> codes.Claim:
    """The key's claim, as sent to the grouper."""
    k = case.key
    return codes.Claim(k.principal_dx.code, k.principal_dx.poa, tuple((e.code, e.poa) for e in k.secondary_dx),
                       tuple(e.code for e in k.procedures), age=case.patient.age, sex=case.patient.sex,
                       disposition=case.encounter.discharge_disposition,
                       discharge_date=int(case.encounter.discharge_datetime[:10].replace("-", "")),
                       los_days=case.encounter.los_days)
