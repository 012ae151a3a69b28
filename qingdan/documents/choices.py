from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    """The official documents (文书) Qingdan drafts; `kinds.KINDS` says when each is
    offered, who issues it and what it draws on."""

    ACCEPTANCE = "acceptance", _("Acceptance notice (受理告知书)")
    NON_ACCEPTANCE = "non_acceptance", _("Non-acceptance notice (不予受理告知书)")
    TRANSFER_NOTICE = "transfer_notice", _("Transfer or assignment notice (转送/交办告知书)")
    ASSIGNMENT_SLIP = "assignment_slip", _("Assignment slip to the unit (交办单/转办单)")
    EXTENSION_NOTICE = "extension_notice", _("Extension notice (延期告知书)")
    REPLY = "reply", _("Written answer (答复意见书)")
    REVIEW_OPINION = "review_opinion", _("Review opinion (复查意见书)")
    RE_REVIEW_OPINION = "re_review_opinion", _("Re-review opinion (复核意见书)")
    SUPERVISION_SLIP = "supervision_slip", _("Supervision notice (督办单)")
    COMPLETION_REPORT = "completion_report", _("Completion report (办结报告)")
    MEETING_MINUTES = "meeting_minutes", _("Joint meeting minutes (联席会议纪要)")
    CLOSURE_AGREEMENT = "closure_agreement", _("Closure agreement (息诉罢访协议书)")
    SERVICE_RECEIPT = "service_receipt", _("Service receipt (送达回证)")


class Subject(models.TextChoices):
    """What a document is about: the object it is issued on."""

    CASE = "case", _("Case")
    NOTICE = "notice", _("Supervision notice")
    MEETING = "meeting", _("Joint meeting")
    DOCUMENT = "document", _("Issued document")


class ServiceMethod(models.TextChoices):
    """How a document was served (送达方式)."""

    IN_PERSON = "in_person", _("In person (当面送达)")
    POST = "post", _("By post (邮寄送达)")
    SMS = "sms", _("By text message (短信送达)")
    ELECTRONIC = "electronic", _("Electronically (电子送达)")
    LEFT_AT_ADDRESS = "left", _("Left at the address (留置送达)")
    PUBLIC_NOTICE = "public_notice", _("By public notice (公告送达)")


class Audience(models.TextChoices):
    """To whom a kind is addressed."""

    PETITIONER = "petitioner", _("The petitioner")
    UNIT = "unit", _("The handling unit")
    SUPERIOR = "superior", _("The assigning superior body")
    MEETING = "meeting", _("The meeting's participants")
    RECIPIENT = "recipient", _("The recipient of the served document")
