"""Versioned schema migrations, run with sqlite-utils' built-in `Migrations`.

Each migration is a named SQL script; sqlite-utils records the applied names in the
`_sqlite_migrations` table. Never edit a migration that has shipped: add a new one to the end of
`_SCRIPTS` (the SQL is literal on purpose, so later code changes cannot alter a shipped
migration). `migrate(db, upto=NAME)` stops after NAME, which the tests use to build a database
at an earlier version, and `progress.transfer` uses to import an export at the version it was
written with before migrating it forward.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from progress.db import write

_CORE = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('learner', 'instructor', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_login_at TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);
CREATE TABLE cohorts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    join_code TEXT NOT NULL COLLATE NOCASE UNIQUE,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX idx_cohorts_owner ON cohorts(owner_id);
CREATE TABLE memberships (
    cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (cohort_id, user_id)
) WITHOUT ROWID;
CREATE INDEX idx_memberships_user ON memberships(user_id, cohort_id);
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
    title TEXT NOT NULL,
    items_json TEXT NOT NULL,
    rubric TEXT NOT NULL DEFAULT '',
    opens_at TEXT,
    due_at TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX idx_assignments_cohort ON assignments(cohort_id, due_at);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    scenario_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    generator_version TEXT NOT NULL,
    assignment_id INTEGER REFERENCES assignments(id),
    started_at TEXT,
    submitted_at TEXT NOT NULL,
    duration_s REAL,
    total REAL NOT NULL CHECK (total BETWEEN 0 AND 100),
    score_pdx REAL,
    score_sdx REAL,
    score_poa REAL,
    score_pcs REAL,
    score_drg REAL,
    score_abstraction REAL,
    rubric_version TEXT NOT NULL DEFAULT '',
    mdc INTEGER
);
CREATE INDEX idx_attempts_user_scores ON attempts(user_id, mdc, submitted_at, total, score_pdx,
    score_sdx, score_poa, score_pcs, score_drg, score_abstraction);
CREATE TABLE attempt_payloads (
    attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id),
    answer_json TEXT NOT NULL,
    report_json TEXT NOT NULL
);
CREATE INDEX idx_attempts_assignment ON attempts(assignment_id, user_id, scenario_id, seed, total);
CREATE INDEX idx_attempts_scenario ON attempts(scenario_id, user_id);
CREATE TABLE attempt_items (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    idx INTEGER NOT NULL,
    component TEXT NOT NULL CHECK (component IN ('pdx', 'sdx', 'poa', 'pcs', 'drg', 'abstraction')),
    label TEXT NOT NULL DEFAULT '',
    expected TEXT,
    entered TEXT,
    status TEXT NOT NULL CHECK (status IN ('correct', 'near_miss', 'missing', 'extra', 'wrong')),
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    PRIMARY KEY (attempt_id, idx)
) WITHOUT ROWID;
CREATE INDEX idx_items_expected ON attempt_items(expected, component);
CREATE TABLE attempt_topics (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    topic TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    total REAL NOT NULL,
    PRIMARY KEY (attempt_id, topic)
) WITHOUT ROWID;
CREATE INDEX idx_topics_user ON attempt_topics(user_id, topic, total);
CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    scenario_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    assignment_id INTEGER REFERENCES assignments(id),
    answer_json TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX idx_drafts_case ON drafts(user_id, scenario_id, seed, ifnull(assignment_id, 0));
"""

_GRADING = """
CREATE TABLE score_overrides (
    id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    item_idx INTEGER NOT NULL,
    old_score REAL NOT NULL,
    new_score REAL NOT NULL,
    old_total REAL NOT NULL,
    new_total REAL NOT NULL,
    by_user INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    FOREIGN KEY (attempt_id, item_idx) REFERENCES attempt_items(attempt_id, idx)
);
CREATE INDEX idx_overrides_attempt ON score_overrides(attempt_id, id);
CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    item_idx INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    argument TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    ruling TEXT,
    ruled_by INTEGER REFERENCES users(id),
    ruled_at TEXT,
    FOREIGN KEY (attempt_id, item_idx) REFERENCES attempt_items(attempt_id, idx)
);
CREATE UNIQUE INDEX idx_disputes_one_open ON disputes(attempt_id, item_idx) WHERE status = 'open';
CREATE INDEX idx_disputes_user ON disputes(user_id, status);
CREATE INDEX idx_disputes_attempt ON disputes(attempt_id);
"""

_LEARNING = """
CREATE TABLE lesson_progress (
    user_id INTEGER NOT NULL REFERENCES users(id),
    lesson_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'completed')),
    started_at TEXT NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (user_id, lesson_id)
) WITHOUT ROWID;
CREATE TABLE exam_sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    blueprint_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    deadline_at TEXT NOT NULL,
    submitted_at TEXT,
    items_json TEXT NOT NULL,
    answers_json TEXT NOT NULL DEFAULT '{}',
    flags_json TEXT NOT NULL DEFAULT '[]',
    report_json TEXT,
    score REAL
);
CREATE INDEX idx_exams_user ON exam_sessions(user_id, started_at);
CREATE TABLE question_responses (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    question_id TEXT NOT NULL,
    chosen TEXT NOT NULL,
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    domain TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    exam_session_id INTEGER REFERENCES exam_sessions(id),
    answered_at TEXT NOT NULL
);
CREATE INDEX idx_responses_user ON question_responses(user_id, domain);
CREATE INDEX idx_responses_question ON question_responses(question_id);
CREATE INDEX idx_responses_exam ON question_responses(exam_session_id);
CREATE TABLE review_queue (
    user_id INTEGER NOT NULL REFERENCES users(id),
    item_type TEXT NOT NULL CHECK (item_type IN ('question', 'teaching_point')),
    item_id TEXT NOT NULL,
    box INTEGER NOT NULL CHECK (box BETWEEN 1 AND 5),
    due_date TEXT NOT NULL,
    last_result INTEGER CHECK (last_result IN (0, 1)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, item_type, item_id)
) WITHOUT ROWID;
CREATE INDEX idx_review_due ON review_queue(user_id, due_date);
"""

_INTEGRITY = """
ALTER TABLE assignments ADD COLUMN max_attempts INTEGER DEFAULT 1
    CHECK (max_attempts IS NULL OR max_attempts BETWEEN 1 AND 100);
ALTER TABLE assignments ADD COLUMN counts TEXT NOT NULL DEFAULT 'first'
    CHECK (counts IN ('best', 'last', 'first'));
ALTER TABLE assignments ADD COLUMN key_shown TEXT NOT NULL DEFAULT 'after_due'
    CHECK (key_shown IN ('after_attempt', 'after_due', 'on_release'));
ALTER TABLE assignments ADD COLUMN exam_mode INTEGER NOT NULL DEFAULT 0 CHECK (exam_mode IN (0, 1));
ALTER TABLE assignments ADD COLUMN key_released_at TEXT;
UPDATE assignments SET exam_mode = 1 WHERE rubric = 'exam';
CREATE TABLE assignment_audit (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    by_user INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('policy', 'release_key')),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_assignment_audit ON assignment_audit(assignment_id, id);
ALTER TABLE users ADD COLUMN created_by INTEGER REFERENCES users(id);
ALTER TABLE memberships ADD COLUMN via TEXT NOT NULL DEFAULT 'legacy'
    CHECK (via IN ('legacy', 'join_code', 'admin', 'creator', 'staff'));
"""

# Sign-in that survives a reload (progress.sessions) and school single sign-on (progress.sso).
# Written against the 0003 schema only: it adds tables and one nullable users column.
_SESSIONS = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT UNIQUE CHECK (token_hash IS NULL OR length(token_hash) = 64),
    claim_hash TEXT UNIQUE CHECK (claim_hash IS NULL OR length(claim_hash) = 64),
    claim_expires_at TEXT,
    method TEXT NOT NULL CHECK (method IN ('password', 'sso')),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    idle_timeout_s INTEGER NOT NULL CHECK (idle_timeout_s > 0),
    revoked_at TEXT,
    revoked_reason TEXT
);
CREATE INDEX idx_sessions_user ON sessions(user_id, revoked_at);
ALTER TABLE users ADD COLUMN sessions_revoked_at TEXT;
CREATE TABLE sso_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    email TEXT COLLATE NOCASE,
    created_at TEXT NOT NULL,
    last_login_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
) WITHOUT ROWID;
CREATE INDEX idx_sso_user ON sso_identities(user_id);
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL COLLATE NOCASE,
    cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
    invited_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    accepted_by INTEGER REFERENCES users(id),
    accepted_at TEXT
);
CREATE UNIQUE INDEX idx_invitations_open ON invitations(email, cohort_id) WHERE accepted_at IS NULL;
"""

# Assignments of question sets and timed exams (progress.study). Written against the 0005 schema:
# new columns with defaults (existing assignments are case assignments), one new table, and links
# from exam sessions and question responses to the assignment attempt they belong to.
_STUDY_ASSIGNMENTS = """
ALTER TABLE assignments ADD COLUMN kind TEXT NOT NULL DEFAULT 'cases'
    CHECK (kind IN ('cases', 'quiz', 'exam'));
ALTER TABLE assignments ADD COLUMN blueprint_id TEXT;
ALTER TABLE assignments ADD COLUMN minutes INTEGER CHECK (minutes IS NULL OR minutes BETWEEN 1 AND 600);
CREATE TABLE quiz_attempts (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL,
    submitted_at TEXT,
    questions_json TEXT NOT NULL,
    answers_json TEXT NOT NULL DEFAULT '{}',
    correct INTEGER NOT NULL DEFAULT 0 CHECK (correct >= 0),
    score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 100)
);
CREATE INDEX idx_quiz_attempts_assignment ON quiz_attempts(assignment_id, user_id, submitted_at, score);
CREATE INDEX idx_quiz_attempts_user ON quiz_attempts(user_id, started_at);
ALTER TABLE question_responses ADD COLUMN quiz_attempt_id INTEGER REFERENCES quiz_attempts(id);
ALTER TABLE exam_sessions ADD COLUMN assignment_id INTEGER REFERENCES assignments(id);
CREATE INDEX idx_exams_assignment ON exam_sessions(assignment_id, user_id, submitted_at, score);
"""

MIGRATIONS = Migrations("chartlab.progress")
_SCRIPTS = (("0001_core", _CORE), ("0002_grading", _GRADING), ("0003_learning", _LEARNING),
            ("0004_integrity", _INTEGRITY), ("0005_sessions", _SESSIONS),
            ("0006_study_assignments", _STUDY_ASSIGNMENTS))
NAMES: tuple[str, ...] = tuple(name for name, _ in _SCRIPTS)
LATEST = NAMES[-1]


def _register(name: str, sql: str) -> None:
    """Register migration `name`, which runs the SQL script `sql`."""
    def run(db: Database) -> None:
        db.executescript(sql)
    MIGRATIONS(name=name)(run)


for _name, _sql in _SCRIPTS:
    _register(_name, _sql)


def applied(db: Database) -> list[str]:
    """Names of the migrations already applied to `db`, oldest first."""
    return [m.name for m in MIGRATIONS.applied(db)]


def migrate(db: Database, *, upto: str | None = None) -> list[str]:
    """Apply pending migrations (all, or up to and including `upto`); return the applied names.

    Runs in one IMMEDIATE transaction, so two processes starting at once cannot both migrate.
    """
    if upto is not None and upto not in NAMES:
        raise ValueError(f"unknown migration {upto!r}")
    later = NAMES[NAMES.index(upto) + 1:] if upto else ()
    if set(later) & set(applied(db)):
        raise ValueError(f"the database is already past migration {upto!r}")
    if MIGRATIONS.pending(db):
        with write(db):
            MIGRATIONS.apply(db, stop_before=later or None)
    return applied(db)
