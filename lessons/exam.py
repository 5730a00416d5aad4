"""Timed exam engine: drawing items to a blueprint, the session state machine, and the report.

Everything here is pure. Time is always passed in (`now`, a datetime; use timezone-aware UTC
consistently) and randomness is a `random.Random` the caller seeds. Sessions are frozen
dataclasses: every transition returns a new session. Case items (CIC-style exams) are scored
through a callback, so this module never imports `scoring` or `cases`; to grade a whole exam
(`grade`) the app passes e.g.
``lambda item, answer: scoring.score_case(item.scenario, item.seed, answer, "exam").report.to_dict()``.
`resume_session` rebuilds a stored exam's session, so a reload resumes where the learner was.

Readiness ("ready" / "borderline" / "not yet") is ChartLab's own heuristic for practice, not
any credentialing body's passing standard (those are scaled scores set by AHIMA and AAPC).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Sequence

from .bank import LETTERS, Option, Question
from .blueprint import Blueprint

MC, CASE = "mc", "case"
READY_AT = 80.0         # overall percent for "ready" (and no weak domain)
BORDERLINE_AT = 65.0    # overall percent for "borderline"; also the weak-domain line
WEAK_DOMAIN_MIN_ITEMS = 5  # domains with fewer items are too small to call weak
READINESS = ("ready", "borderline", "not yet")

ScoreCase = Callable[["ExamItem", Any], float]
CaseReport = Callable[["ExamItem", dict], dict]   # (item, answer dict) -> a case score report as a dict


# --- items and drawing -----------------------------------------------------------------------

@dataclass(frozen=True)
class ExamItem:
    """One exam item: a bank question (kind "mc") or a generated inpatient case (kind "case")."""
    id: str
    kind: str
    domain: str                      # the blueprint domain (report line) it counts toward
    question: Question | None = None
    scenario: str = ""
    seed: int = 0

    def to_dict(self) -> dict:
        d = {"id": self.id, "kind": self.kind, "domain": self.domain}
        if self.kind == MC:
            d["question"] = self.question.to_dict()
        else:
            d.update(scenario=self.scenario, seed=self.seed)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ExamItem":
        q = d.get("question")
        return cls(id=d["id"], kind=d["kind"], domain=d["domain"], question=Question.from_dict(q) if q else None,
                   scenario=d.get("scenario", ""), seed=int(d.get("seed", 0)))


@dataclass(frozen=True)
class Draw:
    items: tuple[ExamItem, ...]
    notes: tuple[str, ...]                  # shortfalls and fallbacks, in words for the learner
    planned: tuple[tuple[str, int], ...]    # (domain, seats) from the blueprint weights


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` seats in proportion to `weights` by the largest-remainder (Hamilton) method.
    Ties go to the larger weight, then to the earlier domain. Exact arithmetic, no float drift."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    fw = [Fraction(w).limit_denominator(10**6) for w in weights]
    s = sum(fw)
    quotas = [total * w / s for w in fw]
    seats = [math.floor(q) for q in quotas]
    order = sorted(range(len(fw)), key=lambda i: (-(quotas[i] - seats[i]), -fw[i], i))
    for i in order[:total - sum(seats)]:
        seats[i] += 1
    return seats


def _pools(bp: Blueprint, bank: Iterable[Question], rng: random.Random) -> list[tuple[list[Question], list[Question]]]:
    """Per blueprint domain: (questions tagged for the credential, other questions), shuffled."""
    ordered = sorted(bank, key=lambda q: q.id)
    out = []
    for dm in bp.domains:
        tagged = [q for q in ordered if q.domain in dm.tags and bp.credential in q.credentials]
        other = [q for q in ordered if q.domain in dm.tags and bp.credential not in q.credentials]
        rng.shuffle(tagged)
        rng.shuffle(other)
        out.append((tagged, other))
    return out


def _fill(quota: int, tagged: list[Question], other: list[Question]) -> tuple[list[Question], int]:
    """Take up to `quota` questions, credential-tagged first; returns (taken, how many borrowed)."""
    taken = tagged[:quota]
    borrowed = other[:quota - len(taken)]
    del tagged[:len(taken)]
    del other[:len(borrowed)]
    return taken + borrowed, len(borrowed)


def _redistribute(deficit: int, bp: Blueprint, pools, chosen: list[list[Question]]) -> int:
    """Give seats a domain could not fill to domains with questions to spare, by weight.
    Returns the seats still unfilled."""
    while deficit > 0:
        spare = [i for i, (t, o) in enumerate(pools) if t or o]
        if not spare:
            break
        extra = apportion(deficit, [bp.domains[i].weight for i in spare])
        for i, n in zip(spare, extra):
            got, _ = _fill(n, *pools[i])
            chosen[i] += got
            deficit -= len(got)
    return deficit


def _draw_cases(bp: Blueprint, scenarios: Sequence[str], rng: random.Random) -> tuple[list[ExamItem], list[str]]:
    if bp.cases <= 0:
        return [], []
    pool = sorted(set(scenarios))
    if not pool:
        return [], [f"No case scenarios are available, so the {bp.cases} inpatient cases are left out."]
    picks = rng.sample(pool, min(bp.cases, len(pool)))
    notes = []
    if len(picks) < bp.cases:
        notes.append(f"Only {len(pool)} case scenarios exist for {bp.cases} cases: some scenarios repeat with new patients.")
        picks += [rng.choice(pool) for _ in range(bp.cases - len(picks))]
    items, seen = [], set()
    for sc in picks:
        seed = rng.randrange(1, 2**31)
        while (sc, seed) in seen:
            seed = rng.randrange(1, 2**31)
        seen.add((sc, seed))
        items.append(ExamItem(id=f"case:{sc}:{seed}", kind=CASE, domain=bp.case_domain, scenario=sc, seed=seed))
    return items, notes


def draw_items(blueprint: Blueprint, bank: Iterable[Question], rng: random.Random,
               scenarios: Sequence[str] = ()) -> Draw:
    """Draw the exam's items: seats per domain by largest remainder of the weights, questions tagged
    for the blueprint's credential first, no question twice. When a domain runs short it borrows
    questions of the same domain tagged for other credentials, then gives its remaining seats to
    domains with questions to spare; every fallback is explained in `notes`. Multiple-choice items
    are shuffled; `blueprint.cases` case items (from `scenarios`) follow them, as on the CIC."""
    bp = blueprint
    planned = apportion(bp.items, [dm.weight for dm in bp.domains])
    pools = _pools(bp, bank, rng)
    chosen, notes, deficit = [], [], 0
    for dm, quota, pool in zip(bp.domains, planned, pools):
        got, borrowed = _fill(quota, *pool)
        chosen.append(got)
        if borrowed:
            notes.append(f"{dm.name}: {borrowed} of {quota} questions are tagged for other credentials "
                         f"(not enough {bp.credential} questions in the bank).")
        if len(got) < quota:
            notes.append(f"{dm.name}: only {len(got)} questions in the bank for {quota} seats.")
            deficit += quota - len(got)
    if deficit:
        left = _redistribute(deficit, bp, pools, chosen)
        if deficit - left:
            notes.append(f"{deficit - left} seats went to other domains, so domain shares differ from the blueprint.")
        if left:
            notes.append(f"This exam has {bp.items - left} questions instead of {bp.items}: the question bank is too small.")
    mc = [ExamItem(id=q.id, kind=MC, domain=dm.name, question=q) for dm, qs in zip(bp.domains, chosen) for q in qs]
    rng.shuffle(mc)
    cases, case_notes = _draw_cases(bp, scenarios, rng)
    return Draw(tuple(mc + cases), tuple(notes + case_notes), tuple((dm.name, n) for dm, n in zip(bp.domains, planned)))


def assigned_form(blueprint: Blueprint, bank: Iterable[Question], assignment_id: int, attempt: int,
                  scenarios: Sequence[str] = ()) -> Draw:
    """The exam form of the `attempt`-th (1, 2, ...) attempt at assigned exam `assignment_id`:
    every learner's first attempt gets the same items (so scores compare and item statistics
    pool), a second attempt a different draw. Seeded by the two numbers alone."""
    if attempt < 1:
        raise ValueError("attempts are numbered from 1")
    return draw_items(blueprint, bank, random.Random(f"chartlab-assigned-exam:{int(assignment_id)}:{int(attempt)}"),
                      scenarios)


# --- session ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemStatus:
    """One cell of the question navigator."""
    index: int
    answered: bool
    flagged: bool
    current: bool


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


@dataclass(frozen=True)
class ExamSession:
    """State of one timed exam. Treat as immutable: every method returns a new session.
    Answers are keyed by item id: an option index (0-3) for "mc" items, a JSON-able dict for cases."""
    blueprint_id: str
    title: str
    credential: str
    items: tuple[ExamItem, ...]
    domains: tuple[str, ...]                  # report lines in blueprint order (case domain last)
    started_at: datetime
    deadline: datetime
    answers: Mapping[str, Any] = field(default_factory=dict)
    flags: frozenset = frozenset()
    current: int = 0
    submitted_at: datetime | None = None
    auto_submitted: bool = False
    notes: tuple[str, ...] = ()

    # -- queries
    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def current_item(self) -> ExamItem:
        return self.items[self.current]

    def is_expired(self, now: datetime) -> bool:
        """True once the clock has reached the deadline."""
        return now >= self.deadline

    def remaining(self, now: datetime) -> timedelta:
        """Time left on the clock (zero once expired or submitted)."""
        if self.submitted:
            return timedelta(0)
        return max(self.deadline - now, timedelta(0))

    def index_of(self, key: int | str) -> int:
        """Item index from an index or an item id. Raises IndexError / KeyError."""
        if isinstance(key, int) and not isinstance(key, bool):
            if not 0 <= key < len(self.items):
                raise IndexError(f"item {key} is outside 0..{len(self.items) - 1}")
            return key
        for i, it in enumerate(self.items):
            if it.id == key:
                return i
        raise KeyError(f"no item {key!r} in this exam")

    def answer_of(self, key: int | str) -> Any:
        return self.answers.get(self.items[self.index_of(key)].id)

    def is_flagged(self, key: int | str) -> bool:
        return self.items[self.index_of(key)].id in self.flags

    def unanswered(self) -> list[int]:
        return [i for i, it in enumerate(self.items) if it.id not in self.answers]

    def flagged(self) -> list[int]:
        return [i for i, it in enumerate(self.items) if it.id in self.flags]

    def navigator(self) -> list[ItemStatus]:
        """Answered / flagged / current for every item, for the review grid."""
        return [ItemStatus(i, it.id in self.answers, it.id in self.flags, i == self.current)
                for i, it in enumerate(self.items)]

    # -- transitions
    def answer(self, key: int | str, value: Any, now: datetime) -> "ExamSession":
        """Record (or with value None, clear) the answer to an item. After the deadline the answer is
        refused and the exam is submitted instead; after submission nothing changes."""
        if self.submitted:
            return self
        if self.is_expired(now):
            return self.tick(now)
        item = self.items[self.index_of(key)]
        _check_answer(item, value)
        answers = {k: v for k, v in self.answers.items() if k != item.id}
        if value is not None:
            answers[item.id] = value
        return replace(self, answers=answers)

    def flag(self, key: int | str) -> "ExamSession":
        return self._with_flag(key, True)

    def unflag(self, key: int | str) -> "ExamSession":
        return self._with_flag(key, False)

    def toggle_flag(self, key: int | str) -> "ExamSession":
        return self._with_flag(key, not self.is_flagged(key))

    def _with_flag(self, key: int | str, on: bool) -> "ExamSession":
        if self.submitted:
            return self
        item_id = self.items[self.index_of(key)].id
        return replace(self, flags=(self.flags | {item_id}) if on else (self.flags - {item_id}))

    def goto(self, key: int | str) -> "ExamSession":
        """Move to an item (by index or id); allowed after submission too, for review."""
        return replace(self, current=self.index_of(key))

    def next(self) -> "ExamSession":
        return replace(self, current=min(self.current + 1, len(self.items) - 1)) if self.items else self

    def prev(self) -> "ExamSession":
        return replace(self, current=max(self.current - 1, 0))

    def submit(self, now: datetime) -> "ExamSession":
        """Hand the exam in. A submission at or after the deadline counts as the automatic one."""
        if self.submitted:
            return self
        if self.is_expired(now):
            return self.tick(now)
        return replace(self, submitted_at=now)

    def tick(self, now: datetime) -> "ExamSession":
        """Call on every clock refresh: returns the submitted session once time is up, else itself."""
        if self.submitted or not self.is_expired(now):
            return self
        return replace(self, submitted_at=self.deadline, auto_submitted=True)

    # -- storage
    def to_dict(self) -> dict:
        """Plain JSON. `items`, `answers` and `flags` map onto the store's items_json, answers_json
        and flags_json columns; the rest is small metadata."""
        return {"blueprint_id": self.blueprint_id, "title": self.title, "credential": self.credential,
                "items": [it.to_dict() for it in self.items], "domains": list(self.domains),
                "started_at": _iso(self.started_at), "deadline": _iso(self.deadline),
                "answers": dict(self.answers), "flags": sorted(self.flags), "current": self.current,
                "submitted_at": _iso(self.submitted_at), "auto_submitted": self.auto_submitted,
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, d: dict) -> "ExamSession":
        items = tuple(ExamItem.from_dict(x) for x in d["items"])
        return cls(blueprint_id=d["blueprint_id"], title=d.get("title", ""), credential=d.get("credential", ""),
                   items=items, domains=tuple(d.get("domains") or dict.fromkeys(it.domain for it in items)),
                   started_at=_dt(d["started_at"]), deadline=_dt(d["deadline"]),
                   answers=dict(d.get("answers") or {}), flags=frozenset(d.get("flags") or ()),
                   current=int(d.get("current", 0)), submitted_at=_dt(d.get("submitted_at")),
                   auto_submitted=bool(d.get("auto_submitted")), notes=tuple(d.get("notes") or ()))


def _check_answer(item: ExamItem, value: Any) -> None:
    if value is None:
        return
    if item.kind == MC:
        n = len(item.question.options)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
            raise ValueError(f"an answer to {item.id} must be an option index 0..{n - 1}")
    elif not isinstance(value, dict):
        raise ValueError(f"an answer to case {item.id} must be a dict (Answer.to_dict())")


def start_exam(blueprint: Blueprint, draw: Draw, now: datetime) -> ExamSession:
    """A new session for drawn items; the clock runs from `now` for blueprint.minutes.
    Raises ValueError when nothing could be drawn (the notes say why)."""
    if not draw.items:
        raise ValueError("no items could be drawn for this blueprint: " + " ".join(draw.notes))
    domains = [dm.name for dm in blueprint.domains] + ([blueprint.case_domain] if blueprint.cases else [])
    return ExamSession(blueprint_id=blueprint.id, title=blueprint.title, credential=blueprint.credential,
                       items=draw.items, domains=tuple(domains), started_at=now,
                       deadline=now + timedelta(minutes=blueprint.minutes), notes=draw.notes)


def new_exam(blueprint: Blueprint, bank: Iterable[Question], rng: random.Random, now: datetime,
             scenarios: Sequence[str] = ()) -> ExamSession:
    """draw_items + start_exam in one call."""
    return start_exam(blueprint, draw_items(blueprint, bank, rng, scenarios), now)


# --- report ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DomainScore:
    name: str
    correct: float           # case items add fractions
    total: int
    percent: float | None    # None when the domain has no items


@dataclass(frozen=True)
class ItemReview:
    index: int
    item_id: str
    kind: str
    domain: str
    flagged: bool
    answered: bool
    credit: float                       # 0..1
    chosen: int | None = None           # mc: the option picked
    correct_index: int | None = None    # mc: the right option
    stem: str = ""
    options: tuple[str, ...] = ()
    rationales: tuple[str, ...] = ()
    lesson: str = ""
    scenario: str = ""
    seed: int = 0
    answer: Any = None                  # case: the learner's answer dict

    @property
    def correct(self) -> bool:
        return self.credit >= 1.0


@dataclass(frozen=True)
class ExamReport:
    blueprint_id: str
    title: str
    credential: str
    domains: tuple[DomainScore, ...]
    correct: float
    total: int
    percent: float | None
    readiness: str                      # "ready" | "borderline" | "not yet" (ChartLab heuristic)
    weak_domains: tuple[str, ...]
    answered: int
    flagged: int
    auto_submitted: bool
    started_at: datetime
    submitted_at: datetime
    items: tuple[ItemReview, ...]
    notes: tuple[str, ...] = ()

    @property
    def duration_seconds(self) -> int:
        return int((self.submitted_at - self.started_at).total_seconds())

    def to_dict(self) -> dict:
        """Plain JSON for the store's report_json column."""
        return {"blueprint_id": self.blueprint_id, "title": self.title, "credential": self.credential,
                "domains": [vars(d) for d in self.domains], "correct": self.correct, "total": self.total,
                "percent": self.percent, "readiness": self.readiness, "weak_domains": list(self.weak_domains),
                "answered": self.answered, "flagged": self.flagged, "auto_submitted": self.auto_submitted,
                "started_at": _iso(self.started_at), "submitted_at": _iso(self.submitted_at),
                "duration_seconds": self.duration_seconds,
                "items": [{**vars(it), "options": list(it.options), "rationales": list(it.rationales)} for it in self.items],
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, d: dict) -> "ExamReport":
        items = tuple(ItemReview(**{**it, "options": tuple(it.get("options") or ()),
                                    "rationales": tuple(it.get("rationales") or ())}) for it in d["items"])
        return cls(blueprint_id=d["blueprint_id"], title=d["title"], credential=d["credential"],
                   domains=tuple(DomainScore(**x) for x in d["domains"]), correct=d["correct"], total=d["total"],
                   percent=d["percent"], readiness=d["readiness"], weak_domains=tuple(d["weak_domains"]),
                   answered=d["answered"], flagged=d["flagged"], auto_submitted=d["auto_submitted"],
                   started_at=_dt(d["started_at"]), submitted_at=_dt(d["submitted_at"]), items=items,
                   notes=tuple(d.get("notes") or ()))


def _percent(correct: float, total: int) -> float | None:
    return round(100.0 * correct / total, 1) if total else None


def _credit(item: ExamItem, answer: Any, score_case: ScoreCase | None) -> float:
    if answer is None:
        return 0.0
    if item.kind == MC:
        return 1.0 if answer == item.question.correct_index else 0.0
    if score_case is None:
        raise ValueError("this exam has case items: pass score_case(item, answer) -> fraction")
    value = float(score_case(item, answer))
    if math.isnan(value):
        raise ValueError(f"score_case returned NaN for {item.id}")
    return min(1.0, max(0.0, value))


def _review(i: int, item: ExamItem, session: ExamSession, credit: float) -> ItemReview:
    answer = session.answers.get(item.id)
    base = dict(index=i, item_id=item.id, kind=item.kind, domain=item.domain, flagged=item.id in session.flags,
                answered=answer is not None, credit=credit)
    if item.kind == CASE:
        return ItemReview(**base, scenario=item.scenario, seed=item.seed, answer=answer)
    q = item.question
    return ItemReview(**base, chosen=answer, correct_index=q.correct_index, stem=q.stem,
                      options=tuple(o.text for o in q.options), rationales=tuple(o.rationale for o in q.options),
                      lesson=q.lesson)


def readiness(percent: float | None, domains: Iterable[DomainScore]) -> tuple[str, tuple[str, ...]]:
    """ChartLab's readiness heuristic: "ready" at 80 %+ overall with no weak domain (a domain of
    5+ items under 65 %), "borderline" at 65 %+ (or 80 %+ with a weak domain), else "not yet".
    Returns (readiness, weak domain names). Not a credentialing body's passing standard."""
    weak = tuple(d.name for d in domains
                 if d.total >= WEAK_DOMAIN_MIN_ITEMS and d.percent is not None and d.percent < BORDERLINE_AT)
    if percent is not None and percent >= READY_AT and not weak:
        return "ready", weak
    if percent is not None and percent >= BORDERLINE_AT:
        return "borderline", weak
    return "not yet", weak


def build_report(session: ExamSession, score_case: ScoreCase | None = None) -> ExamReport:
    """Score a submitted session: per-domain and overall results, readiness, and a review of every
    item with its rationales. `score_case(item, answer) -> 0..1` scores case items (unanswered = 0)."""
    if not session.submitted:
        raise ValueError("submit the exam (or let it time out) before building the report")
    credits = [_credit(it, session.answers.get(it.id), score_case) for it in session.items]
    names = list(session.domains) + [it.domain for it in session.items if it.domain not in session.domains]
    domains = []
    for name in dict.fromkeys(names):
        got = [c for it, c in zip(session.items, credits) if it.domain == name]
        domains.append(DomainScore(name, round(sum(got), 3), len(got), _percent(sum(got), len(got))))
    correct = round(sum(credits), 3)
    percent = _percent(correct, len(credits))
    ready, weak = readiness(percent, domains)
    return ExamReport(blueprint_id=session.blueprint_id, title=session.title, credential=session.credential,
                      domains=tuple(domains), correct=correct, total=len(credits), percent=percent,
                      readiness=ready, weak_domains=weak, answered=len(session.items) - len(session.unanswered()),
                      flagged=len(session.flagged()), auto_submitted=session.auto_submitted,
                      started_at=session.started_at, submitted_at=session.submitted_at,
                      items=tuple(_review(i, it, session, c) for i, (it, c) in enumerate(zip(session.items, credits))),
                      notes=session.notes)


@dataclass(frozen=True)
class DomainCoverage:
    name: str
    seats: int        # seats the blueprint weights give this domain
    tagged: int       # bank questions for this domain tagged for the blueprint's credential
    available: int    # bank questions for this domain, any credential


def coverage(blueprint: Blueprint, bank: Iterable[Question]) -> list[DomainCoverage]:
    """How well the bank covers each blueprint domain (for validators and the instructor view)."""
    bank = list(bank)
    seats = apportion(blueprint.items, [dm.weight for dm in blueprint.domains])
    return [DomainCoverage(dm.name, n,
                           sum(1 for q in bank if q.domain in dm.tags and blueprint.credential in q.credentials),
                           sum(1 for q in bank if q.domain in dm.tags))
            for dm, n in zip(blueprint.domains, seats)]


# --- stored exams ----------------------------------------------------------------------------

def _utc(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(timezone.utc)


def resume_session(row: Mapping[str, Any], blueprints: Mapping[str, Blueprint], current: int = 0) -> ExamSession:
    """The session of a stored, running exam: items, answers, flags and times come from the store's
    row (`blueprint_id`, `items`, `answers`, `flags`, `started_at`, `deadline_at`), so a reload or a
    new sign-in resumes exactly where the learner was. Report lines follow the blueprint when it
    still exists (a removed blueprint keeps the items' own domains)."""
    items = tuple(ExamItem.from_dict(d) for d in row["items"])
    bp = blueprints.get(row["blueprint_id"])
    order = ([dm.name for dm in bp.domains] + ([bp.case_domain] if bp.cases else [])) if bp else []
    present = {it.domain for it in items}
    domains = tuple(dict.fromkeys([n for n in order if n in present] + [it.domain for it in items]))
    return ExamSession(blueprint_id=row["blueprint_id"], title=bp.title if bp else row["blueprint_id"],
                       credential=bp.credential if bp else "", items=items, domains=domains,
                       started_at=_utc(row["started_at"]), deadline=_utc(row["deadline_at"]),
                       answers=dict(row.get("answers") or {}), flags=frozenset(row.get("flags") or ()),
                       current=max(0, min(int(current), len(items) - 1)))


@dataclass(frozen=True)
class GradedExam:
    """A handed-in exam, ready to store: what `progress.submit_exam` takes."""
    session: ExamSession     # the submitted session
    report: dict             # ExamReport.to_dict() plus "case_reports": {case item id: its score report}
    score: float             # percent
    responses: tuple         # per answered question: question_id, chosen letter, correct, domain, topic


def _case_report(report_case: CaseReport, item: ExamItem, answer) -> dict:
    try:
        return report_case(item, answer or {})
    except (KeyError, ValueError) as exc:   # the scenario was removed or broken since the exam began
        return {"total": 0.0, "items": [], "feedback": [
            {"message": f"This case could not be rebuilt ({exc}), so it scores 0. Tell your instructor."}]}


def grade(session: ExamSession, now: datetime, report_case: CaseReport) -> GradedExam:
    """Hand the exam in (at or after the deadline this is the automatic submission) and grade it:
    case items by `report_case(item, answer)`, whose report's `total` (0-100) is the item's credit;
    unanswered cases are scored as empty, so the review can show their key. Each answered question
    becomes a response for spaced review."""
    exam = session.submit(now)
    case_reports: dict[str, dict] = {}

    def credit(item: ExamItem, answer) -> float:
        case_reports[item.id] = _case_report(report_case, item, answer)
        return float(case_reports[item.id].get("total") or 0.0) / 100.0

    report = build_report(exam, credit)
    for item in exam.items:
        if item.kind == CASE and item.id not in case_reports:
            case_reports[item.id] = _case_report(report_case, item, {})
    responses = tuple({"question_id": it.id, "chosen": LETTERS[exam.answers[it.id]],
                       "correct": exam.answers[it.id] == it.question.correct_index,
                       "domain": it.question.domain, "topic": it.question.topic}
                      for it in exam.items if it.kind == MC and it.id in exam.answers)
    return GradedExam(exam, {**report.to_dict(), "case_reports": case_reports}, report.percent or 0.0, responses)


def review_question(item: ItemReview) -> Question:
    """A bank-shaped question rebuilt from a report's item review (rationales included), so the
    review can show it like any practice question."""
    return Question(id=item.item_id, stem=item.stem,
                    options=tuple(Option(text, i == item.correct_index, why)
                                  for i, (text, why) in enumerate(zip(item.options, item.rationales))),
                    credentials=(), domain="", topic="", difficulty=1, lesson=item.lesson)
