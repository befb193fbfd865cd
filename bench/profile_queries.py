"""Per-request SQL profile of the benchmarked pages (in-process, Flask test client): query count, SQL time and
the slowest statements. Run after bench/run.py has prepared the database (same environment variables).

    RESEAU_INSTANCE_PATH=bench/results/instance-sqlite .venv/bin/python bench/profile_queries.py
"""

import sys
import time

from sqlalchemy import event

from bench.prepare import prepare
from network import create_app
from network.result_cache import clear_all_caches
from network.extensions import db


def main() -> None:
    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False)
    with app.app_context():
        info = prepare()
        statements: list[tuple[float, str]] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            context._bench_started = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            statements.append(((time.perf_counter() - context._bench_started) * 1000, statement))

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
    clients = {}
    for name, path, login, _compare in info["pages"]:
        if login not in clients:
            client = app.test_client()
            if login:
                client.post("/connexion", data={"email": login, "password": "reseau-demo"})
            clients[login] = client
        client = clients[login]
        client.get(path)  # warm-up
        clear_all_caches()  # what the page costs to compute, not a cached copy
        statements.clear()
        started = time.perf_counter()
        response = client.get(path)
        total = (time.perf_counter() - started) * 1000
        sql = sum(ms for ms, _ in statements)
        print(f"{name:44} HTTP {response.status_code}  {total:7.1f} ms  {len(statements):3d} queries  "
              f"SQL {sql:6.1f} ms")
        if "-v" in sys.argv:
            for ms, statement in sorted(statements, reverse=True)[:3]:
                print(f"    {ms:6.1f} ms  {' '.join(statement.split())[:300]}")


if __name__ == "__main__":
    main()
