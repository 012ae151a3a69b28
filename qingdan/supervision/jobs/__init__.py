"""Supervision's periodic jobs, run by `qingdan worker`: one module a job."""

from . import co_opinions, deadline_breaches, late_notices, meeting_tasks

__all__ = ["co_opinions", "deadline_breaches", "late_notices", "meeting_tasks"]
