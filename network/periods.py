"""Reporting periods (a year or a quarter, in Europe/Paris local time) and the scope of a computation."""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, bindparam, case, literal_column, select, union_all

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


@dataclass(frozen=True)
class YearSpan:
    """Consecutive whole years taken as one period (the experiment's report over chosen years): a Scope over it
    pools every figure over the span exactly (distinct people counted once, self-efficacy at its end)."""

    first_year: int
    last_year: int
    quarter = None

    def __post_init__(self):
        if self.first_year > self.last_year:
            raise ValueError("first_year must not be after last_year")

    @property
    def year(self) -> int:
        return self.last_year

    @property
    def first_day(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.last_year + 1, 1, 1)

    @property
    def start_at(self) -> datetime:
        return _paris_midnight_utc(self.first_day)

    @property
    def end_at(self) -> datetime:
        return _paris_midnight_utc(self.next_first_day)

    @property
    def last_day(self) -> date:
        return date(self.last_year, 12, 31)

    @property
    def label(self) -> str:
        if self.first_year == self.last_year:
            return f"Année {self.first_year}"
        return f"Années {self.first_year} à {self.last_year}"

    @property
    def slug(self) -> str:
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}-{self.last_year}"


@dataclass(frozen=True)
class Instant:
    """The period of the meetings that start at one instant: a Scope over it (with the meeting's network) gives one
    meeting's figures with the indicators' own statements (the door counter of the meeting pages), without
    computing the rest of its year."""

    at: datetime  # aware
    quarter = None

    @property
    def start_at(self) -> datetime:
        return self.at

    @property
    def end_at(self) -> datetime:
        """Exclusive end: the next microsecond (what both databases keep of an instant)."""
        return self.at + timedelta(microseconds=1)

    @property
    def first_day(self) -> date:
        return self.at.astimezone(PARIS).date()

    @property
    def next_first_day(self) -> date:
        return date.fromordinal(self.first_day.toordinal() + 1)

    @property
    def last_day(self) -> date:
        return self.first_day

    @property
    def year(self) -> int:
        return self.first_day.year


def _paris_midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)


def _parameters(periods: tuple[Period, ...], now: datetime, network_ids, territory_id) -> dict:
    """The values a statement built from a ScopeShape of len(periods) periods is executed with."""
    today = now.date()
    last_days = [min(period.last_day, today) for period in periods]
    parameters = {"start_at": periods[0].start_at, "until": min(periods[-1].end_at, now),
                  "territory_id": territory_id, "last_day": last_days[-1]}
    parameters.update({f"network_id_{index}": network_id for index, network_id in enumerate(network_ids or ())})
    parameters.update({f"edge_{index}": period.start_at for index, period in enumerate(periods) if index})
    parameters.update({f"last_day_{index}": last_day for index, last_day in enumerate(last_days)})
    return parameters


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
    def periods(self) -> tuple[Period]:
        return (self.period,)

    def bucket_of(self, moment: datetime) -> int:
        """A scope is a series of one period (Series.bucket_of)."""
        return 0

    @property
    def shape(self) -> "ScopeShape":
        return ScopeShape(networks=_count(self.network_ids), territory=self.territory_id is not None)

    @property
    def parameters(self) -> dict:
        """The values a statement built from `shape` is executed with."""
        return _parameters(self.periods, self.now, self.network_ids, self.territory_id)


@dataclass(frozen=True)
class Series:
    """Consecutive periods of the same networks and territory, computed in one pass: each indicator statement
    covers them all and is grouped by period (its "bucket", the position of the period in `periods`)."""

    periods: tuple[Period, ...]
    now: datetime
    network_ids: tuple[int, ...] | None = None
    territory_id: int | None = None

    def __post_init__(self):
        if not self.periods:
            raise ValueError("a series needs at least one period")
        for before, after in zip(self.periods, self.periods[1:]):
            if before.end_at != after.start_at:
                raise ValueError("the periods of a series must follow each other")

    @classmethod
    def of_years(cls, first_year: int, last_year: int, now: datetime, **scope) -> "Series":
        return cls(tuple(Period(year) for year in range(first_year, last_year + 1)), now, **scope)

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """The scope of each period, in order (what the bucket of the same position stands for)."""
        return tuple(Scope(period, self.now, self.network_ids, self.territory_id) for period in self.periods)

    @property
    def shape(self) -> "ScopeShape":
        return ScopeShape(networks=_count(self.network_ids), territory=self.territory_id is not None,
                          periods=len(self.periods))

    @property
    def parameters(self) -> dict:
        return _parameters(self.periods, self.now, self.network_ids, self.territory_id)

    def bucket_of(self, moment: datetime) -> int:
        """The position of the period a moment of the series falls in (what ScopeShape.bucket computes in SQL)."""
        return bisect_right([period.start_at for period in self.periods[1:]], moment)


def _count(network_ids: tuple[int, ...] | None) -> int | None:
    return None if network_ids is None else len(network_ids)


@dataclass(frozen=True)
class ScopeShape:
    """What the text of an indicator statement depends on; the scope's values are bound at execution, so each
    statement is built once per shape (building one costs about twice as much as running it)."""

    networks: int | None  # how many networks (their ids bound one by one), None for all
    territory: bool
    periods: int = 1  # a Series of several periods: statements add a `bucket` column and group by it

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
        """The networks' ids, one bound parameter each (None for all networks). An expanding IN parameter would
        have SQLAlchemy rewrite the statement's text at every execution (~0.1 ms a statement, a dozen per page)."""
        if self.networks is None:
            return None
        return tuple(bindparam(f"network_id_{index}", type_=Integer) for index in range(self.networks))

    @property
    def territory_id(self):
        return bindparam("territory_id") if self.territory else None

    def bucket(self, moment):
        """The position of the period `moment` (a column) falls in: 0 for the first period, … (Series.bucket_of).

        The period numbers are literal columns: as bound values, each would be a new parameter and PostgreSQL
        would not find the SELECT's expression in the GROUP BY (the edges are bound by name, the same each time).
        A single period gives the constant 0, which callers never group by (a number there means a position)."""
        if self.periods == 1:
            return literal_column("0")
        return case(*((moment < bindparam(f"edge_{index}"), literal_column(str(index - 1)))
                      for index in range(1, self.periods)), else_=literal_column(str(self.periods - 1)))

    def period_ends(self):
        """One row per period: its bucket and its last day (or today if earlier), for the figures that look at
        everything up to the end of each period (self-efficacy) rather than at what happened within it."""
        rows = [select(literal_column(str(index)).label("bucket"),
                       bindparam(f"last_day_{index}", type_=Date).label("last_day"))
                for index in range(self.periods)]
        return (rows[0] if self.periods == 1 else union_all(*rows)).subquery("period_ends")
