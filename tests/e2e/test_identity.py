"""Issue #14 §1 in a browser: a facilitator's edit of a member's address cannot take the account; the member refuses
it from the email sent to the current address, then approves a real correction, which the new address confirms."""

import re

from playwright.sync_api import expect

from network.outbox import send_due
from tests import factories
from tests.e2e.test_onboarding import sign_in

LINK = re.compile(r"https?://\S+/adresse/[a-z]+/\S+")


def received(smtp_server) -> dict[str, list]:
    send_due()
    by_recipient: dict[str, list] = {}
    for mail in smtp_server.received:
        for recipient in mail.rcpt_tos:
            by_recipient.setdefault(recipient, []).append(mail.message)
    smtp_server.clear()
    return by_recipient


def links_in(message) -> list[str]:
    return LINK.findall(message.get_body(preferencelist=("plain",)).get_content())


def edit_email(page, base_url, member, new_email):
    page.goto(f"{base_url}/membres/{member.id}")
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Adresse e-mail professionnelle").fill(new_email)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text(member.full_name)


def test_facilitator_edit_and_anonymous_reset_do_not_take_the_account(live_server, new_page, network, smtp_server):
    facilitator = factories.create_member(network=network, role="facilitator", email="animatrice@example.test",
                                          first_name="Claire")
    member = factories.create_member(network=network, email="sophie@example.test", first_name="Sophie",
                                     last_name="Martin")
    victim = new_page()
    sign_in(victim, live_server, member.email, factories.TEST_PASSWORD, "Sophie")

    staff = new_page()
    sign_in(staff, live_server, facilitator.email, factories.TEST_PASSWORD, "Claire")
    edit_email(staff, live_server, member, "pirate@evil.example")
    expect(staff.get_by_text("L'adresse e-mail ne changera qu'avec l'accord de Sophie Martin")).to_be_visible()
    expect(staff.get_by_text("Changement en cours vers pirate@evil.example")).to_be_visible()

    attacker = new_page()
    attacker.goto(f"{live_server}/mot-de-passe/oublie")
    attacker.get_by_label("Adresse e-mail").fill("pirate@evil.example")
    attacker.get_by_role("button", name=re.compile("lien")).click()
    expect(attacker.locator("h1")).to_have_text("Connexion")

    mail = received(smtp_server)
    assert list(mail) == ["sophie@example.test"]  # nothing for the attacker's address
    approve_link, refuse_link = links_in(mail["sophie@example.test"][0])

    # the member's session is still open; she refuses from the link sent to her address
    victim.goto(f"{live_server}/profil")
    expect(victim.get_by_role("heading", name="Changement d'adresse e-mail en cours")).to_be_visible()
    victim.goto(refuse_link)
    victim.get_by_role("button", name="Je refuse ce changement").click()
    expect(victim.get_by_text("Le changement d'adresse est refusé\u202f: votre adresse reste la même.")).to_be_visible()
    victim.goto(approve_link)
    expect(victim.locator("h1")).to_have_text("Ce lien n'est plus valable")
    victim.goto(f"{live_server}/profil")
    expect(victim.get_by_text("sophie@example.test", exact=True)).to_be_visible()


def test_member_approves_a_correction_then_confirms_it_from_the_new_address(live_server, new_page, network,
                                                                            smtp_server):
    facilitator = factories.create_member(network=network, role="facilitator", email="animatrice@example.test",
                                          first_name="Claire")
    member = factories.create_member(network=network, email="sophie@example.test", first_name="Sophie",
                                     last_name="Martin")
    staff = new_page()
    sign_in(staff, live_server, facilitator.email, factories.TEST_PASSWORD, "Claire")
    edit_email(staff, live_server, member, "sophie.martin@example.org")
    received(smtp_server)

    page = new_page()
    sign_in(page, live_server, member.email, factories.TEST_PASSWORD, "Sophie")
    page.goto(f"{live_server}/profil")
    page.get_by_role("button", name="J'accepte cette nouvelle adresse").click()
    expect(page.get_by_text("Merci. Un lien de confirmation est envoyé à la nouvelle adresse")).to_be_visible()
    mail = received(smtp_server)
    assert list(mail) == ["sophie.martin@example.org"]
    [verify_link] = links_in(mail["sophie.martin@example.org"][0])

    page.goto(verify_link)
    page.get_by_role("button", name="Je confirme ma nouvelle adresse").click()
    expect(page.get_by_text("Votre nouvelle adresse est confirmée")).to_be_visible()
    assert list(received(smtp_server)) == ["sophie@example.test"]  # the old address is told
    page.goto(f"{live_server}/profil")  # the session that confirmed stays open
    expect(page.get_by_text("sophie.martin@example.org", exact=True)).to_be_visible()
