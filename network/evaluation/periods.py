"""Reporting periods (a year or a quarter, in Europe/Paris local time) and the scope of a computation."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # 1–4, None for the whole year

    def __post_init__(self):
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise ValueError("quarter must be 1–4")

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def next_first_day(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.year + 1, 1, 1)
        return date(self.year, 3 * self.quarter + 1, 1)

    @property
    def start_at(self) -> datetime:
        return _paris_midnight_utc(self.first_day)

    @property
    def end_at(self) -> datetime:
        """Exclusive end."""
        return _paris_midnight_utc(self.next_first_day)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next_first_day.toordinal() - 1)

    @property
    def label(self) -> str:
        return f"Année {self.year}" if self.quarter is None else f"{self.quarter}e trimestre {self.year}".replace(
            "1e ", "1er ")

    @property
    def slug(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-T{self.quarter}"


def _paris_midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)


@dataclass(frozen=True)
class Scope:
    """What a figure covers: some networks (None = all), a period, optionally one territory, as of `now`."""

    period: Period
    now: datetime
    network_ids: tuple[int, ...] | None = None
    territory_id: int | None = None

    @property
    def until(self) -> datetime:
        """Meetings count only once they have started: the period's end, or now if earlier."""
        return min(self.period.end_at, self.now)

    @property
    def shape(self) -> "ScopeShape":
        return ScopeShape(some_networks=self.network_ids is not None, territory=self.territory_id is not None)

    @property
    def parameters(self) -> dict:
        """The values a statement built from `shape` is executed with."""
        return {"start_at": self.period.start_at, "until": self.until, "network_ids": list(self.network_ids or ()),
                "territory_id": self.territory_id, "last_day": min(self.period.last_day, self.now.date())}


@dataclass(frozen=True)
class ScopeShape:
    """What the text of an indicator statement depends on; the scope's values are bound at execution, so each
    statement is built once per shape (building one costs about twice as much as running it)."""

    some_networks: bool
    territory: bool

    @property
    def start_at(self):
        return bindparam("start_at")

    @property
    def until(self):
        return bindparam("until")

    @property
    def last_day(self):
        """The period's last day, or today if earlier (self-efficacy answers)."""
        return bindparam("last_day")

    @property
    def network_ids(self):
        return bindparam("network_ids", expanding=True) if self.some_networks else None

    @property
    def territory_id(self):
        return bindparam("territory_id") if self.territory else None
