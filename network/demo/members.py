"""Demo networks, institutions, territories and members."""

import secrets
from dataclasses import dataclass, field
from datetime import date

from network.extensions import db
from network.members.enums import InstitutionKind, Role
from network.members.models import Institution, Member, Network, Territory
from network.members.passwords import hash_password

DEMO_PASSWORD = "reseau-demo"


@dataclass
class DemoNetwork:
    network: Network
    institutions: dict[str, Institution] = field(default_factory=dict)
    territories: dict[str, Territory] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)


@dataclass
class Demo:
    admin: Member
    pas_de_calais: DemoNetwork
    tarn: DemoNetwork
    accounts: list[tuple[str, str]]


PAS_DE_CALAIS_PEOPLE = [
    # email, first, last, role, institution, territory, job title, associated operator
    ("animatrice.caf@example.org", "Claire", "Dubois", Role.FACILITATOR, "Caf du Pas-de-Calais", None,
     "Conseillère territoriale, co-animatrice du réseau", False),
    ("animateur.msa@example.org", "Julien", "Lefebvre", Role.FACILITATOR, "MSA Nord-Pas-de-Calais", None,
     "Chargé de développement social territorial, co-animateur", False),
    ("coordinatrice@example.org", "Sophie", "Martin", Role.COORDINATOR, "CC du Haut-Pays du Montreuillois",
     "CC du Haut-Pays du Montreuillois", "Chargée de coopération CTG", False),
    ("thomas.caron@example.org", "Thomas", "Caron", Role.COORDINATOR, "CA des 2 Baies en Montreuillois",
     "CA des 2 Baies en Montreuillois", "Chargé de coopération CTG", False),
    ("ines.lemaire@example.org", "Inès", "Lemaire", Role.COORDINATOR, "CC des 7 Vallées", "CC des 7 Vallées",
     "Coordinatrice enfance-jeunesse et CTG", False),
    ("marc.delattre@example.org", "Marc", "Delattre", Role.COORDINATOR, "Centre social du Montreuillois",
     "CC du Haut-Pays du Montreuillois", "Directeur de centre social, opérateur CTG", True),
    ("nadia.benali@example.org", "Nadia", "Benali", Role.COORDINATOR, "CA des 2 Baies en Montreuillois",
     "CA des 2 Baies en Montreuillois", "Chargée de mission parentalité", False),
    ("pierre.vasseur@example.org", "Pierre", "Vasseur", Role.COORDINATOR, "CC des 7 Vallées", "CC des 7 Vallées",
     "Chargé de coopération CTG", False),
    ("lucie.fontaine@example.org", "Lucie", "Fontaine", Role.COORDINATOR, "Caf du Pas-de-Calais", None,
     "Conseillère territoriale Caf", False),
    ("antoine.deprez@example.org", "Antoine", "Deprez", Role.COORDINATOR, "MSA Nord-Pas-de-Calais", None,
     "Travailleur social MSA", False),
    ("camille.leroy@example.org", "Camille", "Leroy", Role.COORDINATOR, "CC du Haut-Pays du Montreuillois",
     "CC du Haut-Pays du Montreuillois", "Coordinatrice petite enfance", False),
    ("hugo.boulanger@example.org", "Hugo", "Boulanger", Role.COORDINATOR, "CA des 2 Baies en Montreuillois",
     "CA des 2 Baies en Montreuillois", "Chargé de projet jeunesse", False),
    ("emma.wattel@example.org", "Emma", "Wattel", Role.COORDINATOR, "CC des 7 Vallées", "CC des 7 Vallées",
     "Animatrice de la vie sociale", False),
    ("louis.carpentier@example.org", "Louis", "Carpentier", Role.COORDINATOR, "Département du Pas-de-Calais", None,
     "Chargé de développement territorial (Maison du Département)", False),
    ("manon.dupont@example.org", "Manon", "Dupont", Role.COORDINATOR, "CC du Haut-Pays du Montreuillois",
     "CC du Haut-Pays du Montreuillois", "Chargée d'accueil France services", False),
    ("romain.lecomte@example.org", "Romain", "Lecomte", Role.COORDINATOR, "CA des 2 Baies en Montreuillois",
     "CA des 2 Baies en Montreuillois", "Responsable du service enfance", False),
    ("julie.bernard@example.org", "Julie", "Bernard", Role.COORDINATOR, "CC des 7 Vallées", "CC des 7 Vallées",
     "Référente parentalité", False),
    ("olivier.petit@example.org", "Olivier", "Petit", Role.COORDINATOR, "MSA Nord-Pas-de-Calais", None,
     "Conseiller en développement local", False),
    ("sarah.lambert@example.org", "Sarah", "Lambert", Role.COORDINATOR, "Caf du Pas-de-Calais", None,
     "Chargée d'études territoriales", False),
    ("kevin.morel@example.org", "Kévin", "Morel", Role.COORDINATOR, "Département du Pas-de-Calais", None,
     "Travailleur social de secteur", False),
]

TARN_PEOPLE = [
    ("animatrice.tarn@example.org", "Hélène", "Roques", Role.FACILITATOR, "Caf du Tarn", None,
     "Conseillère territoriale, co-animatrice du réseau", False),
    ("animateur.tarn@example.org", "Bruno", "Cabrol", Role.FACILITATOR, "MSA Midi-Pyrénées Nord", None,
     "Chargé de développement social, co-animateur", False),
    ("agnes.fabre@example.org", "Agnès", "Fabre", Role.COORDINATOR, "CC du Cordais et du Causse",
     "CC du Cordais et du Causse", "Chargée de coopération CTG", False),
    ("mathieu.alric@example.org", "Mathieu", "Alric", Role.COORDINATOR, "CC Centre Tarn", "CC Centre Tarn",
     "Chargé de coopération CTG", False),
    ("laure.bonnet@example.org", "Laure", "Bonnet", Role.COORDINATOR, "CC des Monts de Lacaune",
     "CC des Monts de Lacaune", "Coordinatrice enfance-jeunesse", False),
]


def _network(name, slug, department, mailbox, institutions, territories) -> DemoNetwork:
    network = Network(name=name, slug=slug, department_code=department, mailbox_email=mailbox)
    db.session.add(network)
    db.session.flush()
    demo = DemoNetwork(network)
    for institution_name, kind in institutions:
        demo.institutions[institution_name] = Institution(network_id=network.id, name=institution_name, kind=kind)
    for territory_name in territories:
        demo.territories[territory_name] = Territory(network_id=network.id, name=territory_name)
    db.session.add_all([*demo.institutions.values(), *demo.territories.values()])
    db.session.flush()
    return demo


def _people(demo: DemoNetwork, people, password_hash: str, joined_on: date) -> None:
    for email, first, last, role, institution, territory, job, associated in people:
        member = Member(
            network_id=demo.network.id, email=email, first_name=first, last_name=last, role=role,
            institution_id=demo.institutions[institution].id,
            territory_id=demo.territories[territory].id if territory else None,
            job_title=job, is_associated_operator=associated, password_hash=password_hash, joined_on=joined_on,
            phone="03 21 00 00 00" if demo.network.department_code == "62" else "05 63 00 00 00",
            calendar_token=secrets.token_urlsafe(24),
        )
        demo.members[email] = member
        db.session.add(member)


def seed_members() -> Demo:
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: seeding stays fast
    today = date.today()
    started = date(today.year - 2, 1, 15)
    admin = Member(email="admin@example.org", first_name="Alexandre", last_name="Garnier", role=Role.ADMIN,
                   job_title="Administrateur de la plateforme (Cnaf)", password_hash=password_hash,
                   calendar_token=secrets.token_urlsafe(24), joined_on=started)
    db.session.add(admin)
    pas_de_calais = _network(
        "Réseau des chargés de coopération — Pas-de-Calais", "pas-de-calais", "62", "reseau.ctg62@example.org",
        [("Caf du Pas-de-Calais", InstitutionKind.CAF), ("MSA Nord-Pas-de-Calais", InstitutionKind.MSA),
         ("CC du Haut-Pays du Montreuillois", InstitutionKind.COLLECTIVITE),
         ("CA des 2 Baies en Montreuillois", InstitutionKind.COLLECTIVITE),
         ("CC des 7 Vallées", InstitutionKind.COLLECTIVITE),
         ("Département du Pas-de-Calais", InstitutionKind.PARTNER),
         ("Centre social du Montreuillois", InstitutionKind.PARTNER)],
        ["CC du Haut-Pays du Montreuillois", "CA des 2 Baies en Montreuillois", "CC des 7 Vallées"],
    )
    _people(pas_de_calais, PAS_DE_CALAIS_PEOPLE, password_hash, started)
    tarn = _network(
        "Réseau des chargés de coopération — Tarn", "tarn", "81", "reseau.ctg81@example.org",
        [("Caf du Tarn", InstitutionKind.CAF), ("MSA Midi-Pyrénées Nord", InstitutionKind.MSA),
         ("CC du Cordais et du Causse", InstitutionKind.COLLECTIVITE), ("CC Centre Tarn", InstitutionKind.COLLECTIVITE),
         ("CC des Monts de Lacaune", InstitutionKind.COLLECTIVITE)],
        ["CC du Cordais et du Causse", "CC Centre Tarn", "CC des Monts de Lacaune"],
    )
    _people(tarn, TARN_PEOPLE, password_hash, started)
    db.session.flush()
    accounts = [
        ("admin@example.org", "administrateur de la plateforme"),
        ("animatrice.caf@example.org", "co-animatrice Caf, Pas-de-Calais"),
        ("animateur.msa@example.org", "co-animateur MSA, Pas-de-Calais"),
        ("coordinatrice@example.org", "chargée de coopération, Pas-de-Calais"),
        ("animatrice.tarn@example.org", "co-animatrice Caf, Tarn"),
    ]
    return Demo(admin=admin, pas_de_calais=pas_de_calais, tarn=tarn, accounts=accounts)
