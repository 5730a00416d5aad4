"""progress.sso: mapping a school OpenID Connect identity to a ChartLab account, invitations,
promotion by an admin, and refusal after revocation."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from progress import accounts
from progress.accounts import authenticate, has_password, set_role
from progress.cohorts import cohort_members
from progress.db import one
from progress.errors import AuthError, PermissionDenied, ValidationError
from progress.sessions import revoke_user_sessions
from progress.sso import invite_learner, list_invitations, sso_account

ISS = "https://login.school.example"
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


def sign_on(db, sub="s-1", email="ana.ruiz@school.example", verified=True, name="Ana Ruiz", **kw):
    return sso_account(ISS, sub, email=email, email_verified=verified, name=name, db=db, **kw)


def test_first_sign_in_creates_a_learner_without_a_password(world):
    user = sign_on(world.db)
    assert (user.role, user.username, user.display_name) == ("learner", "ana.ruiz", "Ana Ruiz")
    assert not has_password(user.actor, db=world.db)
    assert has_password(world.l1_, db=world.db)
    with pytest.raises(AuthError):   # no password ever verifies for it
        authenticate("ana.ruiz", accounts.NO_PASSWORD, db=world.db)
    link = one(world.db, "SELECT * FROM sso_identities WHERE user_id = ?", [user.id])
    assert (link["issuer"], link["subject"], link["email"]) == (ISS, "s-1", "ana.ruiz@school.example")


def test_the_same_identity_signs_in_to_the_same_account(world):
    first = sign_on(world.db)
    again = sign_on(world.db, email="ana.new@school.example", name="Ana R.")
    assert again.id == first.id
    assert one(world.db, "SELECT email FROM sso_identities WHERE user_id = ?",
               [first.id])["email"] == "ana.new@school.example"


def test_identity_is_issuer_and_subject_not_email(world):
    first = sign_on(world.db, sub="s-1")
    other_subject = sign_on(world.db, sub="s-2")   # same e-mail, another person at the provider
    other_issuer = sso_account("https://evil.example", "s-1", email="ana.ruiz@school.example",
                               email_verified=True, db=world.db)
    assert len({first.id, other_subject.id, other_issuer.id}) == 3
    assert other_subject.username == "ana.ruiz2"


def test_usernames_are_made_safe_and_unique(world):
    odd = sign_on(world.db, sub="odd", email="o'brien+hit@school.example", name=None)
    assert odd.username == "o.brien.hit" and odd.display_name == "o'brien+hit"
    nameless = sign_on(world.db, sub="anon", email=None, name=None)
    assert nameless.username == "learner" and nameless.display_name == "School learner"
    assert sign_on(world.db, sub="anon2", email=None, name=None).username == "learner2"
    clash = sign_on(world.db, sub="clash", email="l1-user@school.example")   # an existing local username
    assert clash.username == "l1-user2"


def test_an_invited_verified_email_joins_the_cohort(world):
    invite_learner(world.i1_, world.c1["id"], "  Ana.Ruiz@School.example ", db=world.db)
    invite_learner(world.i2_, world.c2["id"], "ana.ruiz@school.example", db=world.db)
    user = sign_on(world.db)
    for cohort, owner in ((world.c1, world.i1_), (world.c2, world.i2_)):
        assert user.id in {m["id"] for m in cohort_members(owner, cohort["id"], db=world.db)}
    listed = list_invitations(world.i1_, world.c1["id"], db=world.db)
    assert [(i["email"], i["accepted_by"]) for i in listed] == [("ana.ruiz@school.example", "ana.ruiz")]


def test_an_unverified_email_matches_no_invitation(world):
    invite_learner(world.i1_, world.c1["id"], "ana.ruiz@school.example", db=world.db)
    user = sign_on(world.db, verified=False)
    assert user.role == "learner"
    assert user.id not in {m["id"] for m in cohort_members(world.i1_, world.c1["id"], db=world.db)}
    assert list_invitations(world.i1_, world.c1["id"], db=world.db)[0]["accepted_at"] is None
    assert sign_on(world.db, sub="s-9", verified="true").username == "ana.ruiz2"   # only True counts


def test_a_school_may_trust_its_providers_emails(world, monkeypatch):
    invite_learner(world.i1_, world.c1["id"], "ana.ruiz@school.example", db=world.db)
    monkeypatch.setenv("CHARTLAB_SSO_TRUST_EMAIL", "1")
    user = sign_on(world.db, verified=None)   # the provider sent no email_verified claim
    assert user.id in {m["id"] for m in cohort_members(world.i1_, world.c1["id"], db=world.db)}


def test_later_invitations_are_accepted_at_the_next_sign_in(world):
    user = sign_on(world.db)
    invite_learner(world.i1_, world.c1["id"], "ana.ruiz@school.example", db=world.db)
    sign_on(world.db)
    assert user.id in {m["id"] for m in cohort_members(world.i1_, world.c1["id"], db=world.db)}


def test_invite_only_mode(world, monkeypatch):
    monkeypatch.setenv("CHARTLAB_SSO_INVITE_ONLY", "1")
    with pytest.raises(AuthError, match="not been invited"):
        sign_on(world.db)
    invite_learner(world.i1_, world.c1["id"], "ana.ruiz@school.example", db=world.db)
    assert sign_on(world.db).role == "learner"


def test_invitations_are_for_cohort_owners(world):
    with pytest.raises(PermissionDenied):
        invite_learner(world.i2_, world.c1["id"], "x@school.example", db=world.db)
    with pytest.raises(PermissionDenied):
        invite_learner(world.l1_, world.c1["id"], "x@school.example", db=world.db)
    with pytest.raises(PermissionDenied):
        list_invitations(world.i2_, world.c1["id"], db=world.db)
    for bad in ("", "no-at-sign", "a@b", "two@@school.example", "x" * 250 + "@school.example"):
        with pytest.raises(ValidationError):
            invite_learner(world.i1_, world.c1["id"], bad, db=world.db)
    first = invite_learner(world.i1_, world.c1["id"], "x@school.example", db=world.db)
    assert invite_learner(world.admin_, world.c1["id"], "X@school.example", db=world.db)["id"] == first["id"]


def test_instructors_are_promoted_by_an_admin_only(world):
    user = sign_on(world.db)
    with pytest.raises(PermissionDenied):
        set_role(world.i1_, user.id, "instructor", db=world.db)
    assert set_role(world.admin_, user.id, "instructor", db=world.db).role == "instructor"
    assert sign_on(world.db).role == "instructor"   # the role is the database's, not the provider's
    with pytest.raises(PermissionDenied):
        set_role(world.admin_, world.admin.id, "learner", db=world.db)
    with pytest.raises(ValidationError):
        set_role(world.admin_, user.id, "superuser", db=world.db)


@pytest.mark.parametrize("issuer, subject", [("", "s"), (ISS, ""), (None, "s"), (ISS, None),
                                             (ISS, 7), ("  ", "s"), (ISS, "x" * 300)])
def test_an_identity_without_issuer_or_subject_is_refused(world, issuer, subject):
    with pytest.raises(AuthError, match="did not say who you are"):
        sso_account(issuer, subject, email="a@school.example", email_verified=True, db=world.db)


def test_revocation_refuses_identity_tokens_issued_before_it(world):
    user = sign_on(world.db, issued_at=T0, now=T0)
    revoke_user_sessions(world.admin_, user.id, db=world.db)   # now: months after T0
    with pytest.raises(AuthError, match="sign in with your school account again"):
        sign_on(world.db, issued_at=T0, now=T0)
    with pytest.raises(AuthError):
        sign_on(world.db, issued_at=None)   # no issue time: cannot prove it is newer
    assert sign_on(world.db, issued_at=datetime.now(timezone.utc) + timedelta(seconds=5)).id == user.id


def test_an_identity_token_older_than_the_session_lifetime_is_refused(world, monkeypatch):
    monkeypatch.setenv("CHARTLAB_SESSION_MAX_HOURS", "24")
    with pytest.raises(AuthError, match="sign in with your school account again"):
        sign_on(world.db, issued_at=T0, now=T0 + timedelta(hours=24))
    assert sign_on(world.db, issued_at=T0, now=T0 + timedelta(hours=23)).role == "learner"
