from tests import factories


def test_login_with_right_password_opens_session(client, coordinator):
    response = client.post("/connexion", data={"email": coordinator.email, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    assert client.get("/profil").status_code == 200


def test_login_with_wrong_password_redisplays_form_with_french_error(client, coordinator):
    response = client.post("/connexion", data={"email": coordinator.email, "password": "mauvais mot de passe"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in page
    assert f'value="{coordinator.email}"' in page
