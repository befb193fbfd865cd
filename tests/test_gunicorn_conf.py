"""gunicorn.conf.py: a worker that has loaded the app freezes it out of the garbage collector's reach."""

import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_freezes_what_it_has_loaded(app):
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        hooks["post_worker_init"](None)
        assert gc.get_freeze_count() > 10_000  # the app's modules, mappers and templates at least
        assert gc.get_count()[2] == 0  # a full collection first (it resets the oldest generation's count)
    finally:
        gc.unfreeze()
