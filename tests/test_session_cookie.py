"""The session cookie: signed as Flask signs it, by a serializer built once per secret key and its fallbacks."""

from flask.sessions import SecureCookieSessionInterface

from network.session_cookie import SessionInterface


def signed(app, interface, data: dict) -> str:
    return interface.get_signing_serializer(app).dumps(data)


def test_the_cookie_is_flasks_and_its_serializer_built_once(app):
    interface = app.session_interface

    assert type(interface) is SessionInterface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    assert flasks.loads(signed(app, interface, {"_user_id": "jeton"})) == {"_user_id": "jeton"}
    assert interface.get_signing_serializer(app).loads(flasks.dumps({"a": 1})) == {"a": 1}


def test_a_new_secret_key_refuses_the_old_cookies_unless_kept_as_a_fallback(app, client, login, coordinator):
    login(coordinator)
    assert client.get("/profil").status_code == 200
    old_key = app.secret_key

    app.secret_key = "une autre clé secrète, assez longue pour la production"
    assert client.get("/profil").status_code == 302  # the old cookie no longer signs anyone in

    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    try:
        assert client.get("/profil").status_code == 200
    finally:
        app.config["SECRET_KEY_FALLBACKS"] = []
        app.secret_key = old_key
