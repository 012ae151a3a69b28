"""Every URL × every persona, with the expected allow/deny: one matrix for the project.

`MATRIX` names each route (by its name) with the personas allowed to use it. The
completeness test fails when a route is added anywhere without an entry: a new page
or API endpoint must say who may use it. Allowed personas get a normal answer;
everyone else 403/404, or a redirect to the login page when anonymous.
"""

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qingdan.cases import actions
from qingdan.cases.catalogue import CASE_ACTIONS
from qingdan.orgs.testing import PERSON, build_county
from qingdan.supervision import actions as supervision
from qingdan.triage.models import GovernanceTopic, HotTerm

PERSONAS = (
    "village_agent",
    "other_village_agent",
    "far_village_agent",
    "town_clerk",
    "other_town_clerk",
    "town_handler",
    "city_handler",
    "unrelated_handler",
    "city_supervisor",
    "city_leader",
    "analyst",
    "administrator",
    "anonymous",
)
EVERYONE = frozenset(PERSONAS)
STAFF = EVERYONE - {"anonymous"}
ADMINISTRATORS = frozenset({"administrator"})
# The test case lies in `village` of `town`, at the village tier.
SEES_CASE = frozenset(
    {"village_agent", "town_clerk", "city_supervisor", "city_leader", "analyst", "administrator"}
)
SEES_TOWN = frozenset({"town_clerk", "city_supervisor", "city_leader", "analyst", "administrator"})
MAY_REVEAL = frozenset({"town_clerk", "city_supervisor", "administrator"})
TOPIC_ROLES = frozenset({"city_supervisor", "city_leader", "analyst", "administrator"})
NOBODY: frozenset[str] = frozenset()
REGISTRARS = frozenset(
    {
        "village_agent",
        "other_village_agent",
        "far_village_agent",
        "town_clerk",
        "other_town_clerk",
        "city_supervisor",
        "city_leader",
        "administrator",
    }
)
# Desks that register cases in bulk or from superiors: agents, supervisors, administrators.
INTAKE_DESKS = frozenset(
    {
        "village_agent",
        "other_village_agent",
        "far_village_agent",
        "town_clerk",
        "other_town_clerk",
        "city_supervisor",
        "administrator",
    }
)


@dataclass(frozen=True)
class Entry:
    allow: frozenset[str]
    method: str = "get"
    # The route's arguments, filled from the fixture: "pk", or "pk=topic_pk" to fill
    # the argument `pk` with the fixture value `topic_pk`.
    kwargs: tuple[str, ...] = ()
    data: dict = field(default_factory=dict)
    statuses: frozenset[int] = frozenset({200, 302})
    json: bool = True  # API POSTs send JSON


MATRIX: dict[str, Entry] = {
    # Staff workbench
    "web:queue": Entry(STAFF),
    # Registering is for a place's desks (agents, supervisors, leaders) and the
    # administrator: one registers only where one then sees the case.
    "web:intake": Entry(REGISTRARS),
    "web:intake-questions": Entry(REGISTRARS, data={"category": 1}),
    "web:intake-check": Entry(STAFF, method="post", data={"petitioner_phone": "13812345678"}),
    "web:case": Entry(SEES_CASE, kwargs=("pk",)),
    # The case picker lists only the cases each one may see.
    "web:case-options": Entry(STAFF, data={"q": "ZY"}),
    # A note: every viewer may add one, and it does not move the case.
    "web:case-action": Entry(
        SEES_CASE,
        method="post",
        kwargs=("pk", "action"),
        data={"note": "已联系", "expected_version": 1},
    ),
    "web:reveal": Entry(MAY_REVEAL, method="post", kwargs=("pk",), data={"reason": "回访"}),
    "web:attachment": Entry(SEES_CASE, kwargs=("pk", "attachment_pk")),
    # Citizen portal
    "portal:submit": Entry(EVERYONE),
    "portal:submitted": Entry(EVERYONE),  # back to the form without a submission
    "portal:questions": Entry(EVERYONE, data={"category": 1}),
    "portal:track": Entry(EVERYONE),
    # Without a look-up (number + phone) in this browser session, nobody sees a case.
    "portal:case": Entry(NOBODY, kwargs=("tracking_number",)),
    "portal:evaluate": Entry(
        NOBODY, method="post", kwargs=("tracking_number",), data={"rating": "satisfied"}
    ),
    "portal:review": Entry(
        NOBODY, method="post", kwargs=("tracking_number",), data={"reason": "不服"}
    ),
    "login": Entry(EVERYONE),
    "logout": Entry(EVERYONE, method="post"),
    # Triage
    "triage:warnings": Entry(STAFF),
    "triage:hot-issues": Entry(STAFF),
    "triage:topics": Entry(STAFF),
    "triage:suggest": Entry(STAFF, method="post"),
    "triage:topic-create": Entry(TOPIC_ROLES),
    "triage:hot-terms": Entry(ADMINISTRATORS),
    "triage:hot-term": Entry(ADMINISTRATORS, kwargs=("pk=hot_term_pk",)),
    # Topics are public governance work: staff of the town's scope see them (their cases
    # inside stay filtered by case visibility); city bureaus' handlers see every town's.
    "triage:topic": Entry(
        SEES_TOWN | {"town_handler", "city_handler", "unrelated_handler"},
        kwargs=("pk=topic_pk",),
    ),
    "triage:related": Entry(SEES_CASE, kwargs=("pk",)),
    # An empty form: back to the page with a message.
    "triage:merge": Entry(SEES_CASE, method="post", kwargs=("pk",)),
    "triage:link": Entry(SEES_CASE, method="post", kwargs=("pk",)),
    # Statistics: every staff member; the figures count only the cases they may see.
    "stats:dashboard": Entry(STAFF),
    "stats:api-indicators": Entry(STAFF),
    "stats:results-export": Entry(STAFF),
    # The results list lists only the cases each one may see, whatever the filters.
    "stats:results": Entry(STAFF),
    "stats:api-results": Entry(STAFF),
    "stats:bulletin-pdf": Entry(STAFF),
    # Open311 GeoReport v2: public by the spec; requests POST needs an api_key (tested in
    # qingdan/open311). Only cases created through Open311 are shown, never this one.
    "open311:discovery": Entry(EVERYONE, kwargs=("fmt",)),
    "open311:services": Entry(EVERYONE, kwargs=("fmt",)),
    "open311:service": Entry(EVERYONE, kwargs=("code=category_code", "fmt")),
    "open311:requests": Entry(EVERYONE, kwargs=("fmt",)),
    "open311:request": Entry(NOBODY, kwargs=("request_id=tracking_number", "fmt")),
    "open311:token": Entry(NOBODY, kwargs=("token=tracking_number", "fmt")),
    # Intake pages (qingdan/intake): lists are filtered by visibility inside the page.
    "intake:imports": Entry(INTAKE_DESKS),
    "intake:assignment-new": Entry(INTAKE_DESKS),
    "intake:visits": Entry(STAFF),
    "intake:visit-new": Entry(REGISTRARS),
    "intake:policy": Entry(STAFF),
    "intake:policy-new": Entry(frozenset({"city_supervisor", "city_leader", "administrator"})),
    "intake:assignments": Entry(STAFF),
    "intake:quick": Entry(REGISTRARS),
    # Pages of one import, visit, answer or assignment: no such object in this fixture, so
    # nobody reaches one; who may see an existing one is tested in qingdan/intake/tests.
    **{
        f"intake:{name}": Entry(NOBODY, method=method, kwargs=("pk=missing_pk",))
        for name, method in (
            ("import-run", "get"),
            ("import-progress", "get"),
            ("import-report", "get"),
            ("import-restart", "post"),
            ("visit", "get"),
            ("policy-edit", "get"),
            ("policy-cite", "post"),
            ("assignment-report", "get"),
        )
    },
    # Intake through the API: the assignments one may see (the test case is not one, so
    # nobody reaches it or reports on it); quick entry for the place desks, an empty
    # body a refusal naming the fields (others are refused before it is read).
    "api:intake-assignment-list": Entry(STAFF),
    "api:intake-assignment-detail": Entry(NOBODY, kwargs=("tracking_number",)),
    "api:intake-assignment-completion-report": Entry(
        NOBODY, method="post", kwargs=("tracking_number",)
    ),
    "api:intake-quick-list": Entry(REGISTRARS, method="post", statuses=frozenset({400})),
    # REST API (qingdan/api): lists are filtered by visibility, so every staff member
    # gets 200; a case one may not see is a 404.
    "api:api-root": Entry(STAFF),
    # The schema and its documentation page are public, as for any published API.
    "api:schema": Entry(EVERYONE),
    "api:docs": Entry(EVERYONE),
    "api:case-list": Entry(STAFF),
    "api:case-search": Entry(STAFF, method="post", data={"q": "路灯"}),
    "api:statistics": Entry(STAFF),  # counts only the cases each one may see
    "api:results": Entry(STAFF),
    "api:case-detail": Entry(SEES_CASE, kwargs=("tracking_number",)),
    "api:case-timeline": Entry(SEES_CASE, kwargs=("tracking_number",)),
    "api:case-reveal": Entry(
        MAY_REVEAL, method="post", kwargs=("tracking_number",), data={"reason": "回访"}
    ),
    "api:case-attachments": Entry(
        SEES_CASE, method="post", kwargs=("tracking_number",), statuses=frozenset({400}), json=False
    ),
    "api:petitioner-list": Entry(STAFF),
    "api:petitioner-detail": Entry(SEES_CASE, kwargs=("pk=petitioner_pk",)),
    "api:jurisdiction-list": Entry(STAFF),
    "api:jurisdiction-detail": Entry(
        SEES_CASE | {"town_handler", "city_handler", "unrelated_handler"},
        kwargs=("code=village_code",),
    ),
    "api:department-list": Entry(STAFF),
    # A town office: its town's staff and the city; villages route through the town.
    "api:department-detail": Entry(
        STAFF - {"village_agent", "other_village_agent", "far_village_agent", "other_town_clerk"},
        kwargs=("code=town_office_code",),
    ),
    "api:category-list": Entry(STAFF),
    "api:category-detail": Entry(STAFF, kwargs=("code=category_code",)),
    # Workflow actions: whoever sees the case reaches it; with a stale version the answer
    # is a refusal (400 missing fields, 403 no right, 409 conflict) and nothing changes.
    # Which persona may do which action is tested in qingdan/cases/tests/test_transitions.py.
    **{
        f"api:case-{spec.path}": Entry(
            SEES_CASE,
            method="post",
            kwargs=("tracking_number",),
            data={"version": 999},
            statuses=frozenset({400, 403, 409}),
        )
        for spec in CASE_ACTIONS
        if not spec.multipart  # attachments: above
    },
}
# Supervision (qingdan/supervision): the fixture has a notice to the village on the test
# case, the case owned by city_leader, and a town meeting with a task for town_clerk.
# Empty POSTs: allowed personas get the form back with errors (400), others 403/404.
OVERSEERS = frozenset({"city_supervisor", "city_leader", "administrator"})
SEES_TOWN_MEETING = STAFF - {"far_village_agent", "other_town_clerk"}
MATRIX.update(
    {
        "supervision:board": Entry(STAFF),
        "supervision:meetings": Entry(STAFF),
        "supervision:notice-issue": Entry(OVERSEERS, method="post", statuses=frozenset({400})),
        "supervision:notice-reply": Entry(
            frozenset({"village_agent", "administrator"}),
            method="post",
            kwargs=("pk=notice_pk",),
            statuses=frozenset({400}),
        ),
        "supervision:key-case-assign": Entry(OVERSEERS, method="post", statuses=frozenset({400})),
        "supervision:key-case-release": Entry(OVERSEERS, method="post", kwargs=("pk=key_case_pk",)),
        "supervision:meeting": Entry(SEES_TOWN_MEETING, kwargs=("pk=meeting_pk",)),
        "supervision:meeting-agenda": Entry(OVERSEERS, method="post", kwargs=("pk=meeting_pk",)),
        "supervision:meeting-minutes": Entry(
            OVERSEERS, method="post", kwargs=("pk=meeting_pk",), statuses=frozenset({400})
        ),
        "supervision:meeting-decision": Entry(
            OVERSEERS, method="post", kwargs=("pk=meeting_pk",), statuses=frozenset({400})
        ),
        "supervision:decision-done": Entry(
            OVERSEERS | {"town_clerk"},
            method="post",
            kwargs=("pk=decision_pk",),
            statuses=frozenset({400}),
        ),
        # The same through the API: lists filtered like the board; a POST the action's
        # rule refuses is a 403 before its (empty) body is read, which the allowed get
        # back as a 400. The POSTs on the lists (issue, name a leader, convene) share
        # their list's route; who may take them is in supervision/tests/test_catalogue.py.
        "api:supervision-notice-list": Entry(STAFF),
        "api:supervision-notice-detail": Entry(SEES_CASE, kwargs=("pk=notice_pk",)),
        "api:supervision-notice-reply": Entry(
            frozenset({"village_agent", "administrator"}),
            method="post",
            kwargs=("pk=notice_pk",),
            statuses=frozenset({400}),
        ),
        "api:supervision-key-case-list": Entry(STAFF),
        "api:supervision-key-case-detail": Entry(SEES_CASE, kwargs=("pk=key_case_pk",)),
        # The first overseer ends the ownership; the next ones are told it already ended.
        "api:supervision-key-case-release": Entry(
            OVERSEERS, method="post", kwargs=("pk=key_case_pk",), statuses=frozenset({200, 409})
        ),
        "api:supervision-meeting-list": Entry(STAFF),
        "api:supervision-meeting-detail": Entry(SEES_TOWN_MEETING, kwargs=("pk=meeting_pk",)),
        "api:supervision-meeting-agenda": Entry(
            OVERSEERS, method="post", kwargs=("pk=meeting_pk",), statuses=frozenset({200})
        ),
        **{
            f"api:supervision-meeting-{name}": Entry(
                OVERSEERS, method="post", kwargs=("pk=meeting_pk",), statuses=frozenset({400})
            )
            for name in ("minutes", "decisions")
        },
        "api:supervision-decision-list": Entry(STAFF),
        "api:supervision-decision-detail": Entry(SEES_TOWN_MEETING, kwargs=("pk=decision_pk",)),
        "api:supervision-decision-done": Entry(
            OVERSEERS | {"town_clerk"},
            method="post",
            kwargs=("pk=decision_pk",),
            statuses=frozenset({400}),
        ),
    }
)
# Documents (qingdan/documents): the list filters by what one may see; the form to issue a
# kind on the test case is shown to whoever sees the case (it says when the kind is not
# offered); an empty print request is a form with errors. No document exists in this
# fixture: who reaches an existing one is tested in qingdan/documents/tests.
MATRIX.update(
    {
        "documents:index": Entry(STAFF),
        "documents:batch": Entry(STAFF, method="post", statuses=frozenset({400})),
        "documents:new": Entry(SEES_CASE, kwargs=("subject=document_subject", "pk", "kind")),
        **{
            f"documents:{name}": Entry(NOBODY, method=method, kwargs=("pk=missing_pk",))
            for name, method in (
                ("detail", "get"),
                ("download", "get"),
                ("service", "post"),
                ("correct", "post"),
            )
        },
        "documents:proof": Entry(NOBODY, kwargs=("pk=missing_pk", "service_pk=missing_pk")),
        "portal:document": Entry(NOBODY, kwargs=("tracking_number", "pk=missing_pk")),
        "api:document-list": Entry(STAFF),
        # Without a subject: a refusal that names the field.
        "api:document-issue": Entry(STAFF, method="post", statuses=frozenset({400})),
        "api:document-preview": Entry(STAFF, method="post", statuses=frozenset({400})),
        **{
            f"api:document-{name}": Entry(NOBODY, method=method, kwargs=("pk=missing_pk",))
            for name, method in (
                ("detail", "get"),
                ("download", "get"),
                ("service", "post"),
                ("correct", "post"),
            )
        },
    }
)
# Django's own: the admin guards itself (tested below), the language switch is public.
EXEMPT_PREFIXES = ("admin:", "set_language")


def route_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.media = tempfile.mkdtemp()
        cls.case = actions.register_case(
            org.village_agent,
            channel="walk_in",
            title="路灯坏了",
            content="村口路灯不亮",
            jurisdiction=org.village,
            petitioner=dict(PERSON),
        )
        with override_settings(MEDIA_ROOT=cls.media):
            upload = SimpleUploadedFile("现场.txt", "路灯照片说明".encode())
            attachment = actions.add_attachment(org.village_agent, cls.case, file=upload)
        hot_term = HotTerm.objects.create(term="讨薪", level="high")
        topic = GovernanceTopic.objects.create(
            title="路灯整治",
            owner=org.town_clerk,
            created_by=org.town_clerk,
            jurisdiction=org.town,
            due_date=dt.date(2026, 12, 31),
        )
        notice = supervision.issue_notice(
            org.city_supervisor, cls.case, reason="请回复", reply_within=dt.timedelta(days=3)
        )
        key_case = supervision.assign_leader(org.city_supervisor, cls.case, leader=org.city_leader)
        meeting = supervision.convene_meeting(
            org.city_supervisor,
            jurisdiction=org.town,
            title="联席会议",
            held_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
        )
        decision = supervision.add_decision(
            org.city_supervisor,
            meeting,
            text="跟踪",
            owners=[org.town_clerk],
            due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )
        cls.values = {
            "notice_pk": notice.pk,
            "key_case_pk": key_case.pk,
            "meeting_pk": meeting.pk,
            "decision_pk": decision.pk,
            "pk": cls.case.pk,
            "action": "note",
            "attachment_pk": attachment.pk,
            "tracking_number": cls.case.tracking_number,
            "hot_term_pk": hot_term.pk,
            "topic_pk": topic.pk,
            "petitioner_pk": cls.case.petitioner_id,
            "village_code": org.village.code,
            "town_office_code": org.town_office.code,
            "category_code": org.construction.code,
            "fmt": "json",
            "missing_pk": 999999,
            "document_subject": "case",
            "kind": "acceptance",
        }

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    def route_kwargs(self, entry: Entry) -> dict:
        pairs = (item.partition("=") for item in entry.kwargs)
        return {name: self.values[source or name] for name, _sep, source in pairs}

    def request(self, name: str, entry: Entry, url: str):
        send = getattr(self.client, entry.method)
        if entry.method == "post" and entry.json and name.startswith("api:"):
            return send(url, entry.data, content_type="application/json")
        return send(url, entry.data)

    def login_as(self, persona: str) -> None:
        cache.clear()
        self.client.logout()
        if persona != "anonymous":
            self.client.force_login(getattr(self.org, persona))

    def test_every_route_has_an_entry(self):
        missing = sorted(
            name
            for name in route_names()
            if not name.startswith(EXEMPT_PREFIXES) and name not in MATRIX
        )
        self.assertEqual(missing, [], "add these routes to MATRIX with who may use them")

    def test_matrix(self):
        with override_settings(MEDIA_ROOT=self.media):
            for name, entry in sorted(MATRIX.items()):
                url = reverse(name, kwargs=self.route_kwargs(entry))
                for persona in PERSONAS:
                    with self.subTest(route=name, persona=persona):
                        self.login_as(persona)
                        response = self.request(name, entry, url)
                        status = response.status_code
                        if persona in entry.allow:
                            self.assertIn(status, entry.statuses)
                        elif persona == "anonymous":
                            self.assertIn(status, {302, 401, 403, 404})
                            if status == 302:
                                self.assertIn("/accounts/login/", response["Location"])
                        else:
                            self.assertIn(status, {403, 404})

    def test_admin_is_for_administrators_only(self):
        for persona in PERSONAS:
            self.login_as(persona)
            status = self.client.get("/admin/cases/case/").status_code
            self.assertEqual(status, 200 if persona == "administrator" else 302, persona)
