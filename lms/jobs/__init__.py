"""Slow work as jobs: a row in ``background_job`` that people can watch, run by RQ
workers on Redis (``lms worker``), or inline in the process that asked for it when no
Redis is configured (the embedded demo).

Areas declare what a job of their kind does (``lms.jobs.kinds``); views create the row
with :func:`lms.jobs.operations.create_job`, commit, and hand it to
:func:`lms.jobs.queue.dispatch`. Every job re-reads what it needs by id.
"""
