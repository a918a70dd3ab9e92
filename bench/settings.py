"""Settings of the load benchmark's server: the project's, read from the environment as in production, plus what
the environment cannot set yet: health checks on persistent database connections (`CONN_MAX_AGE` comes from the
environment; a connection kept between requests is checked before reuse, so a restarted PostgreSQL costs one
error-free reconnect instead of a 500); and static files without their manifest (below)."""

from __future__ import annotations

from cqp.settings import *  # noqa: F403
from cqp.settings import DATABASES, STORAGES

DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The benchmark asks for pages, never for static files: `{% static %}` without the manifest spares a
# collectstatic (a minute and a half, compressing every file) on each run.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
