"""Passkeys (WebAuthn) as a second factor, through the `webauthn` package: options for the browser, and the checks
of its answers (challenge, origin, RP ID, signature, counter). The relying party is PUBLIC_BASE_URL's host."""

import json
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from network.extensions import db
from network.identity.models import PasskeyCredential
from network.members.models import Member

RP_NAME = "Réseau"


def _webauthn():
    """The `webauthn` package, imported on first use: it costs about a second of imports (every attestation format)
    that a worker spends only when someone uses a passkey."""
    import webauthn
    import webauthn.helpers
    import webauthn.helpers.exceptions
    import webauthn.helpers.structs

    return webauthn


def refusals() -> tuple[type[Exception], ...]:
    """Everything the package raises on a malformed or forged answer."""
    exceptions = _webauthn().helpers.exceptions
    return (exceptions.InvalidRegistrationResponse, exceptions.InvalidAuthenticationResponse,
            exceptions.InvalidJSONStructure, ValueError, KeyError, TypeError)


def relying_party() -> tuple[str, str]:
    """(RP ID, origin) from PUBLIC_BASE_URL."""
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def passkeys_of(member: Member) -> list[PasskeyCredential]:
    return list(db.session.scalars(select(PasskeyCredential).where(PasskeyCredential.member_id == member.id)
                                   .order_by(PasskeyCredential.created_at)))


def has_passkey(member: Member) -> bool:
    return db.session.scalar(select(PasskeyCredential.id).where(PasskeyCredential.member_id == member.id)
                             .limit(1)) is not None


def _descriptors(member: Member) -> list:
    webauthn = _webauthn()
    descriptor = webauthn.helpers.structs.PublicKeyCredentialDescriptor
    return [descriptor(id=webauthn.base64url_to_bytes(passkey.credential_id)) for passkey in passkeys_of(member)]


def registration_options(member: Member) -> tuple[str, str]:
    """(options as JSON for the browser, the challenge to keep in the session)."""
    webauthn = _webauthn()
    structs = webauthn.helpers.structs
    rp_id, _origin = relying_party()
    options = webauthn.generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=f"member-{member.id}".encode(), user_name=member.email,
        user_display_name=member.full_name, exclude_credentials=_descriptors(member),
        authenticator_selection=structs.AuthenticatorSelectionCriteria(
            resident_key=structs.ResidentKeyRequirement.PREFERRED,
            user_verification=structs.UserVerificationRequirement.PREFERRED))
    return webauthn.options_to_json(options), webauthn.helpers.bytes_to_base64url(options.challenge)


def authentication_options(member: Member) -> tuple[str, str]:
    webauthn = _webauthn()
    rp_id, _origin = relying_party()
    options = webauthn.generate_authentication_options(
        rp_id=rp_id, allow_credentials=_descriptors(member),
        user_verification=webauthn.helpers.structs.UserVerificationRequirement.PREFERRED)
    return webauthn.options_to_json(options), webauthn.helpers.bytes_to_base64url(options.challenge)


def verify_registration(member: Member, answer: dict, *, challenge: str, label: str) -> PasskeyCredential:
    webauthn = _webauthn()
    rp_id, origin = relying_party()
    verified = webauthn.verify_registration_response(
        credential=json.dumps(answer), expected_challenge=webauthn.base64url_to_bytes(challenge), expected_rp_id=rp_id,
        expected_origin=origin)
    passkey = PasskeyCredential(member_id=member.id,
                                credential_id=webauthn.helpers.bytes_to_base64url(verified.credential_id),
                                public_key=verified.credential_public_key, sign_count=verified.sign_count,
                                label=label[:120] or "Clé d'accès")
    db.session.add(passkey)
    db.session.flush()
    return passkey


def verify_authentication(member: Member, answer: dict, *, challenge: str) -> PasskeyCredential | None:
    """The member's passkey that signed this challenge, its counter moved on; None if it is not theirs."""
    passkey = db.session.scalar(select(PasskeyCredential).where(
        PasskeyCredential.member_id == member.id, PasskeyCredential.credential_id == str(answer.get("id", ""))))
    if passkey is None:
        return None
    webauthn = _webauthn()
    rp_id, origin = relying_party()
    verified = webauthn.verify_authentication_response(
        credential=json.dumps(answer), expected_challenge=webauthn.base64url_to_bytes(challenge), expected_rp_id=rp_id,
        expected_origin=origin, credential_public_key=passkey.public_key,
        credential_current_sign_count=passkey.sign_count)
    passkey.sign_count = verified.new_sign_count
    return passkey
