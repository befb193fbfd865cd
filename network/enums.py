"""The base of every vocabulary that carries a French label (a leaf module)."""

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry their French label: `QUARTERLY = "quarterly", "Rencontre trimestrielle"`.

    The value (what the database stores, what forms and URLs carry) is the first string alone; `.label` is what
    pages, emails and exports show."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict["LabelledEnum", str]:
        """Each member → its label, in definition order."""
        return {member: member.label for member in cls}
