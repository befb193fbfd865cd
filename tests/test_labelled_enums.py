"""LabelledEnum: one base for every vocabulary with a French label; the value alone is stored and compared."""

import enum
import importlib
import pkgutil

import pytest
from sqlalchemy import select

import network
from network.enums import LabelledEnum
from network.extensions import db
from network.sessions.enums import MeetingKind, MeetingStatus
from network.sessions.models import Meeting
from tests.sessions.factories import create_meeting


class Colour(LabelledEnum):
    RED = "red", "Rouge"
    DEEP_BLUE = "deep_blue", "Bleu profond"


def _every_enum():
    for module_info in pkgutil.walk_packages(network.__path__, "network."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, enum.EnumType) and value.__module__ == module.__name__:
                yield value


def test_member_is_its_value_and_carries_its_label():
    assert (Colour.DEEP_BLUE.value, Colour.DEEP_BLUE.label, str(Colour.DEEP_BLUE)) == ("deep_blue", "Bleu profond",
                                                                                      "deep_blue")
    assert Colour("deep_blue") is Colour.DEEP_BLUE
    assert Colour.RED == "red"
    assert f"{Colour.RED}" == "red"
    assert Colour.labels() == {Colour.RED: "Rouge", Colour.DEEP_BLUE: "Bleu profond"}


def test_a_label_is_not_a_value():
    with pytest.raises(ValueError):
        Colour("Rouge")


def test_every_enum_with_a_label_uses_the_base():
    by_hand = sorted(f"{cls.__module__}.{cls.__name__}" for cls in _every_enum()
                     if "label" in vars(cls) and not issubclass(cls, LabelledEnum))
    labelled = sorted(cls.__name__ for cls in _every_enum() if issubclass(cls, LabelledEnum) and cls.__members__)
    assert by_hand == []
    assert labelled == [
        "AgendaItemKind", "AttendanceStatus", "Breakdown", "CaseState", "CaseType", "FileType", "InstitutionKind",
        "JoinRequestStatus", "MeetingKind", "MeetingStatus", "NewsFrequency", "Outcome", "RegistrationStatus",
        "Role", "Rsvp", "RsvpSource", "SubgroupEventKind", "SubgroupRole", "Theme", "TopicStatus", "VoteStatus",
    ]


def test_the_database_stores_the_value(network):
    meeting = create_meeting(network, kind=MeetingKind.TRAINING)
    stored = db.session.execute(select(Meeting.kind, Meeting.status).where(Meeting.id == meeting.id)).one()
    raw = db.session.connection().exec_driver_sql(f"SELECT kind FROM meetings WHERE id = {int(meeting.id)}").scalar()
    assert (raw, stored.kind, MeetingStatus(stored.status).label) == ("training", "training", "Planifiée")
