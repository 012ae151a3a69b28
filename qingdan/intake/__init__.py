"""Intake at scale: 12345 work-order import, enterprise visits, the policy answer
library, superior assignments with their completion reports, and quick entry for
police reports and grid visits.

Cases are registered through `qingdan.cases.actions.register_case`, with one
exception: importing work orders. 100,000 rows must import in under a minute and
`register_case` costs some 25 queries a case, so `actions.imports` registers each
batch of rows in one transaction through `register_work_orders`, which reuses the
registration rules instead of restating them: `_clean_petitioner` (name and phone
checks), `initial_tier`, `TITLE_MAX`/`CONTENT_MAX`, `next_tracking_numbers` (a block
of tracking numbers per batch from the same counter or sequence),
`deadlines.services.recompute_due_times` for every case, the petitioner matching of
`find_or_create_petitioner` (same phone and name), one REGISTER `CaseEvent` per
case, art. 19 for callers already known (`flag_raised_higher_many`), and the
registration listeners (`cases.listeners.tell_registered_many`: triage queues the
intake analysis of every case, which `qingdan worker` runs). Rows go in through one
prepared statement per table (`qingdan.core.bulk`).
"""
