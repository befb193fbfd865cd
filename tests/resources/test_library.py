"""The network's Ressources page: materials and published minutes by meeting and by topic, filters, French
full-text search by the database's own engine (accents and plurals), and a bounded number of queries."""

import pytest

from network.extensions import db
from network.resources import services
from network.sessions.models import AgendaItem
from network.topics.models import Topic
from tests.resources import samples
from tests.sessions.factories import create_meeting, page_text


def _attach(facilitator, meeting, data=None, name="support.pdf", title="", **kwargs):
    resource = services.attach_file(actor=facilitator, meeting=meeting, title=title, description=kwargs.pop(
        "description", None), upload=services.Upload(samples.pdf() if data is None else data, name), **kwargs)
    db.session.commit()
    return resource


def _publish(facilitator, meeting, body):
    minutes = services.save_minutes(meeting, actor=facilitator, summary="", body=body)
    services.publish_minutes(minutes, meeting, actor=facilitator)
    db.session.commit()
    return minutes


def _titles(client, **params) -> list[str]:
    from html import unescape
    import re
    page = client.get("/ressources/", query_string=params).get_data(as_text=True)
    return [unescape(title) for title in re.findall(r'<li class="material">\s*<a href="[^"]+"[^>]*>([^<]+)</a>', page)]


@pytest.fixture
def library(facilitator, meeting):
    _attach(facilitator, meeting, samples.pdf("Rencontre avec les élus communautaires"), "elus.pdf",
            title="Support de l'intervention")
    _attach(facilitator, meeting, samples.docx("Le schéma départemental des services aux familles"), "sdsf.docx",
            title="Schéma des familles")
    _attach(facilitator, meeting, samples.PNG, "photo.png", title="Photo de groupe",
            description="Réunion à la médiathèque")
    _publish(facilitator, meeting, "Nous avons parlé de l'accès aux droits et de la petite enfance.")


@pytest.mark.parametrize(("query", "expected"), [
    ("élus", ["Support de l'intervention"]),  # a word inside the PDF, plural in the query, singular stem
    ("élu", ["Support de l'intervention"]),
    ("ELUS communautaire", ["Support de l'intervention"]),
    ("schema familles", ["Schéma des familles"]),  # no accent in the query, plural of a word in a DOCX
    ("réunion", ["Photo de groupe"]),  # the description
    ("reunions", ["Photo de groupe"]),
    ("droit", ["Compte rendu — Rencontre de printemps"]),  # the minutes
    ("enfance élus", []),  # every word must be found in the same document
    ("<script> OR \"", []),  # no syntax reaches the engine
    ("", ["Compte rendu — Rencontre de printemps", "Support de l'intervention", "Schéma des familles",
          "Photo de groupe"]),
])
def test_search_in_french(login, client, coordinator, library, query, expected):
    login(coordinator)
    assert _titles(client, q=query) == expected


def test_one_statement_serves_every_search(login, client, coordinator, library):
    """The words are bound at execution (search.SEARCH_QUERY): every search runs the same two statements, built once
    (the materials' and the minutes'); a statement built for each search cost its page more than the search did."""
    from sqlalchemy import event

    run = {}

    def remember(_connection, statement, _multiparams, _params, _options):
        if "fts_" in str(statement):  # a full-text search
            run.setdefault(query, []).append(statement)

    event.listen(db.engine, "before_execute", remember)
    try:
        login(coordinator)
        for query in ("élus", "schema familles", "droit"):
            _titles(client, q=query)
    finally:
        event.remove(db.engine, "before_execute", remember)
    first = run["élus"]
    assert len(first) == 2
    assert all(statement is earlier for later in (run["schema familles"], run["droit"])
               for statement, earlier in zip(later, first, strict=True))


def test_filter_by_type_and_year(login, client, coordinator, network, facilitator, meeting, library):
    older = create_meeting(network, starts_at=meeting.starts_at.replace(year=meeting.starts_at.year - 2),
                           title="Rencontre ancienne")
    _attach(facilitator, older, samples.pptx("Diaporama ancien"), "vieux.pptx", title="Vieux diaporama")
    login(coordinator)
    assert _titles(client, type="image") == ["Photo de groupe"]
    assert _titles(client, type="minutes") == ["Compte rendu — Rencontre de printemps"]
    assert _titles(client, annee=older.starts_at.year) == ["Vieux diaporama"]
    assert _titles(client, type="presentation", q="diaporama") == ["Vieux diaporama"]
    assert _titles(client, type="nimporte") == _titles(client)


def test_by_topic_groups_under_the_thematic_segment(login, client, network, coordinator, facilitator, meeting):
    topic = Topic(network_id=network.id, title="Accès aux droits")
    db.session.add(topic)
    db.session.flush()
    db.session.add(AgendaItem(meeting_id=meeting.id, kind="thematic", title="Accès aux droits", topic_id=topic.id))
    db.session.commit()
    _attach(facilitator, meeting, title="Guide des droits")
    other = create_meeting(network, starts_at=meeting.starts_at.replace(year=meeting.starts_at.year - 1))
    _attach(facilitator, other, samples.docx(), "x.docx", title="Sans sujet")
    login(coordinator)
    page = page_text(client.get("/ressources/", query_string={"par": "theme"}))
    assert page.index("<h2>Accès aux droits</h2>") < page.index("Guide des droits") < page.index(
        "<h2>Sans thème</h2>") < page.index("Sans sujet")


def test_facilitators_see_the_year_s_shared_resources(login, client, facilitator, coordinator, meeting, library):
    login(facilitator)
    page = page_text(client.get("/ressources/", query_string={"annee": meeting.starts_at.year}))
    assert page.count('<p class="stat__value">') == 4
    assert ('Documents et liens (%d)</p><p class="stat__value">3</p>' % meeting.starts_at.year) in page
    assert 'Comptes rendus publiés</p><p class="stat__value">1</p>' in page
    client.logout()
    login(coordinator)
    assert "stat__value" not in page_text(client.get("/ressources/"))


def test_library_is_the_network_s_own(login, client, outsider, facilitator, meeting, library, admin):
    login(outsider)
    assert _titles(client) == []
    client.logout()
    login(admin)
    assert client.get("/ressources/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get("/ressources/").location == "/connexion?next=/ressources/"


@pytest.mark.parametrize("q", ["", "élus"])
def test_library_query_count_is_the_same_for_1_and_3_items(login, client, coordinator, facilitator, network,
                                                          count_queries, q):
    meetings = [create_meeting(network, title=f"Rencontre {n}") for n in range(3)]
    login(coordinator)
    counts = []
    for meeting in meetings:
        _attach(facilitator, meeting, samples.pdf(f"Les élus numéro {meeting.id}"), f"{meeting.id}.pdf")
        with count_queries() as counter:
            assert client.get("/ressources/", query_string={"q": q}).status_code == 200
        counts.append(counter.count)
    assert counts == [4, 4, 4]  # the login loader, the years, the minutes, the materials


def test_postgresql_search_uses_the_gin_index(db, facilitator, meeting):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    from sqlalchemy import select, text
    from network.resources import search
    from network.resources.models import Resource
    _attach(facilitator, meeting)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    statement = select(Resource.id).where(search.matches(Resource, ["elus"]))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "fts_ix_resources" in plan
    db.session.rollback()


def test_postgresql_search_reads_the_stored_vectors(db, facilitator, meeting):
    """A network's search reads each row's stored tsvector (fts_vector), whichever index the planner takes: never
    to_tsvector worked out again for every row of the network on each request."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the stored vector is PostgreSQL's (SQLite searches its FTS5 tables)")
    from sqlalchemy import select, text
    from network.resources import search
    from network.resources.models import Resource
    _attach(facilitator, meeting, samples.pdf("Les élus du territoire"), "elus.pdf")
    statement = select(Resource.id).where(Resource.network_id == meeting.network_id, search.matches(Resource, ["elus"]))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "fts_vector @@" in plan and "to_tsvector" not in plan
    assert db.session.scalars(statement).all() == [db.session.scalar(select(Resource.id))]
    # the stored vector follows the text
    db.session.execute(text("UPDATE resources SET search_text = 'compte rendu'"))
    assert db.session.scalars(statement).all() == []
    db.session.rollback()


def test_national_demo_materials_are_searchable(db):
    from datetime import date
    from sqlalchemy import func, select
    from network.demo.national import seed_national
    from network.resources import queries
    from network.resources.models import Minutes, Resource
    seed_national(today=date(2031, 11, 22), networks=2, members_per_network=10, years=2, invited_per_meeting=8,
                  cases_per_network=12, ballots_per_round=5)
    db.session.commit()
    network_id = db.session.scalar(select(func.min(Resource.network_id)))
    items = queries.library_items(network_id, queries.LibraryFilters(query="halte garderie itinerante"))
    expected_resources = db.session.scalar(select(func.count()).select_from(Resource).where(
        Resource.network_id == network_id, Resource.title.contains("haltes-garderies")))
    expected_minutes = db.session.scalar(select(func.count()).select_from(Minutes).where(
        Minutes.network_id == network_id, Minutes.body.contains("haltes-garderies")))
    assert expected_resources > 0
    assert ([item.kind for item in items].count("resource"), [item.kind for item in items].count("minutes")) == (
        expected_resources, expected_minutes)
