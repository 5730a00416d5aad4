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
from progress.analytics import (assignment_summary, gradebook, gradebook_csv, item_analysis,
                                learner_assignments, mastery, question_mastery, scores_over_time,
                                weakest_skills, weekly_trend)
from progress.attempts import (case_ref, discard_draft, get_attempt, list_attempts, list_drafts,
                               load_draft, report_items, save_attempt, save_draft)
from progress.authz import Actor
from progress.cohorts import (add_member, cohort_members, create_assignment, create_cohort,
                              get_assignment, get_cohort, join_cohort, list_assignments,
                              list_cohorts, remove_member)
from progress.db import connect, db_path, get_db
from progress.errors import AuthError, NotFound, PermissionDenied, ProgressError, ValidationError
from progress.grading import list_disputes, open_dispute, override_item, rule_dispute
from progress.sessions import (ActiveSession, IssuedToken, NewSession, active_session_count,
                               check_session, claim_session, create_session, revoke_session,
                               revoke_token, revoke_user_sessions, validate_session)
from progress.sso import invite_learner, list_invitations, sso_account
from progress.learning import (get_exam, lesson_progress, list_exams, record_lesson,
                               record_response, record_review, review_due, save_exam_progress,
                               start_exam, submit_exam)

__all__ = [
    "ActiveSession", "IssuedToken", "NewSession", "active_session_count", "check_session",
    "claim_session", "create_session", "has_password", "invite_learner", "list_invitations",
    "revoke_session", "revoke_token", "revoke_user_sessions", "set_role", "sso_account",
    "validate_session",
    "Actor", "AuthError", "NotFound", "PermissionDenied", "ProgressError", "User", "ValidationError",
    "add_member", "assignment_summary", "authenticate", "case_ref", "change_password",
    "cohort_members", "connect", "create_assignment", "create_cohort", "create_first_user",
    "create_user", "db_path", "discard_draft", "get_assignment", "get_attempt", "get_cohort",
    "get_db", "get_exam", "get_user", "gradebook", "gradebook_csv", "item_analysis", "join_cohort",
    "learner_assignments", "lesson_progress", "list_assignments", "list_attempts", "list_cohorts",
    "list_disputes", "list_drafts", "list_exams", "list_users", "load_draft", "mastery",
    "needs_first_user", "open_dispute", "override_item", "password_problems", "provision_user",
    "question_mastery", "record_lesson", "record_response", "record_review", "register_learner",
    "remove_member", "report_items", "reset_password", "review_due", "rule_dispute",
    "save_attempt", "save_draft", "save_exam_progress", "scores_over_time", "start_exam",
    "submit_exam", "weakest_skills", "weekly_trend",
]
