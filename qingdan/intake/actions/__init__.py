"""The intake app's actions: the only code here that writes.

Cases are registered through `qingdan.cases.actions.register_case`, except work-order
imports, which use the batch path in `imports.register_work_orders` (see there why
and what it shares with `register_case`)."""

from .assignments import register_superior_assignment, report_completion
from .background import start_import_run
from .imports import (
    create_import_run,
    execute_import_run,
    import_sheet,
    register_work_orders,
    restart_import_run,
)
from .policy import cite_policy_answer, save_policy_answer
from .quick import quick_register
from .visits import MAX_PROBLEMS, record_enterprise_visit

__all__ = [
    "MAX_PROBLEMS",
    "cite_policy_answer",
    "create_import_run",
    "execute_import_run",
    "import_sheet",
    "quick_register",
    "record_enterprise_visit",
    "register_superior_assignment",
    "register_work_orders",
    "report_completion",
    "restart_import_run",
    "save_policy_answer",
    "start_import_run",
]
