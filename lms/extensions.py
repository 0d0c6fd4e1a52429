"""Unbound extension instances; :func:`lms.create_app` binds them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from lms.addresses import request_client_network
from lms.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Limits are set per route (lms/web/throttling.py); the storage (LMS_RATELIMIT_STORAGE_URL,
# e.g. redis://) is shared by all gunicorn workers.
limiter = Limiter(key_func=request_client_network, default_limits=[])
