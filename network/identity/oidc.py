"""The OpenID Connect relying party: its settings, what to require of the provider and the identity it vouches for.
The exchanges with the provider, through Authlib (discovery, PKCE, state, nonce, ID token checks) and joserfc (the
signed userinfo), are in oidc_client.py, loaded by the first sign-in through the provider (with requests and
cryptography, ~17 MB a worker): its names (client, complete_authorization, REFUSALS, french_message, …) are
reached here as well. No JOSE code of our own: this module chooses what to require and says it in French."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from network.errors import DomainError

CLIENT_NAME = "sso_provider"


class SsoRefused(DomainError):
    """The provider's answer cannot be trusted or does not fit; str() is for the person signing in."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    acr_values: tuple[str, ...]
    mfa_acr_values: tuple[str, ...]
    mfa_amr_values: tuple[str, ...]
    token_auth_method: str
    email_verified_by_provider: bool
    timeout: float

    @classmethod
    def from_config(cls, config) -> "OidcSettings | None":
        if not config.get("OIDC_ISSUER"):
            return None
        return cls(
            issuer=config["OIDC_ISSUER"].rstrip("/"), client_id=config["OIDC_CLIENT_ID"] or "",
            client_secret=config["OIDC_CLIENT_SECRET"] or "", scopes=config["OIDC_SCOPES"],
            acr_values=tuple(config["OIDC_ACR_VALUES"].split()),
            mfa_acr_values=tuple(config["OIDC_MFA_ACR_VALUES"].split()),
            mfa_amr_values=tuple(config["OIDC_MFA_AMR_VALUES"].split()),
            token_auth_method=config["OIDC_TOKEN_AUTH_METHOD"],
            email_verified_by_provider=config["OIDC_EMAIL_VERIFIED_BY_PROVIDER"],
            timeout=config["OIDC_TIMEOUT_SECONDS"],
        )

    @property
    def accepted_acr_values(self) -> list[str]:
        return [*self.acr_values, *(value for value in self.mfa_acr_values if value not in self.acr_values)]


@dataclass(frozen=True)
class ProviderIdentity:
    """What the provider vouched for, once every check passed."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    given_name: str
    family_name: str
    phone: str
    has_second_factor: bool
    id_token: str


def settings() -> OidcSettings | None:
    return OidcSettings.from_config(current_app.config)


def is_enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def provider_origin() -> str:
    parts = urlsplit(current_app.config["OIDC_ISSUER"])
    return f"{parts.scheme}://{parts.netloc}"


def authorize_params(config: OidcSettings) -> dict:
    """acr_values asked of the provider (Authlib adds state, nonce and the PKCE challenge)."""
    return {"acr_values": " ".join(config.acr_values)} if config.acr_values else {}


def claims_options(config: OidcSettings) -> dict:
    """What the ID token must say beyond its signature, expiry and nonce (built afresh: Authlib consumes it)."""
    options = {"iss": {"essential": True, "value": config.issuer},
               "aud": {"essential": True, "value": config.client_id},
               "sub": {"essential": True}}
    if config.acr_values:
        options["acr"] = {"essential": True, "values": config.accepted_acr_values}
    return options


def has_second_factor(claims: dict, config: OidcSettings) -> bool:
    """An acr or amr of the ID token that shows the provider checked a second factor."""
    amr = claims.get("amr") if isinstance(claims.get("amr"), list) else []
    return claims.get("acr") in config.mfa_acr_values or any(method in config.mfa_amr_values for method in amr)


def identity_from(id_claims: dict, userinfo: dict, *, id_token: str, config: OidcSettings) -> ProviderIdentity:
    def text(name: str, limit: int) -> str:
        value = userinfo.get(name)
        return " ".join(value.split())[:limit] if isinstance(value, str) else ""

    email = text("email", 320).lower() or None
    verified = userinfo.get("email_verified") is True or (config.email_verified_by_provider and email is not None)
    return ProviderIdentity(
        issuer=config.issuer, subject=str(id_claims["sub"]), email=email, email_verified=verified,
        given_name=text("given_name", 100), family_name=text("usual_name", 100) or text("family_name", 100),
        phone=text("phone_number", 30), has_second_factor=has_second_factor(id_claims, config), id_token=id_token,
    )


# What oidc_client.py holds, reached as oidc.<name> (views, flow, tests): it is imported by the first use.
CLIENT_NAMES = frozenset({"client", "GENERIC", "CLAIM_MESSAGES", "french_message", "REFUSALS", "verify_id_token",
                          "verify_userinfo", "fetch_userinfo", "complete_authorization"})


def __getattr__(name: str):
    if name in CLIENT_NAMES:
        from network.identity import oidc_client

        return getattr(oidc_client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
