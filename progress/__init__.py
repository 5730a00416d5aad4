"""ChartLab progress store: accounts, cohorts, assignments, attempts, grading and analytics in
SQLite (sqlite-utils). No Streamlit here.

Every query or mutation takes the signed-in `Actor` first (see `progress.authz`) and an optional
`db=` keyword (default: this thread's connection to $CHARTLAB_DB). Errors are `ProgressError`
subclasses whose messages are safe to show.
"""
from progress.accounts import (User, authenticate, change_password, create_first_user, create_user,
                               get_user, has_password, list_users, needs_first_user,
                               password_problems, provision_user, register_learner, reset_password,
                               set_role)
from progress.analytics import (MIN_N, SCORE_BINS, assignment_summary, gradebook, item_analysis,
                                learner_assignments, mastery, normalize_answer, question_analysis,
                                question_mastery, scores_over_time, weakest_skills, weekly_trend)
from progress.attempts import (case_ref, discard_draft, get_attempt, list_attempts, list_drafts,
                               load_draft, report_items, save_attempt, save_draft)
from progress.authz import Actor
from progress.cohorts import (add_member, cohort_members, create_assignment, create_cohort,
                              get_assignment, get_cohort, join_cohort, list_assignments,
                              list_cohorts, remove_member)
from progress.exports import (LMS_FORMATS, attempts_csv, components_csv, gradebook_csv, learner_report,
                              lms_csv)
from progress.db import connect, db_path, get_db, iso, parse_iso, utcnow
from progress.errors import (AuthError, NotFound, PermissionDenied, ProgressError, Unavailable,
                             ValidationError)
from progress.grading import list_disputes, open_dispute, override_item, rule_dispute
from progress.integrity import (CaseAccess, assignment_audit, attempt_policy, can_open_case,
                                case_access, key_visible, release_key, set_attempt_policy)
from progress.roster import (ROSTER_COLUMNS, RosterRow, check_row, import_roster, known_learners,
                             mark_unknown, parse_roster, rejected_csv)
from progress.sessions import (ActiveSession, IssuedToken, NewSession, active_session_count,
                               check_session, claim_session, create_session, revoke_session,
                               revoke_token, revoke_user_sessions, validate_session)
from progress.sso import invite_learner, list_invitations, sso_account
from progress.learning import (answer_quiz, exam_attempt_number, finish_quiz, get_exam, get_quiz_attempt,
                               lesson_progress, list_exams, list_quiz_attempts, record_lesson,
                               record_response, record_review, review_due, save_exam_progress,
                               start_exam, start_quiz, submit_exam)
from progress.policy import AttemptPolicy
from progress.study import (EXAM_POLICY, QUIZ_POLICY, StudyAccess, create_exam_assignment,
                            create_quiz_assignment, learner_study_assignments, study_access)
from progress.setup import Origin, announce_token, token_required
from progress.throttle import client_address

__all__ = [
    "MIN_N", "normalize_answer", "question_analysis", "LMS_FORMATS", "attempts_csv", "components_csv",
    "learner_report", "lms_csv", "answer_quiz", "exam_attempt_number", "finish_quiz", "get_quiz_attempt",
    "list_quiz_attempts", "start_quiz", "EXAM_POLICY", "QUIZ_POLICY", "StudyAccess", "create_exam_assignment",
    "create_quiz_assignment", "learner_study_assignments", "study_access",
    "SCORE_BINS", "iso", "parse_iso", "utcnow", "ROSTER_COLUMNS", "RosterRow", "check_row", "import_roster",
    "known_learners", "mark_unknown", "parse_roster", "rejected_csv",
    "Actor", "AttemptPolicy", "AuthError", "CaseAccess", "NotFound", "Origin", "PermissionDenied",
    "ProgressError", "Unavailable", "User", "ValidationError",
    "add_member", "announce_token", "assignment_audit", "assignment_summary", "attempt_policy",
    "authenticate", "can_open_case", "case_access", "case_ref", "change_password",
    "client_address", "cohort_members", "connect", "create_assignment", "create_cohort", "create_first_user",
    "ActiveSession", "IssuedToken", "NewSession", "active_session_count", "check_session",
    "claim_session", "create_session", "has_password", "invite_learner", "list_invitations",
    "revoke_session", "revoke_token", "revoke_user_sessions", "set_role", "sso_account",
    "validate_session",
    "create_user", "db_path", "discard_draft", "get_assignment", "get_attempt", "get_cohort",
    "get_db", "get_exam", "get_user", "gradebook", "gradebook_csv", "item_analysis", "join_cohort", "key_visible",
    "learner_assignments", "lesson_progress", "list_assignments", "list_attempts", "list_cohorts",
    "list_disputes", "list_drafts", "list_exams", "list_users", "load_draft", "mastery",
    "needs_first_user", "open_dispute", "override_item", "password_problems", "provision_user",
    "question_mastery", "record_lesson", "record_response", "record_review", "register_learner",
    "release_key", "remove_member", "report_items", "reset_password", "review_due", "rule_dispute",
    "save_attempt", "save_draft", "save_exam_progress", "scores_over_time", "set_attempt_policy",
    "start_exam", "submit_exam", "token_required", "weakest_skills", "weekly_trend",
]
