"""The menu and the frame's links: by role, built once per role and mount point, the same on every page."""

import re

from flask_login import login_user

from network.navigation import frame_links, nav_items, nav_menu

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
        assert nav_menu() == ""
        assert frame_links() is None


def current_entries(page: str) -> list[str]:
    navigation = page[page.index('<nav id="navigation"'):page.index("</nav>")]
    return re.findall(r'<li><a href="[^"]+" aria-current="page">([^<]+)</a></li>', navigation)


def test_menu_marks_the_current_section_on_each_page(client, login, coordinator):
    login(coordinator)

    marked = {url: current_entries(client.get(url).get_data(as_text=True))
              for url in ("/", "/rencontres/", "/codev/", "/membres", "/profil")}

    assert marked == {"/": ["Accueil"], "/rencontres/": ["Rencontres"], "/codev/": ["CODEV"],
                      "/membres": ["Membres"], "/profil": []}


def test_menu_html_rendered_once_per_role_mount_point_and_page(app, coordinator, facilitator):
    def menu_of(member, path, base_url="http://localhost"):
        with app.test_request_context(path, base_url=base_url):
            login_user(member)
            return nav_menu()

    first = menu_of(coordinator, "/codev/")
    assert menu_of(coordinator, "/codev/") is first
    assert menu_of(coordinator, "/membres") is not first
    assert menu_of(facilitator, "/codev/") is not first
    assert menu_of(coordinator, "/codev/", "http://localhost/reseau") is not first
    assert 'href="/codev/" aria-current="page">CODEV' in first
    assert "Adhésions" in menu_of(facilitator, "/codev/")
