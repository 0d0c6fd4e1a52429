"""What a server process does once the app is loaded (gunicorn's hooks; gunicorn.conf.py
uses them, and the benchmark serves with them: ``--config python:lms.serving``)."""

from __future__ import annotations

import gc
from typing import Any


def freeze_long_lived() -> None:
    """The objects alive once the app is loaded (modules, routes, templates, translations:
    some 200,000) live as long as the process, so the cyclic garbage collector is told to
    leave them alone (``gc.freeze``). Its full collections, which a page that builds
    thousands of rows triggers every few requests, then walk only what requests left
    behind: on a roster or matrix page that halved the time per row. Reference counting
    frees objects as before; only a cycle among the frozen objects would never be freed."""
    gc.collect()
    gc.freeze()


def post_worker_init(worker: Any) -> None:
    """gunicorn: a worker has loaded the app."""
    freeze_long_lived()
