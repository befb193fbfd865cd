"""French error pages and French dates."""

from datetime import UTC, date, datetime

import pytest

from network import create_app
from network.auth import public
from network.extensions import db as _db
from network.formatting import french_date, french_datetime, french_percent, french_time


def test_404_page_is_french(client):
    response = client.get("/nulle-part")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="fr">' in html and "Page introuvable" in html and "Retour à l'accueil" in html


def test_403_page_is_french(client, login, coordinator):
    login(coordinator)
    response = client.get("/reseaux")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)


def test_405_page_is_french(client):
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert "Action impossible" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(app):
    """A separate app instance with a route that raises, and exceptions not propagated (as in production)."""
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                   "PROPAGATE_EXCEPTIONS": False})

    @public
    def broken():
        raise RuntimeError("boom")

    other.add_url_rule("/casse", "broken", broken)
    yield other
    with other.app_context():
        _db.session.remove()
        _db.engines[None].dispose()


def test_500_page_is_french(failing_app):
    response = failing_app.test_client().get("/casse")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Erreur du serveur" in html and "vos données enregistrées ne sont pas perdues" in html
    assert "boom" not in html


def test_french_dates_in_europe_paris(app):
    with app.test_request_context():
        summer = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
        winter = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
        assert french_datetime(summer) == "mardi 1 juillet 2025 à 10\u00a0h"
        assert french_datetime(winter) == "jeudi 1 janvier 2026 à 0\u00a0h\u00a030"
        assert french_datetime(winter, "d MMMM y 'à' H' h 'mm") == "1 janvier 2026 à 0\u00a0h\u00a030"
        assert french_datetime(winter, "d MMMM y") == "1 janvier 2026"
        assert french_date(date(2025, 3, 1)) == "1 mars 2025"
        assert (french_time(summer), french_time(winter)) == ("10\u00a0h", "0\u00a0h\u00a030")
        assert french_date(None) == ""
        assert french_percent(0.873) == "87\u00a0%"
        assert french_percent(None) == "n.d."


def test_french_percent_is_the_same_when_remembered(app):
    with app.test_request_context():
        first = [french_percent(value, digits) for value, digits in ((0.725, 0), (0.725, 1), (1, 0), (1.0, 1), (0, 0))]
        again = [french_percent(value, digits) for value, digits in ((0.725, 0), (0.725, 1), (1, 0), (1.0, 1), (0, 0))]

    assert first == again == ["72\u00a0%", "72,5\u00a0%", "100\u00a0%", "100,0\u00a0%", "0\u00a0%"]
