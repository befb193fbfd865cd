"""The demo accounts and the second factor: with `make run`, admins and facilitators need one, so their demo
accounts share one documented authenticator secret (README), and `flask identity demo-code EMAIL` prints the code."""

import pyotp
from flask import current_app
from sqlalchemy import select

from network.database import utcnow
from network.extensions import db
from network.identity.models import TotpCredential
from network.identity.services import second_factor_required_for_role
from network.members.models import Member

# Base32; never used outside the demo data (which production refuses to load).
DEMO_TOTP_SECRET = "RESEAUDEMOTOTPSECRETRESEAUDEMOAA"


def seed_identity(members) -> int:
    """Enrol the demo accounts whose role requires a second factor under this configuration; returns how many."""
    enrolled = 0
    for member in members:
        if second_factor_required_for_role(member):
            db.session.add(TotpCredential(member_id=member.id, secret=DEMO_TOTP_SECRET, confirmed_at=utcnow()))
            enrolled += 1
    return enrolled


def demo_code(email: str) -> str | None:
    """The current code of a demo account enrolled with the demo secret (None for any other account)."""
    if current_app.config.get("ENV_NAME") == "production":
        return None
    secret = db.session.scalar(select(TotpCredential.secret).join(Member, Member.id == TotpCredential.member_id)
                               .where(Member.email == email.strip().lower()))
    return pyotp.TOTP(secret).now() if secret == DEMO_TOTP_SECRET else None
