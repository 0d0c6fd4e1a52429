"""Unbound extension instances; :func:`lms.create_app` binds them."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from lms.addresses import request_client_network
from lms.db import Base

db = SQLAlchemy(model_class=Base)

# The base class of every model. A type checker cannot take ``db.Model`` (an attribute made
# at run time) for a class, so it is told what that class is: our declarative Base with
# Flask-SQLAlchemy's model mixin (mypy#8603). Models write ``class Cohort(Model)``.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(Base, _FlaskModel):
        __abstract__ = True
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Limits are set per route (lms/web/throttling.py); the storage (LMS_RATELIMIT_STORAGE_URL,
# e.g. redis://) is shared by all gunicorn workers.
limiter = Limiter(key_func=request_client_network, default_limits=[])
