from tests import factories


def test_login_page_is_french_and_signs_in(live_server, page, network):
    member = factories.create_member(network=network, email="sophie@example.test", first_name="Sophie")
    page.goto(f"{live_server}/")
    assert page.locator("h1").inner_text() == "Connexion"
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    assert page.locator("h1").inner_text() == "Bonjour Sophie"
