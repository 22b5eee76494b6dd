"""Password hashing for web UI logins (argon2id via argon2-cffi, its recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches; a malformed hash counts as a mismatch, never as an error."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters; rehash at the next successful login."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """A Danish reason the password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"adgangskoden skal have mindst {MIN_PASSWORD_LENGTH} tegn"
    if password.strip() != password:
        return "adgangskoden må ikke starte eller slutte med mellemrum"
    return None


__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "needs_rehash", "password_problem", "verify_password"]
