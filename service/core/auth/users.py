"""Web UI logins: create users and check passwords. The web UI turns a checked user into a Principal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm
from models.schemas import blank_to_none, check_email, check_phone
from service.core.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from service.core.auth.principal import Principal, role_problem
from service.core.auth.web_sessions import end_user_sessions

USERNAME_MAX = 100
FULL_NAME_MAX = 200


def user_principal(user: orm.User) -> Principal:
    return Principal(actor=f"user:{user.username}"[:100], role=user.role, jobcenters=frozenset(user.jobcenters or ()))


def create_user(session: Session, *, username: str, password: str, role: str, jobcenters: list[str],
                full_name: str | None = None, phone: str | None = None, email: str | None = None) -> orm.User:
    """A new active user; raises ValueError with a Danish message on a bad name, role, password, phone or
    e-mail. The full name, phone and e-mail are what pages and the employer's udpluk show."""
    username = username.strip()
    if not username or len(username) > USERNAME_MAX or any(ch.isspace() for ch in username):
        raise ValueError("brugernavnet skal være 1–100 tegn uden mellemrum")
    full_name, phone, email = blank_to_none(full_name), check_phone(phone), check_email(email)
    if full_name is not None and len(full_name) > FULL_NAME_MAX:
        raise ValueError(f"det fulde navn må højst have {FULL_NAME_MAX} tegn")
    jobcenters = sorted({j.strip() for j in jobcenters if j.strip()})
    problem = role_problem(role, jobcenters) or password_problem(password)
    if problem:
        raise ValueError(problem)
    if session.scalars(select(orm.User).where(orm.User.username == username)).first() is not None:
        raise ValueError(f"brugeren '{username}' findes allerede")
    user = orm.User(username=username, password_hash=hash_password(password), role=role,
                    jobcenters=[] if role == "admin" else jobcenters, active=True, full_name=full_name, phone=phone,
                    email=email, created_at=orm.utcnow())
    session.add(user)
    session.flush()
    return user


def display_name(user: orm.User) -> str:
    """The name people read: the full name, or the username when none was given."""
    return user.full_name or user.username


def authenticate(session: Session, username: str, password: str) -> orm.User | None:
    """The active user with this name and password, or None. Upgrades an outdated hash on success."""
    user = session.scalars(select(orm.User).where(orm.User.username == username.strip())).first()
    if user is None or not user.active:
        # Hash anyway so a missing user takes as long as a wrong password (no user enumeration by timing).
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def find_user(session: Session, username: str) -> orm.User | None:
    return session.scalars(select(orm.User).where(orm.User.username == username.strip())).first()


def list_users(session: Session) -> list[orm.User]:
    return list(session.scalars(select(orm.User).order_by(orm.User.username)))


def disable_user(session: Session, username: str) -> orm.User:
    """Deactivate a user and end their sessions at once. ValueError (Danish) for an unknown user."""
    user = find_user(session, username)
    if user is None:
        raise ValueError(f"brugeren '{username}' findes ikke")
    user.active = False
    end_user_sessions(session, user.id)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> orm.User:
    """A new password (checked like at creation); every session of the user ends."""
    user = find_user(session, username)
    if user is None:
        raise ValueError(f"brugeren '{username}' findes ikke")
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    user.password_hash = hash_password(password)
    end_user_sessions(session, user.id)
    session.flush()
    return user


_DUMMY_HASH = hash_password("fleksmatch-dummy-password")

__all__ = ["authenticate", "create_user", "disable_user", "display_name", "find_user", "list_users", "set_password",
           "user_principal"]
