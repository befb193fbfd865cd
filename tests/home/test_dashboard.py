"""The home page's personal dashboard: exact values per role, the one-click answer, bounded queries."""

import html
import re
from datetime import timedelta

import pytest

from network.codev.enums import CaseState
from network.database import utcnow
from network.evaluation.models import GridActivity, GridRubric, SelfAssessment, SelfEfficacyResponse
from network.extensions import db
from network.registration.enums import JoinRequestStatus
from network.sessions.enums import MeetingKind, MeetingStatus, Rsvp
from network.sessions.models import Invitation
from network.topics.models import Ballot
from tests import factories
from tests.codev.factories import create_case
from tests.registration.conftest import make_join_request
from tests.sessions.factories import create_meeting, create_venue, invite
from tests.topics.factories import create_topic, create_vote


def text_of(response) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).replace("\xa0", " ").strip()


def answered_t0_today(member):
    db.session.add(SelfEfficacyResponse(member_id=member.id, network_id=member.network_id, wave=0,
                                        taken_on=utcnow().date(), score=30.0))
    db.session.commit()


def create_grid(network):
    rubric = GridRubric(network_id=network.id, title="Animer le partenariat", short_title="Partenariat")
    db.session.add(rubric)
    db.session.flush()
    db.session.add(GridActivity(rubric_id=rubric.id, label="Réunir les partenaires de la CTG"))
    db.session.commit()
    return rubric


def in_days(days):
    return utcnow().replace(microsecond=0) + timedelta(days=days)


# --- coordinator ------------------------------------------------------------------------------------

def test_home_coordinator_shows_next_meetings_with_own_answer(client, login, network, coordinator):
    answered = create_meeting(network, title="Rencontre de décembre", starts_at=in_days(10),
                              status=MeetingStatus.INVITED)
    invite(answered, coordinator, rsvp=Rsvp.YES)
    not_sent = create_meeting(network, title="Rencontre de mars", starts_at=in_days(100))
    training = create_meeting(network, title="Formation élus", starts_at=in_days(20), kind=MeetingKind.TRAINING,
                              status=MeetingStatus.INVITED)
    create_meeting(network, title="Rencontre annulée", starts_at=in_days(5), status=MeetingStatus.CANCELLED)
    create_meeting(network, title="Rencontre passée", starts_at=in_days(-30), status=MeetingStatus.HELD)
    create_meeting(network, title="Rencontre lointaine", starts_at=in_days(200))  # fourth upcoming: beyond the 3
    login(coordinator)

    response = client.get("/")

    page = response.get_data(as_text=True)
    text = text_of(response)
    assert response.status_code == 200
    assert [title for title in ("Rencontre de décembre", "Formation élus", "Rencontre de mars",
                                "Rencontre annulée", "Rencontre passée", "Rencontre lointaine") if title in text] == [
        "Rencontre de décembre", "Formation élus", "Rencontre de mars"]
    assert text.index("Rencontre de décembre") < text.index("Formation élus") < text.index("Rencontre de mars")
    assert "Ma réponse : Oui" in text
    assert "Invitation pas encore envoyée" in text
    assert "Voir la formation et s'inscrire" in text
    assert page.count('class="quick-answer"') == 1
    assert f'action="/rencontres/{answered.id}/reponse"' in page
    assert f'/rencontres/{not_sent.id}/reponse' not in page and f'/rencontres/{training.id}/reponse' not in page
    assert 'name="next" value="/"' in page
    assert re.findall(r'name="answer" value="(\w+)"', page) == ["yes", "no", "excused"]


def test_home_coordinator_lists_what_is_waiting_for_them(client, login, network, coordinator):
    meeting = create_meeting(network, starts_at=in_days(10), status=MeetingStatus.INVITED)
    topics = [create_topic(network), create_topic(network), create_topic(network)]
    open_vote = create_vote(meeting, topics)
    already_voted = create_vote(meeting, topics)
    db.session.add(Ballot(vote_id=already_voted.id, member_id=coordinator.id))
    db.session.commit()
    draft = create_case(coordinator, state=CaseState.DRAFT, title="Titre confidentiel du brouillon")
    worked = create_case(coordinator, state=CaseState.WORKED, meeting=meeting)
    create_case(coordinator, state=CaseState.PROPOSED)
    create_case(factories.create_member(network=network), state=CaseState.DRAFT)
    create_grid(network)
    login(coordinator)

    response = client.get("/")

    page = response.get_data(as_text=True)
    text = text_of(response)
    assert f'href="/themes/votes/{open_vote.id}"' in page
    assert f'href="/themes/votes/{already_voted.id}"' not in page
    assert text.count("Brouillon à proposer") == 1 and text.count("Suivi à renseigner") == 1
    assert f"{draft.reference} · Petite enfance" in text and f"{worked.reference} · Petite enfance" in text
    assert f'href="/codev/cas/{worked.id}/suivi"' in page and f'href="/codev/cas/{draft.id}"' in page
    assert "Titre confidentiel du brouillon" not in text  # metadata only on the home page
    assert "Questionnaire d'efficacité personnelle d'entrée (T0)" in text
    assert "Grille d'auto-évaluation de la fonction (T0)" in text
    assert "Rien ne vous attend pour l'instant." not in text


def test_home_coordinator_with_nothing_to_do(client, login, network, coordinator):
    answered_t0_today(coordinator)
    create_grid(network)
    db.session.add(SelfAssessment(member_id=coordinator.id, network_id=network.id, wave=0, taken_on=utcnow().date()))
    db.session.commit()
    create_case(coordinator, state=CaseState.FOLLOWED_UP)
    login(coordinator)

    text = text_of(client.get("/"))

    assert "Rien ne vous attend pour l'instant." in text
    assert "Aucune rencontre à venir pour le moment." in text
    assert "Questionnaire" not in text and "Grille d'auto-évaluation" not in text


def test_home_one_click_answer_comes_back_home(client, login, network, coordinator):
    meeting = create_meeting(network, starts_at=in_days(10), status=MeetingStatus.INVITED)
    invitation, = invite(meeting, coordinator)
    login(coordinator)

    response = client.post(f"/rencontres/{meeting.id}/reponse", data={"answer": "excused", "next": "/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert db.session.get(Invitation, invitation.id).rsvp == Rsvp.EXCUSED
    assert "Ma réponse : Excusé·e" in text_of(client.get("/"))


def test_rsvp_ignores_an_offsite_next(client, login, network, coordinator):
    meeting = create_meeting(network, starts_at=in_days(10), status=MeetingStatus.INVITED)
    invite(meeting, coordinator)
    login(coordinator)

    response = client.post(f"/rencontres/{meeting.id}/reponse", data={"answer": "yes", "next": "//evil.example"})

    assert response.headers["Location"] == f"/rencontres/{meeting.id}"


# --- facilitator ------------------------------------------------------------------------------------

def test_home_facilitator_shows_counts_and_pending_work(client, login, network, facilitator):
    other_network = factories.create_network()
    coordinators = [factories.create_member(network=network) for _ in range(7)]
    next_meeting = create_meeting(network, title="Rencontre de décembre", starts_at=in_days(10),
                                  status=MeetingStatus.INVITED)
    for members, answer in ((coordinators[:2], Rsvp.YES), (coordinators[2:3], Rsvp.NO),
                            (coordinators[3:4], Rsvp.EXCUSED), (coordinators[4:], Rsvp.PENDING)):
        invite(next_meeting, *members, rsvp=answer)
    db.session.add(Invitation(meeting_id=next_meeting.id, guest_email="intervenant@example.test",
                              guest_name="Intervenant", rsvp=Rsvp.YES))
    db.session.commit()
    unsent = create_meeting(network, title="Rencontre de mars", starts_at=in_days(100))
    create_meeting(network, title="Rencontre annulée", starts_at=in_days(5), status=MeetingStatus.CANCELLED)
    create_meeting(other_network, title="Rencontre d'un autre réseau", starts_at=in_days(2))
    for email in ("a@example.test", "b@example.test"):
        make_join_request(network, email=email)
    make_join_request(network, email="c@example.test", status=JoinRequestStatus.UNCONFIRMED)
    make_join_request(other_network, email="d@example.test")
    for state in (CaseState.PROPOSED, CaseState.POSTPONED, CaseState.DRAFT, CaseState.SELECTED):
        create_case(coordinators[0], state=state)
    vote = create_vote(next_meeting, [create_topic(network), create_topic(network)])
    db.session.add_all([Ballot(vote_id=vote.id, member_id=coordinators[0].id),
                        Ballot(vote_id=vote.id, member_id=coordinators[1].id)])
    db.session.commit()
    login(facilitator)

    response = client.get("/")

    page = response.get_data(as_text=True)
    text = text_of(response)
    assert "Demandes d'adhésion en attente 2 " in text
    assert "Cas CODEV à sélectionner 2 " in text
    assert "Vote du thème en cours 2 sur 8 participation 25 %" in text  # 7 coordinators + the facilitator
    assert f'href="/themes/votes/{vote.id}"' in page
    assert "Prochaine rencontre Tout le calendrier Rencontre de décembre" in text
    assert "Oui 2 Non 1 Excusé·es 1 Sans réponse 3" in text
    assert f'href="/rencontres/{next_meeting.id}/presences"' in page
    assert "Invitations à envoyer Rencontre de mars" in text
    assert f'href="/rencontres/{unsent.id}"' in page
    assert "Rencontre annulée" not in text and "autre réseau" not in text
    assert 'href="/evaluation/"' in page


def test_home_facilitator_of_a_quiet_network(client, login, network, facilitator):
    login(facilitator)

    text = text_of(client.get("/"))

    assert "Demandes d'adhésion en attente 0 " in text
    assert "Cas CODEV à sélectionner 0 " in text
    assert "Vote du thème en cours Aucun Ouvrir un vote" in text
    assert "Aucune rencontre à venir." in text
    assert "Toutes les invitations des rencontres à venir sont parties." in text


# --- admin ------------------------------------------------------------------------------------------

def test_home_admin_shows_platform_counts(client, login, network, admin, facilitator, coordinator):
    second = factories.create_network()
    factories.create_member(network=second)
    factories.create_member(network=second, is_active=False)
    closed = factories.create_network(is_active=False)
    factories.create_member(network=closed)
    login(admin)

    response = client.get("/")

    page = response.get_data(as_text=True)
    text = text_of(response)
    assert "Réseaux actifs 2 " in text
    assert "Membres actifs 3 " in text  # facilitator + coordinator + one in the second network
    assert 'href="/evaluation/reseaux"' in page and 'href="/donnees/journal"' in page


def test_home_anonymous_goes_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion"


# --- query counts -----------------------------------------------------------------------------------

def _coordinator_world(network, coordinator, size):
    venue = create_venue(network)
    for day in range(size):
        meeting = create_meeting(network, starts_at=in_days(10 + day), status=MeetingStatus.INVITED, venue=venue)
        invite(meeting, coordinator, rsvp=Rsvp.YES)
        create_case(coordinator, state=CaseState.DRAFT)
        create_case(coordinator, state=CaseState.WORKED, meeting=meeting)
    create_vote(meeting, [create_topic(network) for _ in range(3)])


def _facilitator_world(network, size):
    coordinator = factories.create_member(network=network)
    venue = create_venue(network)
    for day in range(size):
        invited = create_meeting(network, starts_at=in_days(10 + day), status=MeetingStatus.INVITED, venue=venue)
        invite(invited, coordinator)
        create_meeting(network, starts_at=in_days(100 + day))
        create_case(coordinator, state=CaseState.PROPOSED)
        make_join_request(network, email=f"demande{network.id}-{day}@example.test")
    create_vote(invited, [create_topic(network) for _ in range(3)])


@pytest.mark.parametrize("role", ["coordinator", "facilitator"])
def test_home_query_count_does_not_grow(client, login, count_queries, role):
    counts = []
    for size in (1, 3):
        network = factories.create_network()
        member = factories.create_member(network=network, role=role)
        if role == "coordinator":
            _coordinator_world(network, member, size)
        else:
            _facilitator_world(network, size)
        login(member)
        with count_queries() as counter:
            response = client.get("/")
        assert response.status_code == 200
        counts.append(counter.count)
        client.logout()
    assert counts[0] == counts[1]
    assert counts[0] <= 10, counts
