from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import Channel
from qingdan.orgs.choices import Role


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Named groups: a run in one of these may still write; the others are finished.
ACTIVE_RUN_STATES = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})
FINISHED_RUN_STATES = frozenset({RunStatus.DONE, RunStatus.FAILED})


class ProblemKind(models.TextChoices):
    ERROR = "error", _("Error")
    SKIPPED = "skipped", _("Skipped")


class Field(models.TextChoices):
    """The fields of a hotline work order, in the order of the default sheet."""

    ORDER_NUMBER = "order_number", _("Work order number")
    RECEIVED_AT = "received_at", _("Call time")
    CONTENT = "content", _("Request")
    NAME = "name", _("Caller")
    PHONE = "phone", _("Contact phone")
    TOWN = "town", _("Town / subdistrict")
    CATEGORY = "category", _("Request type")
    URGENCY = "urgency", _("Urgency")
    DEADLINE = "deadline", _("Handling limit")
    TITLE = "title", _("Title")
    VILLAGE = "village", _("Village / community")
    ADDRESS = "address", _("Address")


# The headers hotline exports use (12345 政务服务便民热线工单).
DEFAULT_HEADERS = {
    Field.ORDER_NUMBER: "工单编号",
    Field.RECEIVED_AT: "来电时间",
    Field.CONTENT: "诉求内容",
    Field.NAME: "诉求人",
    Field.PHONE: "联系电话",
    Field.TOWN: "所属街镇",
    Field.CATEGORY: "诉求类型",
    Field.URGENCY: "紧急程度",
    Field.DEADLINE: "办理时限",
    Field.TITLE: "标题",
    Field.VILLAGE: "所属村居",
    Field.ADDRESS: "地址",
}
REQUIRED_FIELDS = frozenset({Field.ORDER_NUMBER, Field.RECEIVED_AT, Field.CONTENT, Field.TOWN})
# Columns a sheet must have (values may still be empty where the field is optional).
REQUIRED_COLUMNS = frozenset(
    {
        Field.ORDER_NUMBER,
        Field.RECEIVED_AT,
        Field.CONTENT,
        Field.NAME,
        Field.PHONE,
        Field.TOWN,
        Field.CATEGORY,
        Field.URGENCY,
        Field.DEADLINE,
    }
)
# Fields holding personal data: their values are masked in the report.
PERSONAL_FIELDS = frozenset({Field.NAME, Field.PHONE, Field.ADDRESS})

# Chinese urgency labels as hotlines write them → our urgency values.
URGENCY_LABELS = {
    "特急": "emergency",
    "紧急": "emergency",
    "特别紧急": "emergency",
    "加急": "urgent",
    "急": "urgent",
    "较急": "urgent",
    "急件": "urgent",
    "一般": "normal",
    "普通": "normal",
    "常规": "normal",
    "平件": "normal",
    "复杂": "complex",
    "疑难": "complex",
    "疑难复杂": "complex",
}

# Who may import work orders and register superior assignments: the desks that
# register cases (agents), supervisors and administrators.
IMPORT_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR})
# Who keeps the policy answer library.
POLICY_EDITOR_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR})
# The channels of people who have only a few facts at hand (quick entry).
QUICK_CHANNELS = (Channel.POLICE_REPORT, Channel.GRID_VISIT)
# The same as choices (the API schema names their enum from these).
QUICK_CHANNEL_CHOICES = [(channel.value, channel.label) for channel in QUICK_CHANNELS]
