"""routing.id_urls: the URLs of a list's rows, built once by url_for, each id put in its place."""

import pytest
from flask import url_for

from network.routing import id_urls
from network.text import DB_INT_MAX


@pytest.mark.parametrize("endpoint, argument", [
    ("codev.case_detail", "case_id"), ("members.member_detail", "member_id"),
    ("resources.download", "resource_id"), ("resources.minutes_detail", "meeting_id"),
])
def test_id_urls_are_the_urls_url_for_builds(app, endpoint, argument):
    with app.test_request_context("/"):
        url_of = id_urls(endpoint, argument)
        assert [url_of(value) for value in (1, 42, "7", DB_INT_MAX)] == [
            url_for(endpoint, **{argument: value}) for value in (1, 42, 7, DB_INT_MAX)]


def test_id_urls_keep_the_route_around_the_id(app):
    with app.test_request_context("/"):
        assert id_urls("resources.minutes_detail", "meeting_id")(42) == "/ressources/rencontre/42/compte-rendu"
        assert id_urls("codev.case_detail", "case_id")(42) == "/codev/cas/42"
