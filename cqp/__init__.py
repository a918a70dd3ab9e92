"""CQP Manager: the project package and the referential app."""

from __future__ import annotations

# Celery's app must be loaded with Django so that @shared_task binds to it.
from cqp.celery import app as celery_app

__all__ = ("celery_app",)
