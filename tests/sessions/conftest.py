import json
import shutil
import subprocess
from pathlib import Path

import pytest

from network.members.enums import InstitutionKind
from tests import factories
from tests.sessions import factories as session_factories

ROOT = Path(__file__).resolve().parents[2]
ICAL_JS_SCRIPT = ROOT / "tests" / "js" / "parse_ics.js"


@pytest.fixture
def caf(network):
    return factories.create_institution(network, "Caf du Pas-de-Calais", InstitutionKind.CAF)


@pytest.fixture
def msa(network):
    return factories.create_institution(network, "MSA Nord-Pas-de-Calais", InstitutionKind.MSA)


@pytest.fixture
def caf_facilitator(network, caf):
    return factories.create_member(network=network, role="facilitator", email="claire@example.test",
                                   first_name="Claire", last_name="Dubois", institution_id=caf.id)


@pytest.fixture
def msa_facilitator(network, msa):
    return factories.create_member(network=network, role="facilitator", email="julien@example.test",
                                   first_name="Julien", last_name="Lefebvre", institution_id=msa.id)


@pytest.fixture
def venue(network):
    return session_factories.create_venue(network, "Caf du Pas-de-Calais — site d'Arras")


@pytest.fixture
def other_network(db):
    return factories.create_network()


@pytest.fixture
def other_facilitator(other_network):
    return factories.create_member(network=other_network, role="facilitator", email="autre@example.test")


@pytest.fixture
def ical_js():
    """parse(ics_bytes) → dict, through ical.js (the parser of Thunderbird's calendar)."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ical.js").exists():
        pytest.fail("ical.js is not installed: run `npm install` at the repository root")

    def parse(ics: bytes) -> dict:
        result = subprocess.run([node, str(ICAL_JS_SCRIPT)], input=ics, capture_output=True, check=True, timeout=30)
        return json.loads(result.stdout)

    return parse
