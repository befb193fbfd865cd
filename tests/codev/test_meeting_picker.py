"""The CODEV pickers (propose a case, « Reporter à ») offer what the shared meeting picker returns: upcoming quarterly
meetings of the network with a CODEV workshop — never a training, a meeting without a workshop, or a past one."""

from datetime import timedelta

from network.codev.enums import CaseState
from network.sessions.enums import MeetingKind, MeetingStatus
from tests import factories
from tests.codev import factories as codev_factories
from tests.sessions import factories as sf


def _offered(page: str, meetings) -> list[str]:
    return [meeting.title for meeting in meetings if f'<option value="{meeting.id}">' in page]


def test_propose_picker_offers_only_upcoming_workshop_meetings(client, login, network):
    member = factories.create_member(network=network)
    case = codev_factories.create_case(member, state=CaseState.DRAFT)
    offered = codev_factories.create_meeting(network, days_from_now=40, title="Rencontre de printemps")
    others = [codev_factories.create_meeting(network, days_from_now=-30, title="Rencontre passée",
                                             status=MeetingStatus.HELD),
              codev_factories.create_meeting(network, days_from_now=20, title="Formation élus",
                                             kind=MeetingKind.TRAINING),
              sf.create_meeting(network, starts_at=offered.starts_at - timedelta(days=5), title="Sans atelier")]
    login(member)

    page = client.get(f"/codev/cas/{case.id}").get_data(as_text=True)

    assert _offered(page, [offered, *others]) == ["Rencontre de printemps"]


def test_postpone_picker_offers_later_workshop_meetings_only(client, login, workshop):
    later = codev_factories.create_meeting(workshop.network, days_from_now=60, title="Rencontre d'été")
    training = codev_factories.create_meeting(workshop.network, days_from_now=50, title="Formation",
                                              kind=MeetingKind.TRAINING)
    earlier = codev_factories.create_meeting(workshop.network, days_from_now=10, title="Rencontre plus tôt")
    login(workshop.facilitator)

    page = client.get(f"/codev/rencontres/{workshop.meeting.id}").get_data(as_text=True)

    assert _offered(page, [later, training, earlier, workshop.meeting]) == ["Rencontre d'été"]
