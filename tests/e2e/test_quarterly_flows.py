"""The quarterly flows as the facilitators and members live them (issue « The quarterly flows feel right »):
opening a vote round starts on the right meeting, planning a year with a meeting already in it plans only the
missing quarters, the questionnaire asks before accepting a skipped question and can be corrected, the ballot
shows the topics' descriptions and keeps the provisional results from voters until they vote, an answer from the
email is confirmed in one click and offers the calendar entry."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from network.calendar import to_paris
from network.database import utcnow
from network.extensions import db
from network.outbox import send_due
from network.sessions import services as meeting_services
from network.sessions.enums import MeetingKind
from network.sessions.models import Invitation, Meeting
from network.topics import services
from network.topics.models import TopicVote
from tests import factories
from tests.e2e.conftest import PHONE
from tests.e2e.test_topic_vote import sign_in
from tests.evaluation.conftest import create_meeting as create_held_meeting, invite_and_record
from tests.sessions import factories as sf
from tests.topics.factories import create_meeting, create_topic, create_vote


def test_opening_a_vote_starts_on_the_next_meeting_and_closes_the_evening_before(live_server, new_page, network,
                                                                                 facilitator, coordinator):
    now = utcnow()
    create_meeting(network, starts_at=now - timedelta(days=60), title="Rencontre d'automne", with_workshop=True)
    create_meeting(network, starts_at=now + timedelta(days=10), title="Formation élus", kind=MeetingKind.TRAINING)
    following = create_meeting(network, starts_at=now + timedelta(days=21), title="Rencontre d'hiver",
                               with_workshop=True)
    create_meeting(network, starts_at=now + timedelta(days=110), title="Rencontre de printemps", with_workshop=True)
    for title in ("Le SDSF", "L'inclusion", "Les tiers-lieux"):
        create_topic(network, author=coordinator, title=title)

    desk = new_page()
    sign_in(desk, live_server, facilitator)
    desk.goto(f"{live_server}/themes/")
    desk.get_by_role("link", name="Ouvrir un vote").click()
    desk.wait_for_url("**/themes/votes/nouveau")
    picker = desk.get_by_label("Rencontre où le vote a lieu")
    offered = [text.split(" — ")[0] for text in picker.locator("option").all_inner_texts()]
    eve = (to_paris(following.starts_at).date() - timedelta(days=1)).isoformat()
    assert offered == ["Rencontre d'hiver", "Rencontre de printemps"]  # no past meeting, no training
    assert picker.locator("option:checked").inner_text().startswith("Rencontre d'hiver")
    assert (desk.get_by_label("Clôture le").input_value(), desk.get_by_label("à", exact=True).input_value()) == (
        eve, "18:00")
    spring = db.session.scalar(select(Meeting).where(Meeting.title == "Rencontre de printemps"))
    picker.select_option(str(spring.id))  # another meeting: the proposed close follows it
    assert desk.get_by_label("Clôture le").input_value() == (
        to_paris(spring.starts_at).date() - timedelta(days=1)).isoformat()
    picker.select_option(str(following.id))
    desk.get_by_label("Le SDSF").check()
    desk.get_by_label("L'inclusion").check()
    desk.get_by_role("button", name="Ouvrir le vote").click()

    assert "Le vote est ouvert" in desk.locator(".flashes").inner_text()
    vote = db.session.scalar(select(TopicVote))
    assert (vote.meeting_id, to_paris(vote.closes_at).strftime("%Y-%m-%d %H:%M")) == (following.id, f"{eve} 18:00")


def test_planning_a_year_with_its_first_meeting_plans_the_three_others(live_server, new_page, network, facilitator):
    year = to_paris(utcnow()).year + 1
    march = create_meeting(network, starts_at=datetime(year, 3, 3, 8, 30, tzinfo=UTC), title="Rencontre de mars",
                           with_workshop=True)

    desk = new_page(viewport=PHONE)
    sign_in(desk, live_server, facilitator)
    desk.goto(f"{live_server}/rencontres/planifier?annee={year}")
    assert desk.locator(".plan-planned li").all_inner_texts() == [f"1er trimestre\u00a0: Rencontre de mars, 3 mars {year}"]
    assert desk.locator(".plan-slot legend").all_inner_texts() == [
        "Rencontre 1 — 2e trimestre", "Rencontre 2 — 3e trimestre", "Rencontre 3 — 4e trimestre"]
    desk.get_by_role("button", name="Planifier les 3 rencontres").click()

    assert desk.locator(".notice--success").inner_text() == f"3 rencontres planifiées pour {year}."
    db.session.expire_all()
    titles = db.session.scalars(select(Meeting.title).where(Meeting.id != march.id).order_by(Meeting.starts_at))
    assert list(titles) == [f"Rencontre du réseau — {quarter}e trimestre {year}" for quarter in (2, 3, 4)]
    desk.goto(f"{live_server}/rencontres/planifier?annee={year}")
    assert desk.locator(".lead").inner_text() == f"Les quatre rencontres trimestrielles de {year} sont planifiées."


def test_questionnaire_asks_about_a_skipped_question_then_lets_the_member_correct(live_server, new_page,
                                                                                 coordinator):
    phone = new_page(viewport=PHONE)
    sign_in(phone, live_server, coordinator)
    phone.goto(f"{live_server}/evaluation/efficacite")
    for number in range(1, 10):
        phone.locator(f"#question-{number}").get_by_label("Moyennement vrai").check()
    phone.get_by_role("button", name="Enregistrer mes réponses").click()

    assert phone.locator(".notice--warning strong").inner_text() == "Vous n'avez pas répondu à la question 10."
    assert phone.locator("#question-9").get_by_label("Moyennement vrai").is_checked()  # nothing lost
    phone.get_by_role("button", name="Enregistrer sans répondre à la question 10").click()
    assert "Vos réponses (T0) sont enregistrées." in phone.locator(".flashes").inner_text()
    assert "1 réponse manquante, score proratisé" in phone.locator("table").inner_text()

    phone.get_by_role("link", name="Corriger mes réponses du").click()
    assert phone.locator("#question-9").get_by_label("Moyennement vrai").is_checked()
    phone.locator("#question-10").get_by_label("Totalement vrai").check()
    phone.get_by_role("button", name="Enregistrer mes corrections").click()
    assert phone.locator(".flashes").inner_text() == "Vos corrections sont enregistrées."
    assert phone.locator("table tbody tr td").nth(2).inner_text() == "31,0"


def test_ballot_shows_descriptions_and_hides_the_tally_until_the_member_votes(live_server, new_page, network,
                                                                              facilitator, coordinator):
    meeting = create_meeting(network, starts_at=utcnow() + timedelta(days=20), title="Rencontre d'hiver",
                             with_workshop=True)
    topics = [create_topic(network, author=coordinator, title="Le SDSF",
                           description="Où en est le schéma départemental des services aux familles ?"),
              create_topic(network, author=coordinator, title="L'inclusion"),
              create_topic(network, author=coordinator, title="Les tiers-lieux",
                           description="Visite d'un tiers-lieu rural.")]
    vote = create_vote(meeting, topics)
    early = factories.create_member(network=network, first_name="Bruno")
    services.cast_ballot(vote, {topics[2].id: 1}, actor=early)
    db.session.commit()

    projector = new_page()
    sign_in(projector, live_server, facilitator)
    projector.goto(f"{live_server}/themes/votes/{vote.id}/projection")
    assert projector.locator("h1").inner_text() == "Vote du thème de la prochaine rencontre · Rencontre d'hiver"
    assert projector.locator(".projector__title").all_inner_texts() == ["Les tiers-lieux", "L'inclusion", "Le SDSF"]

    phone = new_page(viewport=PHONE)
    sign_in(phone, live_server, coordinator)
    phone.goto(f"{live_server}/themes/votes/{vote.id}")
    sdsf = phone.locator(".ballot__topic", has_text="Le SDSF")
    assert sdsf.locator(".ballot__description").inner_text() == (
        "Où en est le schéma départemental des services aux familles ?")
    assert phone.locator(".tally").count() == 0
    assert phone.locator(".ballot__remaining").inner_text() == "1 point à répartir."
    sdsf.get_by_text("1", exact=True).click()
    phone.locator(".ballot__topic", has_text="L'inclusion").get_by_text("1", exact=True).click()
    assert phone.locator(".ballot__remaining").inner_text() == "1 point de trop\u00a0: retirez-en avant d'enregistrer."
    phone.locator(".ballot__topic", has_text="L'inclusion").get_by_text("0", exact=True).click()
    phone.get_by_role("button", name="Enregistrer mon bulletin").click()

    assert phone.locator(".flashes").inner_text() == "Votre bulletin est enregistré."
    assert phone.locator(".tally tbody tr").count() == 3


def test_facilitator_header_holds_on_one_line_at_1280_px(live_server, new_page, network):
    facilitator = factories.create_member(network=network, role="facilitator", first_name="Marie-Christine",
                                          last_name="Delacroix-Dupont")
    desk = new_page()
    sign_in(desk, live_server, facilitator)

    boxes = desk.evaluate("""() => ['.brand', '.site-nav ul', '.site-nav__account'].map(
        (selector) => document.querySelector(selector).getBoundingClientRect().top)""")
    height = desk.evaluate("() => document.querySelector('.site-header').getBoundingClientRect().height")

    assert max(boxes) - min(boxes) < 20 and height < 80


def test_answering_from_the_email_confirms_in_one_click_and_offers_the_calendar(live_server, new_page, network,
                                                                                smtp_server):
    caf = factories.create_institution(network, "Caf du Pas-de-Calais", "caf")
    claire = factories.create_member(network=network, role="facilitator", first_name="Claire", institution_id=caf.id)
    sophie = factories.create_member(network=network, first_name="Sophie", email="sophie.martin@example.test")
    venue = sf.create_venue(network, "Caf du Pas-de-Calais — site d'Arras", "caf")
    meeting = sf.create_meeting(network, title="Rencontre d'hiver", venue=venue)
    meeting_services.send_invitations(meeting, actor=claire)
    db.session.commit()
    send_due()
    mail = next(m for m in smtp_server.messages if m["To"] == sophie.email)
    link = re.search(r"Je serai présent·e : (http://\S+)", mail.get_body(("plain",)).get_content()).group(1)

    phone = new_page(viewport=PHONE)
    phone.goto(link)
    phone.get_by_role("button", name="Confirmer\u00a0: je serai présent·e").click()

    assert phone.locator("h1").inner_text() == "Merci, votre réponse est enregistrée"
    assert "Caf du Pas-de-Calais — site d'Arras" in phone.locator(".facts").inner_text()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Ajouter à mon agenda").click()
    assert download.value.suggested_filename == f"rencontre-{meeting.id}.ics"
    db.session.expire_all()
    assert db.session.scalar(select(Invitation.rsvp).where(Invitation.member_id == sophie.id)) == "yes"


def test_dashboard_charts_stay_legible_on_a_phone(live_server, new_page, network, facilitator):
    territory = factories.create_territory(network, "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane")
    members = [factories.create_member(network=network, territory_id=territory.id) for _ in range(3)]
    meeting = create_held_meeting(network, utcnow() - timedelta(days=2), title="Rencontre passée")
    invite_and_record(meeting, {members[0]: "present", members[1]: "present", members[2]: "excused"})

    phone = new_page(viewport=PHONE)
    sign_in(phone, live_server, facilitator)
    phone.goto(f"{live_server}/evaluation/")
    smallest = phone.evaluate("""() => Math.min(...[...document.querySelectorAll('figure.chart svg')].flatMap((svg) => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('text')].map((text) => Number(text.getAttribute('font-size')) * scale);
    }))""")
    territory_chart = phone.locator("figure.chart", has_text="Par territoire").locator("svg").text_content()

    assert smallest >= 11
    assert "Artois-Lys Romane" in territory_chart and "…" not in territory_chart
