"""Webhook tests run real RQ workers on the test Redis, as the job tests do."""

from tests.jobs.conftest import queue_app  # noqa: F401  (the fixture, for this folder)
