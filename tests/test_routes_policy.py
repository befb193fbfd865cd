"""Every route declares who may use it."""

from network.auth import ACCESS_ATTRIBUTE, BUILTIN_PUBLIC_ENDPOINTS


def test_every_route_declares_an_access_policy(app):
    undeclared = sorted(
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.endpoint not in BUILTIN_PUBLIC_ENDPOINTS
        and getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE, None) is None
    )
    assert undeclared == []


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/membres")
    assert response.status_code == 302
    assert response.location == "/connexion?next=/membres"
