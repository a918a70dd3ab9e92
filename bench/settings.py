"""Settings of the load benchmark's server: the project's, read from the environment as in production (persistent
connections with health checks by default), with static files without their manifest: the benchmark asks for pages,
never for static files, and `{% static %}` without the manifest spares a collectstatic on each run (a minute and a
half, compressing every file)."""

from __future__ import annotations

from cqp.settings import *  # noqa: F403
from cqp.settings import STORAGES

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
