"""Referential tasks."""

from __future__ import annotations

from celery import shared_task

from cqp import selectors


@shared_task
def referential_summary() -> dict[str, int]:
    """Counts of the referential as the worker's database sees it (used to check a worker's set-up)."""
    return selectors.referential_counts()
