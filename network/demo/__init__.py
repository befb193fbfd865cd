"""Demo data for a newcomer's `make run` and for the browser tests. Never loaded in production."""

from network.demo.codev import seed_codev
from network.demo.evaluation import seed_evaluation
from network.demo.members import DEMO_PASSWORD, seed_members
from network.demo.registration import seed_registration
from network.demo.resources import seed_resources
from network.demo.sessions import seed_sessions
from network.demo.topics import seed_topics
from network.identity.demo import seed_identity

__all__ = ["DEMO_PASSWORD", "seed_demo"]


def seed_demo() -> list[tuple[str, str]]:
    """Load every feature's demo data; return the demo accounts (email, description)."""
    demo = seed_members()
    seed_sessions(demo)  # first: the other features reuse this year's meetings
    seed_topics(demo)
    seed_codev(demo)
    seed_registration(demo)
    seed_evaluation(demo)
    seed_resources(demo)  # last: materials and minutes of the meetings the others held
    seed_identity([demo.admin, *demo.pas_de_calais.members.values(), *demo.tarn.members.values()])
    return demo.accounts
