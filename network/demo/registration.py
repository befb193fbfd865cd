"""Demo join requests: two confirmed requests waiting in the Pas-de-Calais queue."""

from datetime import timedelta

from network.database import utcnow
from network.extensions import db
from network.members.enums import InstitutionKind
from network.registration.enums import JoinRequestStatus
from network.registration.models import JoinRequest


def seed_registration(demo) -> None:
    network = demo.pas_de_calais
    now = utcnow()
    requests = [
        JoinRequest(network_id=network.network.id, status=JoinRequestStatus.PENDING, email="aurelie.dumont@example.org",
                    first_name="Aurélie", last_name="Dumont", phone="03 21 45 67 89",
                    job_title="Chargée de coopération CTG",
                    institution_id=network.institutions["CC des 7 Vallées"].id,
                    territory_id=network.territories["CC des 7 Vallées"].id,
                    created_at=now - timedelta(days=3), privacy_accepted_at=now - timedelta(days=3),
                    confirmed_at=now - timedelta(days=3, hours=-1)),
        JoinRequest(network_id=network.network.id, status=JoinRequestStatus.PENDING,
                    email="yanis.belkacem@example.org", first_name="Yanis", last_name="Belkacem",
                    phone="06 12 34 56 78", job_title="Coordinateur enfance-jeunesse",
                    institution_name="Association Familles rurales du Montreuillois",
                    institution_kind=InstitutionKind.PARTNER, is_associated_operator=True,
                    created_at=now - timedelta(days=1), privacy_accepted_at=now - timedelta(days=1),
                    confirmed_at=now - timedelta(hours=20)),
    ]
    db.session.add_all(requests)
    db.session.flush()
