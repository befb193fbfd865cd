"""Demo data for a newcomer's `make run` and for the browser tests. Never loaded in production."""

from network.demo.evaluation import seed_evaluation
from network.demo.members import DEMO_PASSWORD, seed_members


def seed_demo() -> list[tuple[str, str]]:
    """Load every feature's demo data; return the demo accounts (email, description)."""
    demo = seed_members()
    seed_evaluation(demo)
    return demo.accounts
