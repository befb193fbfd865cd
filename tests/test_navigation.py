"""The menu and the frame's links: by role, built once per role and mount point, the same on every page."""

import re

from network.navigation import frame_links, nav_items

MENU_LINK = re.compile(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>')


def menu(page: str) -> list[tuple[str, str]]:
    navigation = page[page.index('<nav id="navigation"'):page.index("</nav>")]
    return MENU_LINK.findall(navigation)


def test_menu_by_role(client, login, coordinator, facilitator):
    login(coordinator)
    as_coordinator = menu(client.get("/profil").get_data(as_text=True))
    client.logout()
    login(facilitator)
    as_facilitator = menu(client.get("/profil").get_data(as_text=True))

    assert as_coordinator == [
        ("/", "Accueil"), ("/rencontres/", "Rencontres"), ("/themes/", "Thèmes"), ("/codev/", "CODEV"),
        ("/ressources/", "Ressources"), ("/evaluation/moi", "Mon évaluation"), ("/membres", "Membres")]
    assert as_facilitator == [
        ("/", "Accueil"), ("/rencontres/", "Rencontres"), ("/themes/", "Thèmes"), ("/codev/", "CODEV"),
        ("/ressources/", "Ressources"), ("/evaluation/", "Évaluation"), ("/membres", "Membres"),
        ("/adhesion/demandes", "Adhésions")]


def test_frame_links_follow_the_mount_point(app, coordinator):
    with app.test_request_context("/profil"):
        at_root = frame_links()
    with app.test_request_context("/profil", base_url="http://localhost/reseau"):
        mounted = frame_links()
    with app.test_request_context("/profil", base_url="http://localhost/reseau"):
        again = frame_links()

    assert (at_root.stylesheet, at_root.home, at_root.logout) == ("/static/css/app.css", "/", "/deconnexion")
    assert (mounted.stylesheet, mounted.home, mounted.logout) == (
        "/reseau/static/css/app.css", "/reseau/", "/reseau/deconnexion")
    assert again is mounted  # built once per mount point


def test_menu_of_a_mounted_app(app, login, client, coordinator):
    login(coordinator)

    page = client.get("/profil", base_url="http://localhost/reseau").get_data(as_text=True)

    assert menu(page)[:2] == [("/reseau/", "Accueil"), ("/reseau/rencontres/", "Rencontres")]
    assert 'href="/reseau/static/css/app.css"' in page


def test_no_menu_nor_frame_outside_a_request(app):
    with app.app_context():
        assert nav_items() == ()
        assert frame_links() is None
