"""gunicorn settings, read when gunicorn starts in this folder (or with -c this file).

The access log goes to stdout and never shows a token: the token in a calendar feed URL
is the only key to someone's schedule, an e-mailed link the key to an account (see
lms/logs.py).
"""

import os

from lms.serving import post_worker_init  # noqa: F401 (a gunicorn hook, read by name)

logger_class = "lms.access_log.RedactingLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
