"""The fiche-cas: a client writes, edits and reconsults their case sheet."""

from dataclasses import dataclass

from sqlalchemy import select

from network.audit import record_audit
from network.codev import permissions
from network.codev.enums import CaseState, CaseType, Theme
from network.codev.models import Case
from network.database import utcnow
from network.errors import DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.models import Member

SHEET_FIELDS = ("title", "case_type", "theme", "context", "question", "help_wanted")


@dataclass
class CaseSheet:
    title: str
    case_type: str
    theme: str
    context: str = ""
    question: str = ""
    help_wanted: str = ""


def _check_sheet(data: CaseSheet) -> None:
    if not data.title.strip():
        raise DomainError("Donnez un titre au cas.")
    if data.case_type not in set(CaseType):
        raise DomainError("Type de cas inconnu.")
    if data.theme not in set(Theme):
        raise DomainError("Thème inconnu.")


def create_case(*, actor: Member, data: CaseSheet, previous: Case | None = None) -> Case:
    if not permissions.can_write_case(actor):
        raise NotAllowed("Seuls les chargés de coopération d'un réseau rédigent des fiches-cas.")
    _check_sheet(data)
    case = Case(network_id=actor.network_id, client_id=actor.id, state=CaseState.DRAFT, state_changed_at=utcnow(),
                previous_case_id=previous.id if previous else None,
                **{name: getattr(data, name).strip() for name in SHEET_FIELDS})
    db.session.add(case)
    db.session.flush()
    record_audit(actor=actor, action="codev.case.create", obj=case, fields=SHEET_FIELDS)
    return case


def update_case_sheet(case: Case, *, actor: Member, data: CaseSheet) -> list[str]:
    """Returns the names of the fields that changed (what the audit row records)."""
    if not permissions.is_client(actor, case):
        raise NotAllowed("Seule la personne qui porte le cas peut modifier sa fiche.")
    if not permissions.can_edit_case_sheet(actor, case):
        raise InvalidTransition("La fiche ne se modifie plus une fois le cas retenu pour un atelier.")
    _check_sheet(data)
    changed = [name for name in SHEET_FIELDS if getattr(case, name) != getattr(data, name).strip()]
    for name in changed:
        setattr(case, name, getattr(data, name).strip())
    if changed:
        record_audit(actor=actor, action="codev.case.update", obj=case, fields=changed)
    db.session.flush()
    return changed


def reconsult_case(case: Case, *, actor: Member) -> Case:
    """A new draft that follows on from a worked case (same client, theme and type)."""
    if not permissions.can_reconsult(actor, case):
        raise NotAllowed("Seule la personne qui porte le cas peut le soumettre à nouveau, après l'atelier.")
    return create_case(actor=actor, previous=case, data=CaseSheet(
        title=f"{case.title} (nouvelle consultation)"[:200], case_type=case.case_type, theme=case.theme,
        context=content_of(case)[0], question="", help_wanted=""))


def content_of(case: Case) -> tuple[str, str]:
    """(context, question), read explicitly: the columns are deferred with raiseload."""
    return db.session.execute(select(Case.context, Case.question).where(Case.id == case.id)).one()
