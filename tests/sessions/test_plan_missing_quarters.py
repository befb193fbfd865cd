"""Planning a year that already has a meeting: only the missing quarters are offered, the existing ones shown."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from network.errors import Conflict, DomainError
from network.extensions import db
from network.sessions import services
from network.sessions.enums import MeetingStatus
from network.sessions.models import Meeting
from tests.sessions import factories as sf

MARCH = datetime(2027, 3, 2, 8, 30, tzinfo=UTC)  # 9 h 30 in Paris


def _titles() -> list[str]:
    return list(db.session.scalars(select(Meeting.title).order_by(Meeting.starts_at)))


def test_planned_quarters_ignores_cancelled_meetings_and_trainings(network):
    march = sf.create_meeting(network, starts_at=MARCH, title="Mars")
    sf.create_meeting(network, starts_at=datetime(2027, 5, 4, 8, 0, tzinfo=UTC), status=MeetingStatus.CANCELLED)
    sf.create_meeting(network, starts_at=datetime(2027, 9, 7, 8, 0, tzinfo=UTC), kind="training")

    assert services.planned_quarters(network.id, 2027) == {1: march}


def test_default_slots_for_the_missing_quarters_keep_their_venue(network):
    venues = [sf.create_venue(network, "Caf Arras", "caf"), sf.create_venue(network, "MSA Lille", "msa")]

    slots = services.default_slots(2027, venues, quarters=[2, 3, 4])

    assert [(slot.day, slot.venue_id) for slot in slots] == [
        (date(2027, 6, 8), venues[1].id), (date(2027, 9, 14), venues[0].id), (date(2027, 12, 14), venues[1].id)]


def test_plan_year_plans_only_the_missing_quarters(network, caf_facilitator):
    sf.create_meeting(network, starts_at=MARCH, title="Mars")

    meetings = services.plan_year(actor=caf_facilitator, network=network, year=2027,
                                  slots=services.default_slots(2027, [], quarters=[2, 3, 4]),
                                  caf_facilitator_id=None, msa_facilitator_id=None)

    assert [meeting.title for meeting in meetings] == [
        "Rencontre du réseau — 2e trimestre 2027", "Rencontre du réseau — 3e trimestre 2027",
        "Rencontre du réseau — 4e trimestre 2027"]


def test_plan_year_refuses_a_slot_in_a_planned_quarter(network, caf_facilitator):
    sf.create_meeting(network, starts_at=MARCH, title="Mars")

    with pytest.raises(Conflict, match="Le 1er trimestre 2027 a déjà sa rencontre, le 2 mars 2027\u00a0: choisissez"):
        services.plan_year(actor=caf_facilitator, network=network, year=2027,
                           slots=services.default_slots(2027, []), caf_facilitator_id=None, msa_facilitator_id=None)


def test_plan_year_refuses_two_slots_in_one_quarter(network, caf_facilitator):
    slots = services.default_slots(2027, [], quarters=[3, 4])
    slots[0].day = date(2027, 11, 9)

    with pytest.raises(DomainError, match="Deux rencontres tombent dans le même trimestre"):
        services.plan_year(actor=caf_facilitator, network=network, year=2027, slots=slots,
                           caf_facilitator_id=None, msa_facilitator_id=None)


def test_plan_year_view_offers_the_missing_quarters_and_shows_the_planned_one(client, login, network,
                                                                            caf_facilitator, venue):
    march = sf.create_meeting(network, starts_at=MARCH, title="Rencontre de mars")
    login(caf_facilitator)

    page = sf.page_text(client.get("/rencontres/planifier?annee=2027"))
    form = {"caf_facilitator_id": str(caf_facilitator.id)}
    for index, day in enumerate(["2027-06-08", "2027-09-14", "2027-12-14"]):
        form.update({f"slots-{index}-day": day, f"slots-{index}-start": "09:30", f"slots-{index}-end": "16:00",
                     f"slots-{index}-venue_id": str(venue.id)})
    response = client.post("/rencontres/planifier?annee=2027", data=form)
    calendar = sf.page_text(client.get(response.location))

    assert "1 trimestre a déjà sa rencontre\u00a0: planifiez les 3 trimestres qui restent." in page
    assert f'1er trimestre\u00a0: <a href="/rencontres/{march.id}">Rencontre de mars</a>, 2 mars 2027' in page
    assert [legend for legend in ("Rencontre 1 — 2e trimestre", "Rencontre 3 — 4e trimestre") if legend in page] == [
        "Rencontre 1 — 2e trimestre", "Rencontre 3 — 4e trimestre"]
    assert 'name="slots-3-day"' not in page and "Planifier les 3 rencontres" in page
    assert response.status_code == 302
    assert "3 rencontres planifiées pour 2027." in calendar
    assert _titles() == ["Rencontre de mars", "Rencontre du réseau — 2e trimestre 2027",
                         "Rencontre du réseau — 3e trimestre 2027", "Rencontre du réseau — 4e trimestre 2027"]


def test_plan_year_view_of_a_full_year_offers_no_form(client, login, network, caf_facilitator):
    for month in (3, 6, 9, 12):
        sf.create_meeting(network, starts_at=datetime(2027, month, 2, 8, 30, tzinfo=UTC))
    login(caf_facilitator)

    page = sf.page_text(client.get("/rencontres/planifier?annee=2027"))
    response = client.post("/rencontres/planifier?annee=2027", data={})

    assert "Les quatre rencontres trimestrielles de 2027 sont planifiées." in page
    assert 'name="slots-0-day"' not in page and "Voir le calendrier 2027" in page
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Meeting.id))) == 4
