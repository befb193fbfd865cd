"""The security page lists remembered devices and passkeys: its statement count does not grow with them."""

from datetime import timedelta

import pytest

from network.database import utcnow
from network.extensions import db
from network.identity.models import PasskeyCredential, TrustedDevice


def remember(member, count):
    for index in range(count):
        db.session.add(TrustedDevice(member_id=member.id, token_digest=f"{member.id:04d}{index:060d}",
                                     label=f"Firefox — Linux {index}", expires_at=utcnow() + timedelta(days=30)))
        db.session.add(PasskeyCredential(member_id=member.id, credential_id=f"cred-{member.id}-{index}",
                                         public_key=b"key", sign_count=0, label=f"Clé {index}"))
    db.session.commit()


@pytest.mark.parametrize("page", ["/profil/securite", "/profil/securite/cle-d-acces"])
def test_security_pages_same_query_count_for_one_and_three_items(make_client, network, count_queries, login, page):
    from tests import factories
    counts = []
    for items in (1, 3):
        member = factories.create_member(network=network)
        client = login(member, on=make_client())
        remember(member, items)
        with count_queries() as counter:
            response = client.get(page)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("Linux" if page.endswith("securite") else "Clé ") >= items
        counts.append(counter.count)
    assert counts[0] == counts[1]
