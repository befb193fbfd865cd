"""In-process cost of the evaluation figures on the national data set (`flask seed-demo --scale national`): what the
dashboard computes on a cache miss for one network, the admin's national synthesis, and « Année par année » computed
in one pass grouped by year against one set of queries per year (same data, same results, asserted).

    RESEAU_INSTANCE_PATH=… (or DATABASE_URL=…) .venv/bin/python bench/evaluation_in_process.py [rounds]

Prints the median and best wall time and the median CPU time of this process (SQLite runs in it; PostgreSQL does
not, so compare wall times there): on a machine shared with other work, CPU time is the steadier of the two."""

import statistics
import sys
import time

from network import create_app
from network.database import utcnow
from network.evaluation.assembly import build_evaluation
from network.evaluation.indicators import network_summaries, series_summaries
from network.periods import PARIS, Period, Scope, Series
from network.members import queries as member_queries

NETWORK = "dep-62"


def measure(label: str, compute, rounds: int) -> None:
    compute()  # warm-up: statements built, first connection
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        compute()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    print(f"{label:58} wall median {statistics.median(walls):7.1f} ms  best {min(walls):7.1f} ms  "
          f"CPU median {statistics.median(cpus):7.1f} ms", flush=True)


def main(rounds: int) -> None:
    with create_app().app_context():
        now = utcnow().replace(second=0, microsecond=0)
        year = now.astimezone(PARIS).year
        network_ids = (member_queries.network_by_slug(NETWORK).id,)
        scope = Scope(Period(year), now, network_ids)
        measure(f"dashboard figures, {NETWORK}, {year} (build_evaluation)",
                lambda: build_evaluation(scope, with_members=True), rounds)
        measure(f"national synthesis, {year} (network_summaries, 100 networks)",
                lambda: network_summaries(Scope(Period(year), now)), rounds)
        for label, ids, series_rounds in ((NETWORK, network_ids, rounds), ("100 networks", None, max(1, rounds // 5))):
            series = Series.of_years(year - 9, year, now, network_ids=ids)
            with_total = ids is None
            one_pass = lambda: series_summaries(series, with_total=with_total)  # noqa: E731
            per_year = lambda: [(each, *network_summaries(each, with_total=with_total))  # noqa: E731
                                for each in series.scopes]
            assert one_pass() == per_year()
            measure(f"ten years, {label}: one pass grouped by year", one_pass, series_rounds)
            measure(f"ten years, {label}: one set of queries per year", per_year, series_rounds)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
