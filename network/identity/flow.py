"""The sign-in steps between « who are you » and a login session, kept in the signed Flask session: the second-factor
step after a password (or an SSO sign-in without one), the one-time link of a provider identity, the remembered
device cookie, and the logout at the provider. View helpers: they read the request; the services decide."""

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from network.auth import safe_next_url
from network.database import utcnow
from network.extensions import db
from network.identity import oidc, services
from network.identity.oidc import ProviderIdentity
from network.members.models import Member
from network.members.services import open_login_session
from network.members.tokens import password_fingerprint
from network.outbox import external_url

PENDING_KEY = "identity.pending"  # a member who passed the first step and owes a second factor
LINK_KEY = "identity.sso_link"  # a provider identity whose email matches a member, to confirm once
NEXT_KEY = "identity.sso_next"
ID_TOKEN_KEY = "identity.sso_id_token"  # kept for the logout at the provider (id_token_hint)
JOIN_PREFILL_KEY = "identity.join_prefill"
STEP_MAX_AGE = 600  # seconds to finish a pending step
DEVICE_COOKIE = "reseau_appareil"


def client_ip() -> str:
    return request.remote_addr or "unknown"


# --- completing a sign-in ------------------------------------------------------------------------------------

def finish_sign_in(member: Member, *, next_url: str | None, id_token: str | None = None) -> Response:
    """Open the login session, commit, sign in: the common end of every path. No welcome flash: the home page greets
    the member (as after a password sign-in)."""
    open_login_session(member, ip_address=client_ip())
    db.session.commit()
    login_user(member)
    for key in (PENDING_KEY, LINK_KEY):
        session.pop(key, None)
    if id_token:
        session[ID_TOKEN_KEY] = id_token
    return redirect(safe_next_url(next_url, url_for("home.index")))


def after_password(member: Member, *, next_url: str | None) -> Response | None:
    """Called by the login view once the password is right: None to sign in now, else the response that takes the
    member to the next step (or refuses a password where the provider is required)."""
    if services.sso_required(member):
        flash(f"Votre compte se connecte avec ProConnect : utilisez le bouton « {oidc_label()} ».", "error")
        return redirect(url_for("members.login"))
    if not services.needs_second_factor(member) or remembered_device(member):
        return None
    start_second_factor(member, next_url=next_url, via="password")
    return redirect(url_for("identity.second_factor"))


def after_provider(member: Member, identity: ProviderIdentity, *, next_url: str | None) -> Response:
    services.record_provider_sign_in(member, issuer=identity.issuer, subject=identity.subject)
    if services.needs_second_factor(member) and not identity.has_second_factor and not remembered_device(member):
        start_second_factor(member, next_url=next_url, via="sso", id_token=identity.id_token)
        db.session.commit()
        return redirect(url_for("identity.second_factor"))
    return finish_sign_in(member, next_url=next_url, id_token=identity.id_token)


def oidc_label() -> str:
    return current_app.config["OIDC_LABEL"]


# --- the pending second-factor step --------------------------------------------------------------------------

def start_second_factor(member: Member, *, next_url: str | None, via: str, id_token: str | None = None) -> None:
    session[PENDING_KEY] = {"m": member.id, "at": time.time(), "next": next_url or "", "via": via,
                            "f": password_fingerprint(member), "id_token": id_token}


def pending() -> tuple[Member, dict] | None:
    """The member owing a second factor in this browser, if the step is recent and the account unchanged."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        return None
    if time.time() - data.get("at", 0) > STEP_MAX_AGE:
        session.pop(PENDING_KEY, None)
        return None
    member = db.session.get(Member, data["m"])
    if member is None or not member.is_active or password_fingerprint(member) != data.get("f"):
        session.pop(PENDING_KEY, None)
        return None
    return member, data


# --- remembered devices: a signed cookie whose secret's digest is a TrustedDevice row --------------------------

def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="reseau.trusted-device")


def remembered_device(member: Member) -> bool:
    """The cookie is signed, not older than the lifetime, for this member, made before the last password change
    (the password fingerprint), and its row was not revoked."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return False
    max_age = int(current_app.config["TRUSTED_DEVICE_LIFETIME"].total_seconds())
    try:
        data = _device_serializer().loads(raw, max_age=max_age)
    except BadSignature:
        return False
    if not isinstance(data, dict) or data.get("m") != member.id or data.get("f") != password_fingerprint(member):
        return False
    device = services.trusted_device(member, str(data.get("t", "")))
    if device is None:
        return False
    device.last_used_at = utcnow()
    return True


def device_label() -> str:
    agent = request.user_agent.string or ""
    browser = next((name for name in ("Edg", "Firefox", "Chrome", "Safari") if name in agent), "Navigateur")
    system = next((name for name in ("Windows", "Android", "iPhone", "Mac OS", "Linux") if name in agent), "")
    return f"{ {'Edg': 'Edge'}.get(browser, browser)}{' — ' + system if system else ''}"


def remember_device(member: Member) -> str:
    """Note the device (its row is committed with the sign-in) and return the signed cookie value."""
    token, _device = services.trust_device(member, label=device_label())
    return _device_serializer().dumps({"m": member.id, "t": token, "f": password_fingerprint(member)})


def set_device_cookie(response: Response, value: str) -> None:
    lifetime = current_app.config["TRUSTED_DEVICE_LIFETIME"]
    response.set_cookie(DEVICE_COOKIE, value, max_age=int(lifetime.total_seconds()), httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


# --- a provider identity to link, and the person unknown here ------------------------------------------------

def hold_link(member: Member, identity: ProviderIdentity, *, next_url: str | None) -> None:
    session[LINK_KEY] = {"m": member.id, "iss": identity.issuer, "sub": identity.subject, "email": identity.email,
                         "mfa": identity.has_second_factor, "id_token": identity.id_token, "at": time.time(),
                         "next": next_url or ""}


def held_link() -> tuple[Member, dict] | None:
    data = session.get(LINK_KEY)
    if not isinstance(data, dict) or time.time() - data.get("at", 0) > STEP_MAX_AGE:
        session.pop(LINK_KEY, None)
        return None
    member = db.session.get(Member, data.get("m"))
    if member is None or not member.is_active:
        session.pop(LINK_KEY, None)
        return None
    return member, data


def identity_of_link(data: dict) -> ProviderIdentity:
    return ProviderIdentity(issuer=data["iss"], subject=data["sub"], email=data["email"], email_verified=True,
                            given_name="", family_name="", phone="", has_second_factor=bool(data["mfa"]),
                            id_token=data["id_token"])


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="reseau.sso-link")


LINK_MAX_AGE = 3600


def link_token(member: Member, data: dict) -> str:
    return _link_serializer().dumps({"m": member.id, "iss": data["iss"], "sub": data["sub"], "e": data["email"],
                                     "f": password_fingerprint(member)})


def read_link_token(token: str) -> tuple[Member, dict] | None:
    try:
        data = _link_serializer().loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        return None
    valid = isinstance(data, dict) and isinstance(data.get("m"), int)
    member = db.session.get(Member, data["m"]) if valid else None
    if member is None or not member.is_active or password_fingerprint(member) != data.get("f"):
        return None
    return member, data


def link_email_url(member: Member, data: dict) -> str:
    return external_url("identity.sso_link_confirm", token=link_token(member, data))


def hold_join_prefill(identity: ProviderIdentity) -> None:
    session[JOIN_PREFILL_KEY] = {"first_name": identity.given_name, "last_name": identity.family_name,
                                 "email": identity.email or "", "phone": identity.phone, "at": time.time()}


def join_prefill() -> dict:
    """The join form's initial values from the provider (GET only: a posted form keeps what the person typed)."""
    data = session.get(JOIN_PREFILL_KEY)
    if request.method != "GET" or not isinstance(data, dict) or time.time() - data.get("at", 0) > 3600:
        return {}
    return {key: value for key, value in data.items() if key != "at" and value}


# --- logout at the provider ----------------------------------------------------------------------------------

def provider_logout() -> Response | None:
    """After the local logout: the provider's end-session endpoint (id_token_hint, post_logout_redirect_uri, state),
    when this login came through it."""
    id_token = session.pop(ID_TOKEN_KEY, None)
    for key in (PENDING_KEY, LINK_KEY):
        session.pop(key, None)
    config = oidc.settings()
    if not id_token or config is None:
        return None
    try:
        return oidc.client(config).logout_redirect(post_logout_redirect_uri=external_url("identity.sso_logged_out"),
                                                   id_token_hint=id_token)
    except oidc.REFUSALS:
        return None
