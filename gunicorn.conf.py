"""gunicorn settings, read when gunicorn starts in this folder (or with -c this file).

The access log goes to stdout and never shows a calendar feed token: the token in a
feed URL is the only key to someone's schedule (see lms/ical/logs.py).
"""

import os

logger_class = "lms.ical.access_log.RedactingLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
