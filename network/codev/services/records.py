"""The six-step record of a worked case and its action plan."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from network.audit import record_audit
from network.codev import permissions
from network.codev.enums import SubgroupRole
from network.codev.models import Case, CaseAction, CaseRecord
from network.database import utcnow
from network.errors import DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.models import Member

RECORD_FIELDS = ("exposition", "clarifications", "contract", "suggestions", "synthesis", "client_learnings",
                 "group_learnings")


@dataclass
class RecordData:
    exposition: str = ""
    clarifications: str = ""
    contract: str = ""
    suggestions: str = ""
    synthesis: str = ""
    client_learnings: str = ""
    group_learnings: str = ""


def _require_record_editor(case: Case, actor: Member) -> None:
    role = SubgroupRole.CLIENT if permissions.is_client(actor, case) else permissions.subgroup_role(actor, case)
    if role not in (SubgroupRole.CLIENT, SubgroupRole.ANIMATOR):
        raise NotAllowed("Seuls l'animateur du sous-groupe et la personne qui porte le cas remplissent le compte rendu.")
    if not permissions.can_edit_record(actor, case):
        raise InvalidTransition("Le compte rendu se remplit pendant ou après l'atelier, tant que le cas n'est pas clos.")


def save_record(case: Case, *, actor: Member, data: RecordData) -> list[str]:
    _require_record_editor(case, actor)
    record = db.session.scalar(select(CaseRecord).where(CaseRecord.case_id == case.id))
    if record is None:
        record = CaseRecord(case_id=case.id, **{name: "" for name in RECORD_FIELDS})
        db.session.add(record)
    changed = [name for name in RECORD_FIELDS if (getattr(record, name) or "") != getattr(data, name).strip()]
    for name in changed:
        setattr(record, name, getattr(data, name).strip())
    if changed:
        record.updated_at = utcnow()
        record.updated_by_id = actor.id
        record_audit(actor=actor, action="codev.record.update", obj=case, fields=changed)
    db.session.flush()
    return changed


def add_action(case: Case, *, actor: Member, description: str, owner: str = "", due_on: date | None = None
               ) -> CaseAction:
    _require_record_editor(case, actor)
    if not description.strip():
        raise DomainError("Décrivez l'action.")
    action = CaseAction(case_id=case.id, description=description.strip(), owner=owner.strip(), due_on=due_on)
    db.session.add(action)
    db.session.flush()
    record_audit(actor=actor, action="codev.action.add", obj=case, fields=["description", "owner", "due_on"])
    return action


def update_action(action: CaseAction, case: Case, *, actor: Member, done: bool | None = None,
                  remove: bool = False) -> None:
    if action.case_id != case.id:
        raise NotAllowed("Cette action n'appartient pas à ce cas.")
    _require_record_editor(case, actor)
    if remove:
        db.session.delete(action)
        record_audit(actor=actor, action="codev.action.remove", obj=case, fields=["action"])
    elif done is not None:
        action.is_done = done
        record_audit(actor=actor, action="codev.action.update", obj=case, fields=["is_done"])
    db.session.flush()
