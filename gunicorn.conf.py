"""gunicorn's settings for Réseau. gunicorn reads ./gunicorn.conf.py by default: started from the checkout's root, as
the README's deployment and the benchmark do, it needs no option; from elsewhere, pass
`-c /srv/reseau/gunicorn.conf.py`.

The command line keeps the rest (`-w 4 -b 127.0.0.1:8000 'network:create_app()'`)."""

import gc


def post_worker_init(worker):
    """The app a worker has just loaded (some 180,000 objects: modules, mappers, templates, compiled statements) is
    frozen out of the garbage collector's reach. They live as long as the worker; without this, each of a fresh
    worker's first full collections traversed them all: 69–79 ms in-process, 250–300 ms under load on two cores, for
    the requests that worker was serving (the 99th percentile of every class with few requests). After it, a full
    collection traverses what the requests left, 8–9 ms."""
    gc.collect()
    gc.freeze()
