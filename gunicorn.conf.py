"""gunicorn settings, read when gunicorn starts in this folder (or with -c this file).

The access log goes to stdout and never shows a secret: the token in a calendar feed URL
is the only key to someone's schedule, an e-mailed link the key to an account (see
lms/logs.py).
"""

import os

from lms.serving import post_worker_init  # noqa: F401 (a gunicorn hook, read by name)

logger_class = "lms.access_log.RedactingLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The combined format, then the ids the app's own lines carry (lms/logs.py), so that an
# access line and the app's lines of one request can be found together. With
# LMS_LOG_FORMAT=json the access line is a JSON object instead (lms/access_log.py).
access_log_format = ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
                     "request=%({lms.request_id}e)s user=%({lms.user_id}e)s")
