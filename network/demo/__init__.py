"""Demo data for a newcomer's `make run` and for the browser tests. Never loaded in production."""

from network.demo.members import DEMO_PASSWORD, seed_members
from network.demo.sessions import seed_sessions


def seed_demo() -> list[tuple[str, str]]:
    """Load every feature's demo data; return the demo accounts (email, description)."""
    demo = seed_members()
    seed_sessions(demo)
    return demo.accounts
