"""The runner: the jobs the apps declare, found without naming an app, run in order;
a failing job logged and the pass going on; stopping; polling between passes."""

import threading

from django.test import SimpleTestCase

from qingdan.core.jobs import Job, JobContext, PassReport

from ..worker import Worker, discover


def counting(counter: str):
    def run(ctx: JobContext) -> None:
        ctx.report.add(counter)

    return run


def broken(ctx: JobContext) -> None:
    raise RuntimeError("job bug")


class DiscoveryTests(SimpleTestCase):
    def test_each_app_declares_its_jobs_and_the_runner_finds_them_in_order(self):
        jobs = discover()
        self.assertEqual(
            [(job.name, job.run.__module__) for job in jobs],
            [
                ("intake analysis", "qingdan.triage.jobs"),
                ("deadline breaches", "qingdan.supervision.jobs.deadline_breaches"),
                ("late notices", "qingdan.supervision.jobs.late_notices"),
                ("co-handling opinions", "qingdan.supervision.jobs.co_opinions"),
                ("meeting tasks", "qingdan.supervision.jobs.meeting_tasks"),
                ("unserved answers", "qingdan.documents.jobs"),
                ("notifications", "qingdan.notifications.jobs"),
                ("statistics rollup", "qingdan.stats.jobs"),  # last in a pass
            ],
        )
        self.assertEqual([job.name for job in Worker().jobs], [job.name for job in jobs])

    def test_the_report_keeps_every_counter_of_the_pass(self):
        report = PassReport(discover())
        for name in (
            "candidates", "acted", "warnings", "overdue", "escalated", "late_notices",
            "decisions", "sent", "retried", "failed", "analysed", "statistics_seconds",
        ):  # fmt: skip
            self.assertEqual(getattr(report, name), 0, name)
        self.assertEqual((report.errors, report.error_items, report.seconds), (0, [], 0.0))
        with self.assertRaises(AttributeError):
            report.no_such_counter  # noqa: B018
        report.add("overdue", 2)
        self.assertIn("2 overdue", report.summary())
        self.assertEqual(report.as_dict()["overdue"], 2)


class PassTests(SimpleTestCase):
    def test_a_failing_job_is_logged_and_the_pass_goes_on(self):
        jobs = [
            Job("first", 1, counting("done"), counters=("done",), summary="{done} done"),
            Job("broken", 2, broken),
            Job("last", 3, counting("done")),
        ]
        with self.assertLogs("qingdan.worker", level="ERROR") as logs:
            report = Worker(jobs=jobs).run_once()
        self.assertEqual((report.done, report.errors, report.error_items), (2, 1, ["broken"]))
        self.assertIn("job bug", logs.output[0])
        self.assertTrue(report.summary().startswith("2 done; 1 errors; "))

    def test_jobs_run_in_the_order_given_with_one_time_and_the_worker_options(self):
        seen = []

        def record(ctx: JobContext) -> None:
            seen.append((ctx.now, ctx.batch_size, ctx.on_claimed))

        hook = object()
        worker = Worker(jobs=[Job("a", 1, record), Job("b", 2, record)], batch_size=7)
        worker.on_claimed = hook
        worker.run_once()
        self.assertEqual(len(seen), 2)
        self.assertEqual(seen[0], seen[1])
        self.assertEqual(seen[0][1:], (7, hook))

    def test_stop_finishes_the_item_at_hand(self):
        done = []
        worker = Worker(jobs=[])

        def work(item: int) -> None:
            done.append(item)
            worker.request_stop()  # as the SIGTERM handler does

        def job(ctx: JobContext) -> None:
            ctx.each(range(5), work, label="item {}")

        worker.jobs = [Job("items", 1, job)]
        worker.run_once()
        self.assertEqual(done, [0])

    def test_one_failing_item_is_named_and_the_others_done(self):
        done = []

        def work(item: int) -> None:
            if item == 1:
                raise ValueError("bad item")
            done.append(item)

        def job(ctx: JobContext) -> None:
            ctx.each(range(3), work, label="item {}")

        with self.assertLogs("qingdan.worker", level="ERROR"):
            report = Worker(jobs=[Job("items", 1, job)]).run_once()
        self.assertEqual((done, report.error_items), ([0, 2], ["item 1"]))

    def test_polled_jobs_also_run_between_passes(self):
        runs = {"pass": 0, "polled": 0}
        worker = Worker(jobs=[])

        def each_pass(ctx: JobContext) -> None:
            runs["pass"] += 1

        def polled(ctx: JobContext) -> None:
            runs["polled"] += 1
            if runs["polled"] >= 3:
                worker.request_stop()

        worker.jobs = [
            Job("polled", 1, polled, poll_seconds=lambda: 0.01),
            Job("each pass", 2, each_pass),
        ]
        thread = threading.Thread(target=worker.run, kwargs={"interval": 60})
        thread.start()
        thread.join(20)
        self.assertFalse(thread.is_alive())
        # One pass (both jobs), then the polled job alone until it asked to stop.
        self.assertEqual(runs, {"pass": 1, "polled": 3})
