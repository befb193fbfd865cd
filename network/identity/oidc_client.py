"""The exchanges with the OpenID Connect provider, through Authlib (discovery, PKCE, state, nonce, ID token checks)
and joserfc (the signed userinfo): imported by the first sign-in through the provider, not at start (oidc.py, which
the app loads, reaches these names lazily). No JOSE code of our own."""

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, InvalidKeyIdError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from network.identity.oidc import (CLIENT_NAME, OidcSettings, ProviderIdentity, SsoRefused, claims_options,
                                   identity_from, settings)


def client(config: OidcSettings | None = None):
    """Authlib's Flask client for these settings, kept per process (it caches the discovery document and JWKS)."""
    config = config or settings()
    clients = current_app.extensions.setdefault("identity.oidc_clients", {})
    if config not in clients:
        oauth = OAuth()
        oauth.app = current_app._get_current_object()
        clients[config] = oauth.register(
            CLIENT_NAME, client_id=config.client_id, client_secret=config.client_secret,
            server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": config.scopes, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": config.token_auth_method,
                           "default_timeout": config.timeout},
        )
    return clients[config]


# --- the French words for each refusal -------------------------------------------------------------------

GENERIC = ("La connexion avec le fournisseur d'identité n'a pas pu être vérifiée. Réessayez, ou utilisez votre mot "
           "de passe.")
CLAIM_MESSAGES = {
    "iss": "La réponse ne vient pas du fournisseur d'identité attendu : connexion refusée.",
    "aud": "Cette identité a été émise pour un autre service : connexion refusée.",
    "azp": "Cette identité a été émise pour un autre service : connexion refusée.",
    "nonce": "La réponse du fournisseur d'identité ne correspond pas à votre demande de connexion : recommencez.",
    "acr": "Le niveau d'authentification obtenu auprès du fournisseur d'identité est insuffisant pour ce service.",
}


def french_message(error: Exception) -> str:
    if isinstance(error, ExpiredTokenError):
        return "La réponse du fournisseur d'identité a expiré : recommencez la connexion."
    if isinstance(error, InvalidClaimError | MissingClaimError):
        return CLAIM_MESSAGES.get(error.claim, GENERIC)
    if isinstance(error, JoseError):  # bad or missing signature, alg none, unknown key, malformed token
        return "La signature de la réponse du fournisseur d'identité n'est pas valable : connexion refusée."
    if isinstance(error, OAuthError) and error.error == "mismatching_state":
        return "Cette demande de connexion a expiré ou a déjà servi : recommencez."
    if isinstance(error, OAuthError) and error.error == "access_denied":
        return "La connexion a été annulée auprès du fournisseur d'identité."
    if isinstance(error, requests.RequestException):
        return "Le fournisseur d'identité ne répond pas. Réessayez dans un moment, ou utilisez votre mot de passe."
    return GENERIC


# RuntimeError: Authlib's word for a discovery document that lacks an endpoint.
REFUSALS = (JoseError, OAuthError, requests.RequestException, ValueError, KeyError, TypeError, RuntimeError)


# --- verification --------------------------------------------------------------------------------------

def verify_id_token(oauth_client, token: dict, *, nonce: str, config: OidcSettings) -> dict:
    """The ID token's claims, checked by Authlib against the provider's JWKS; SsoRefused otherwise."""
    try:
        claims = oauth_client.parse_id_token(token, nonce=nonce, claims_options=claims_options(config), leeway=60)
    except REFUSALS as error:
        raise SsoRefused(french_message(error)) from error
    if claims is None:
        raise SsoRefused("Le fournisseur d'identité n'a pas renvoyé de jeton d'identité : connexion refusée.")
    return dict(claims)


def verify_userinfo(oauth_client, raw: str, *, subject: str, config: OidcSettings) -> dict:
    """The userinfo answer: a JWT signed with a key of the provider's JWKS, for this client, about this subject."""
    metadata = oauth_client.load_server_metadata()
    algorithms = metadata.get("userinfo_signing_alg_values_supported") or None
    registry = JWSRegistry(algorithms=[alg for alg in algorithms if alg != "none"] if algorithms else None)
    checks = jwt.JWTClaimsRegistry(leeway=60, iss={"essential": True, "value": config.issuer},
                                   aud={"essential": True, "value": config.client_id},
                                   sub={"essential": True, "value": subject})
    try:
        try:
            decoded = jwt.decode(raw.strip(), KeySet.import_key_set(oauth_client.fetch_jwk_set()), registry=registry)
        except InvalidKeyIdError:  # a rotated key: fetch the JWKS again once
            decoded = jwt.decode(raw.strip(), KeySet.import_key_set(oauth_client.fetch_jwk_set(force=True)),
                                 registry=registry)
        checks.validate(decoded.claims)
    except REFUSALS as error:
        raise SsoRefused(french_message(error)) from error
    return decoded.claims


def fetch_userinfo(oauth_client, token: dict, *, subject: str, config: OidcSettings) -> dict:
    metadata = oauth_client.load_server_metadata()
    try:
        response = oauth_client.get(metadata["userinfo_endpoint"], token=token)
        response.raise_for_status()
    except REFUSALS as error:
        raise SsoRefused(french_message(error)) from error
    if not response.headers.get("Content-Type", "").startswith("application/jwt"):
        raise SsoRefused("Les informations du fournisseur d'identité ne sont pas signées : connexion refusée.")
    return verify_userinfo(oauth_client, response.text, subject=subject, config=config)


def complete_authorization(config: OidcSettings) -> ProviderIdentity:
    """On the callback request: state, code exchange with the PKCE verifier, ID token, signed userinfo."""
    oauth_client = client(config)
    try:
        # Authlib checks the state, sends the code verifier, and verifies the ID token (signature against the JWKS,
        # iss, aud, exp, iat, nonce, at_hash, and our acr values).
        token = oauth_client.authorize_access_token(claims_options=claims_options(config), leeway=60)
    except REFUSALS as error:
        raise SsoRefused(french_message(error)) from error
    id_claims = token.get("userinfo")
    if not id_claims or "id_token" not in token:
        raise SsoRefused("Le fournisseur d'identité n'a pas renvoyé de jeton d'identité : connexion refusée.")
    userinfo = fetch_userinfo(oauth_client, token, subject=str(id_claims["sub"]), config=config)
    return identity_from(dict(id_claims), userinfo, id_token=token["id_token"], config=config)
