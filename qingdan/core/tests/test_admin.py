"""One read-only admin class for every model that changes only through actions."""

from django.contrib import admin
from django.test import RequestFactory, TestCase

from qingdan.cases.models import Case, CaseEvent, PersonalDataAccess, Petitioner
from qingdan.core.admin import ReadOnlyAdmin
from qingdan.deadlines.models import ClockPause, DeadlineAlert
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import build_county
from qingdan.supervision.models import JointMeeting, KeyCase, SupervisionNotice
from qingdan.triage.models import GovernanceTopic

READ_ONLY = [Case, Petitioner, PersonalDataAccess, DeadlineAlert, ClockPause]
READ_ONLY += [SupervisionNotice, KeyCase, JointMeeting]
# Not added or changed in the admin, but an administrator may clear them away.
DELETABLE = [OutboxMessage, GovernanceTopic]


class ReadOnlyAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_read_only_models_use_the_one_class(self):
        request = RequestFactory().get("/admin/")
        request.user = self.org.administrator  # a superuser: every permission but these
        for model in READ_ONLY + DELETABLE:
            model_admin = admin.site._registry[model]
            with self.subTest(model=model.__name__):
                self.assertIsInstance(model_admin, ReadOnlyAdmin)
                self.assertFalse(model_admin.has_add_permission(request))
                self.assertFalse(model_admin.has_change_permission(request))
                self.assertTrue(model_admin.has_view_permission(request))
                self.assertEqual(model_admin.has_delete_permission(request), model in DELETABLE)
        events = admin.site._registry[Case].get_inline_instances(request)
        self.assertTrue(any(inline.model is CaseEvent for inline in events))
        for inline in events:
            self.assertFalse(inline.has_add_permission(request, None))
            self.assertFalse(inline.has_change_permission(request))
