"""The topic vote as people live it: a proposal, a round opened by a facilitator, three members voting from their
phones (one changes her ballot), the close, the confirmation, and the topic on the next meeting's agenda."""

from datetime import UTC, datetime, timedelta

from network.database import utcnow
from tests import factories
from tests.e2e.conftest import PHONE
from tests.topics.factories import create_meeting, create_topic


def sign_in(page, live_server, member):
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")


def test_propose_vote_on_phones_close_confirm(live_server, new_page, network, facilitator):
    members = [factories.create_member(network=network, first_name=name) for name in ("Alice", "Bruno", "Chloé")]
    create_meeting(network, starts_at=utcnow() - timedelta(days=100), title="Rencontre passée", with_workshop=True)
    create_meeting(network, starts_at=utcnow() - timedelta(minutes=30), ends_at=utcnow() + timedelta(hours=4),
                   title="Rencontre du jour", with_workshop=True)
    create_meeting(network, starts_at=datetime.now(UTC) + timedelta(days=90), title="Rencontre suivante",
                   with_workshop=True)
    create_topic(network, author=members[1], title="L'inclusion")
    create_topic(network, author=members[2], title="Les tiers-lieux")

    # Alice proposes a topic from her phone.
    alice = new_page(viewport=PHONE)
    sign_in(alice, live_server, members[0])
    alice.goto(f"{live_server}/themes/")
    alice.get_by_role("link", name="Proposer un thème").first.click()
    alice.get_by_label("Titre du thème").fill("Le SDSF")
    alice.get_by_label("En quelques lignes").fill("Où en est le schéma départemental ?")
    alice.get_by_role("button", name="Proposer ce thème").click()
    assert alice.locator("h1").inner_text() == "Le SDSF"

    # The facilitator opens the round on the three topics.
    desk = new_page()
    desk.on("dialog", lambda dialog: dialog.accept())
    sign_in(desk, live_server, facilitator)
    desk.goto(f"{live_server}/themes/")
    desk.get_by_role("link", name="Ouvrir un vote").click()
    desk.wait_for_url("**/themes/votes/nouveau")
    meeting_picker = desk.get_by_label("Rencontre où le vote a lieu")
    assert [text.split(" — ")[0] for text in meeting_picker.locator("option").all_inner_texts()] == [
        "Rencontre du jour", "Rencontre suivante"]  # not the past meeting
    assert meeting_picker.locator("option:checked").inner_text().startswith("Rencontre du jour")
    for title in ("Le SDSF", "L'inclusion", "Les tiers-lieux"):
        desk.get_by_label(title).check()
    desk.get_by_label("Clôture le").fill((utcnow() + timedelta(days=2)).date().isoformat())
    desk.get_by_label("à", exact=True).fill("18:00")
    desk.get_by_role("button", name="Ouvrir le vote").click()
    assert "Le vote est ouvert" in desk.locator(".flashes").inner_text()
    vote_url = desk.url

    # Three members vote from their phones (1 point each: ⌈3 ÷ 3⌉); Chloé changes her mind.
    choices = {0: ["Le SDSF"], 1: ["L'inclusion"], 2: ["Les tiers-lieux", "Le SDSF"]}
    for index, member in enumerate(members):
        phone = alice if index == 0 else new_page(viewport=PHONE)
        if index:
            sign_in(phone, live_server, member)
        phone.goto(f"{live_server}/themes/")
        phone.get_by_role("link", name="Vote de la rencontre « Rencontre du jour »").click()
        for title in choices[index]:
            ballot = phone.locator(".ballot__topic", has_text=title)
            for other in phone.locator(".ballot__topic").all():
                other.get_by_text("0", exact=True).click()
            ballot.get_by_text("1", exact=True).click()
            assert phone.locator(".ballot__remaining").inner_text() == "Tous vos points sont répartis."
            phone.get_by_role("button", name="Enregistrer mon bulletin").click()
            assert "Votre bulletin est enregistré" in phone.locator(".flashes").inner_text()

    # The facilitator votes too, then closes, sees the tie (SDSF 2, inclusion 2, tiers-lieux 0) and settles it.
    desk.goto(vote_url)
    desk.locator(".ballot__topic", has_text="L'inclusion").get_by_text("1", exact=True).click()
    desk.get_by_role("button", name="Enregistrer mon bulletin").click()
    assert desk.locator(".turnout").inner_text() == "4 votants sur 4 membres actifs (100\u00a0%)"
    desk.get_by_role("button", name="Clore le vote maintenant").click()
    assert "Le vote est clos" in desk.locator(".flashes").inner_text()
    ranks = desk.locator(".tally tbody tr td:first-child").all_inner_texts()
    assert ranks == ["1er ex æquo", "1er ex æquo", "3e"]
    desk.get_by_label("Le SDSF").check()
    desk.get_by_role("button", name="Confirmer ce thème").click()
    assert "« Le SDSF » sera le thème de la rencontre « Rencontre suivante »" in desk.locator(".flashes").inner_text()

    # The next meeting's thematic segment now shows the topic, on a phone too.
    alice.goto(f"{live_server}/themes/historique")
    upcoming = alice.locator("section", has_text="Prochaines rencontres")
    row = upcoming.locator("tr", has_text="Rencontre suivante")
    assert row.locator(".history__topic").inner_text() == "Le SDSF"
