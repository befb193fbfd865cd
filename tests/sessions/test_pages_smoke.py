from tests.sessions import factories as sf


def test_smoke(client, login, facilitator, coordinator, network, venue):
    m = sf.create_meeting(network, venue=venue)
    login(facilitator)
    for url in ["/rencontres/", f"/rencontres/{m.id}", "/rencontres/planifier", "/rencontres/nouvelle",
                f"/rencontres/{m.id}/modifier", "/rencontres/lieux", "/rencontres/lieux/nouveau",
                f"/rencontres/{m.id}/ordre-du-jour/nouveau", f"/rencontres/{m.id}/presences",
                f"/rencontres/{m.id}/emargement", f"/rencontres/{m.id}/emargement.pdf", "/rencontres/assiduite",
                "/rencontres/mes-rencontres", f"/rencontres/{m.id}/rencontre.ics"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-2000:])
