"""The server processes' hooks (lms.serving): gunicorn reads them from gunicorn.conf.py,
the benchmark passes them with --config python:lms.serving."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

from lms import serving

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_runs_the_worker_hook_of_lms_serving():
    from gunicorn.config import Config

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("post_worker_init", settings["post_worker_init"])
    assert config.post_worker_init is serving.post_worker_init


def test_a_loaded_worker_leaves_its_long_lived_objects_to_reference_counting():
    gc.unfreeze()
    try:
        serving.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000  # the modules, routes, templates loaded
        assert len(gc.get_objects()) < gc.get_freeze_count()  # what full collections walk
    finally:
        gc.unfreeze()
