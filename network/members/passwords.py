"""Password policy and hashing (scrypt, through Werkzeug)."""

from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
# Verified when the email is unknown, so a login takes the same time either way.
DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing", method="scrypt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, *, email: str = "", names: tuple[str, ...] = ()) -> list[str]:
    """French messages explaining why a password is refused; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères.")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!?.*") in common_passwords():
        problems.append("Ce mot de passe est trop courant : choisissez-en un moins prévisible.")
    elif len(set(lowered)) <= 3:
        problems.append("Ce mot de passe répète trop les mêmes caractères.")
    local_part = email.partition("@")[0].lower()
    personal = [part for part in (local_part, *(name.lower() for name in names)) if len(part) >= 4]
    if any(part in lowered for part in personal):
        problems.append("Le mot de passe ne doit pas contenir votre nom ni votre adresse e-mail.")
    return problems


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        check_password_hash(DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)
