"""Attendance figures: plain frozen dataclasses, counts first, rates derived. The meeting pages and the
evaluation indicators share them (network.sessions.attendance_counts computes them).

Every rate keeps its numerator and denominator so pages, exports and the CLI can say "7 sur 10".
"""

from dataclasses import dataclass
from datetime import datetime

# Assiduity threshold: share of members who attended at least 75 % of the meetings they were invited to.
ASSIDUITY_THRESHOLD_NUM, ASSIDUITY_THRESHOLD_DEN = 3, 4


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator

    @property
    def counts(self) -> str:
        return f"{self.numerator} sur {self.denominator}"


@dataclass(frozen=True)
class AttendanceCounts:
    """Invited members active at the meeting date, and what became of them (guests excluded)."""

    invited: int = 0
    present: int = 0
    partial: int = 0
    excused: int = 0
    absent: int = 0  # recorded as absent, or invited with no attendance row

    @property
    def attended(self) -> int:
        return self.present + self.partial

    @property
    def rate(self) -> Ratio:
        """Present (or partial) ÷ invited; excused absences stay in the denominator."""
        return Ratio(self.attended, self.invited)

    @property
    def rate_excused_excluded(self) -> Ratio:
        """Present (or partial) ÷ (invited − excused)."""
        return Ratio(self.attended, self.invited - self.excused)


@dataclass(frozen=True)
class MeetingAttendance:
    meeting_id: int
    title: str
    starts_at: datetime
    status: str
    is_recorded: bool
    counts: AttendanceCounts  # zeros when not recorded


@dataclass(frozen=True)
class Assiduity:
    """Members by share of the meetings they were invited to and attended."""

    members: int = 0
    at_threshold: int = 0  # attended ≥ 75 % of their invitations

    @property
    def share(self) -> Ratio:
        return Ratio(self.at_threshold, self.members)

    @property
    def threshold_label(self) -> str:
        return f"≥ {ASSIDUITY_THRESHOLD_NUM * 100 // ASSIDUITY_THRESHOLD_DEN} %"


@dataclass(frozen=True)
class MemberAssiduity:
    member_id: int
    name: str
    attended: int
    invited: int

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.attended, self.invited)

    @property
    def is_at_threshold(self) -> bool:
        return self.attended * ASSIDUITY_THRESHOLD_DEN >= self.invited * ASSIDUITY_THRESHOLD_NUM


@dataclass(frozen=True)
class AttendanceSummary:
    counts: AttendanceCounts  # pooled over the recorded meetings of the period
    meetings_recorded: int
    meetings_unrecorded: int
    mean_meeting_rate: float | None  # mean of the recorded meetings' rates, shown beside the pooled rate
    assiduity: Assiduity
