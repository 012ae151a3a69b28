"""Supervision's periodic jobs, run by `qingdan worker`: one module a job."""

from . import deadline_breaches, late_notices, meeting_tasks

__all__ = ["deadline_breaches", "late_notices", "meeting_tasks"]
