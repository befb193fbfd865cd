"""The token-verification layer (network/identity/oidc.py) on tokens signed in the test with keys made in the test
(joserfc, the JOSE library under Authlib): each bad token is refused with a French message, never an exception."""

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from network.identity import oidc

ISSUER = "https://idp.example.test"
CLIENT_ID = "reseau"
NONCE = "n-0S6_WzA2Mj"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})

SIGNATURE = "La signature de la réponse du fournisseur d'identité n'est pas valable : connexion refusée."


@pytest.fixture
def layer(app, monkeypatch):
    """An Authlib client for a provider whose discovery document and JWKS are already known (no network)."""
    overrides = {"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": "secret",
                 "OIDC_ACR_VALUES": "eidas1", "OIDC_MFA_ACR_VALUES": "eidas2"}
    for key, value in overrides.items():
        monkeypatch.setitem(app.config, key, value)
    with app.test_request_context():
        config = oidc.settings()
        client = oidc.client(config)
        client.server_metadata.update({
            "issuer": ISSUER, "jwks": KeySet([KEY]).as_dict(private=False), "_loaded_at": time.time(),
            "id_token_signing_alg_values_supported": ["RS256"], "userinfo_signing_alg_values_supported": ["RS256"]})
        yield client, config
    app.extensions["identity.oidc_clients"].pop(config, None)


def claims(**changes):
    now = int(time.time())
    values = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "sub-1", "exp": now + 300, "iat": now, "nonce": NONCE,
              "acr": "eidas1"}
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def signed(values, key=KEY, alg="RS256"):
    return jwt.encode({"alg": alg, "kid": key.kid}, values, key)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def verify(layer, id_token):
    client, config = layer
    return oidc.verify_id_token(client, {"id_token": id_token, "token_type": "Bearer"}, nonce=NONCE, config=config)


def test_id_token_good_gives_its_claims(layer):
    assert verify(layer, signed(claims()))["sub"] == "sub-1"


@pytest.mark.parametrize("token, message", [
    (lambda: signed(claims(iss="https://evil.example.test")),
     "La réponse ne vient pas du fournisseur d'identité attendu : connexion refusée."),
    (lambda: signed(claims(aud="another-service")),
     "Cette identité a été émise pour un autre service : connexion refusée."),
    (lambda: signed(claims(nonce="another-nonce")),
     "La réponse du fournisseur d'identité ne correspond pas à votre demande de connexion : recommencez."),
    (lambda: signed(claims(nonce=None)),
     "La réponse du fournisseur d'identité ne correspond pas à votre demande de connexion : recommencez."),
    (lambda: signed(claims(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)),
     "La réponse du fournisseur d'identité a expiré : recommencez la connexion."),
    (lambda: signed(claims(acr="eidas0")),
     "Le niveau d'authentification obtenu auprès du fournisseur d'identité est insuffisant pour ce service."),
    (lambda: signed(claims(acr=None)),
     "Le niveau d'authentification obtenu auprès du fournisseur d'identité est insuffisant pour ce service."),
    (lambda: f"{b64({'alg': 'none', 'kid': 'k1'})}.{b64(claims())}.", SIGNATURE),
    (lambda: f"{b64({'alg': 'none'})}.{b64(claims())}", SIGNATURE),
    (lambda: json.dumps(claims()), SIGNATURE),
    (lambda: signed(claims(), key=OTHER_KEY), SIGNATURE),
    (lambda: signed(claims()).rsplit(".", 1)[0] + "." + b64({"forged": True}), SIGNATURE),
    (lambda: "", SIGNATURE),
], ids=["wrong-issuer", "wrong-audience", "wrong-nonce", "no-nonce", "expired", "weak-acr", "no-acr", "alg-none",
        "unsigned", "plain-json", "wrong-key", "bad-signature", "empty"])
def test_id_token_bad_is_refused_in_french(layer, token, message):
    with pytest.raises(oidc.SsoRefused) as refused:
        verify(layer, token())
    assert str(refused.value) == message


def test_id_token_hs256_signed_with_client_secret_is_refused(layer):
    """Algorithm confusion: HMAC with a secret the attacker might know, where the provider signs with RSA."""
    from joserfc.jwk import OctKey
    key = OctKey.import_key("secret-secret-secret-secret-secret-secret")
    token = jwt.encode({"alg": "HS256"}, claims(), key)
    with pytest.raises(oidc.SsoRefused) as refused:
        verify(layer, token)
    assert str(refused.value) == SIGNATURE


def test_id_token_missing_is_refused(layer):
    client, config = layer
    with pytest.raises(oidc.SsoRefused) as refused:
        oidc.verify_id_token(client, {"access_token": "x"}, nonce=NONCE, config=config)
    assert str(refused.value) == "Le fournisseur d'identité n'a pas renvoyé de jeton d'identité : connexion refusée."


def userinfo_claims(**changes):
    values = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "sub-1", "email": "a@example.test"}
    values.update(changes)
    return values


def verify_userinfo(layer, raw):
    client, config = layer
    return oidc.verify_userinfo(client, raw, subject="sub-1", config=config)


def test_userinfo_good_gives_its_claims(layer):
    assert verify_userinfo(layer, signed(userinfo_claims()))["email"] == "a@example.test"


@pytest.mark.parametrize("raw, message", [
    (lambda: signed(userinfo_claims(sub="sub-2")), oidc.GENERIC),
    (lambda: signed(userinfo_claims(aud="another-service")),
     "Cette identité a été émise pour un autre service : connexion refusée."),
    (lambda: signed(userinfo_claims(iss="https://evil.example.test")),
     "La réponse ne vient pas du fournisseur d'identité attendu : connexion refusée."),
    (lambda: json.dumps(userinfo_claims()), SIGNATURE),
    (lambda: f"{b64({'alg': 'none'})}.{b64(userinfo_claims())}.", SIGNATURE),
    (lambda: signed(userinfo_claims(), key=OTHER_KEY), SIGNATURE),
], ids=["other-subject", "wrong-audience", "wrong-issuer", "unsigned-json", "alg-none", "wrong-key"])
def test_userinfo_bad_is_refused_in_french(layer, raw, message):
    with pytest.raises(oidc.SsoRefused) as refused:
        verify_userinfo(layer, raw())
    assert str(refused.value) == message


@pytest.mark.parametrize("id_claims, expected", [
    ({"acr": "eidas1", "amr": ["pwd"]}, False),
    ({"acr": "eidas2"}, True),
    ({"acr": "eidas1", "amr": ["pwd", "totp"]}, True),
    ({"acr": "eidas1", "amr": "mfa"}, False),  # amr must be a list
], ids=["password-only", "mfa-acr", "otp-amr", "amr-not-a-list"])
def test_second_factor_read_from_acr_and_amr(layer, id_claims, expected):
    _client, config = layer
    assert oidc.has_second_factor(id_claims, config) is expected
