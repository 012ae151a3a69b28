"""The results list (成果清单) as a spreadsheet: every problem registered in the
period that the user may see, what was done, by whom, when, and the petitioner's
rating. Personal data are masked (the petitioner's name only, as
`Petitioner.masked_name`; no ID number, phone or address; the problem and what was done
through `qingdan.core.pii` with the petitioner's own values). Streams rows (openpyxl
write-only mode) so a large period does not fill the memory."""

import io

from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qingdan.cases.choices import (
    OPEN_STATES,
    Channel,
    LegalChannel,
    Rating,
    ReplyOpinion,
    State,
    Tier,
)
from qingdan.cases.models import Case, CoHandling
from qingdan.core import pii
from qingdan.core.characters import strip_illegal
from qingdan.orgs.models import Jurisdiction

from .periods import Period
from .results import VISIT, ResultsFilter

CHUNK = 2000
TIER_LEVEL: dict[str, str] = {Tier.VILLAGE: "village", Tier.TOWN: "town", Tier.CITY: "city"}


def columns() -> list[tuple[str, int]]:
    return [
        (pgettext("results list", "No."), 6),
        (pgettext("results list", "Tracking number"), 18),
        (pgettext("results list", "Registered on"), 12),
        (pgettext("results list", "Place"), 16),
        (pgettext("results list", "Category"), 14),
        (pgettext("results list", "Channel"), 14),
        (pgettext("results list", "Problem"), 40),
        (pgettext("results list", "Petitioner"), 12),
        (pgettext("results list", "State"), 10),
        (pgettext("results list", "Handling tier"), 8),
        (pgettext("results list", "Handled by"), 22),
        (pgettext("results list", "Co-handling units"), 22),
        (pgettext("results list", "Outcome"), 14),
        (pgettext("results list", "What was done"), 50),
        (pgettext("results list", "Answered on"), 12),
        (pgettext("results list", "Closed on"), 12),
        (pgettext("results list", "On time"), 8),
        (pgettext("results list", "Petitioner's rating"), 12),
    ]


def _date(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else ""


def _handled_by(case: Case, places: dict[int, Jurisdiction]) -> str:
    if case.lead_unit_id:
        return str(case.lead_unit)
    node = places.get(case.jurisdiction_id)
    while node is not None and node.level != TIER_LEVEL.get(case.tier, node.level):
        node = places.get(node.parent_id) if node.parent_id else None
    return node.name if node is not None else ""


def _outcome(case: Case) -> tuple[str, str]:
    """(outcome, what was done)."""
    if case.state == State.NOT_ACCEPTED:
        return str(State.NOT_ACCEPTED.label), case.not_accepted_reason
    if case.state == State.DIVERTED:
        channel = _label(LegalChannel, case.legal_channel)
        return str(State.DIVERTED.label), f"{channel}：{case.diversion_help}".strip("：")
    if case.reply_opinion:
        return _label(ReplyOpinion, case.reply_opinion), case.reply_text
    if case.state in OPEN_STATES:
        return _("Being handled"), ""
    return _label(State, case.state), ""


def _text_cell(sheet, value) -> WriteOnlyCell:
    if isinstance(value, str):
        # A cell cannot hold a control character (openpyxl refuses it): rows stored
        # before intake refused them must still export.
        value = strip_illegal(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Text the public typed stays text: “=HYPERLINK(…)” must not become a formula.
        cell.data_type = "s"
    return cell


def results_cases(user, period: Period, filters: ResultsFilter | None = None):
    cases = Case.objects.visible_to(user).filter(
        registered_at__gte=period.start, registered_at__lt=period.end
    )
    return (
        (filters or ResultsFilter())
        .apply(cases)
        .select_related(
            "category", "lead_unit__jurisdiction", "petitioner", "jurisdiction", "visit_problem"
        )
        .prefetch_related(
            Prefetch(
                "co_handlings",
                queryset=CoHandling.objects.select_related("department__jurisdiction"),
            )
        )
        .order_by("registered_at", "pk")
    )


def new_sheet(book, title: str, titles: list[tuple[str, int]]):
    """A sheet with its header row (bold, shaded, frozen) and column widths."""
    sheet = book.create_sheet(title)
    header_font, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    for index, (_title, width) in enumerate(titles, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name, _width in titles:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = header_font, fill
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    sheet.append(header)
    return sheet


def results_workbook(user, period: Period, filters: ResultsFilter | None = None) -> bytes:
    places = {j.pk: j for j in Jurisdiction.objects.only("name", "level", "parent_id")}
    book = Workbook(write_only=True)
    sheet = new_sheet(book, _("Results list %(period)s") % {"period": period.code}, columns())
    cases = results_cases(user, period, filters)
    for number, case in enumerate(cases.iterator(chunk_size=CHUNK), 1):
        outcome, done = _outcome(case)
        masker = pii.Masker.for_petitioner(case.petitioner)
        on_time = (
            "" if case.closed_on_time is None else (_("yes") if case.closed_on_time else _("no"))
        )
        row = [
            number,
            case.tracking_number,
            _date(case.registered_at),
            places[case.jurisdiction_id].name if case.jurisdiction_id in places else "",
            case.category.name if case.category else "",
            _label(Channel, case.channel),
            masker(case.title),
            case.petitioner.masked_name if case.petitioner else "",
            _label(State, case.state),
            _label(Tier, case.tier),
            _handled_by(case, places),
            "、".join(str(co.department) for co in case.co_handlings.all()),
            outcome,
            masker(done),
            _date(case.replied_at or case.closed_at),
            _date(case.closed_at),
            on_time,
            _label(Rating, case.rating),
        ]
        sheet.append([_text_cell(sheet, value) for value in row])
    visit_sheet(book, cases, places)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the enterprise visits' sheet (关企面对面: 企业点题、部门答题、落实推动、企业评价) -------


def visit_columns() -> list[tuple[str, int]]:
    return [
        (pgettext("results list", "No."), 6),
        (pgettext("results list", "Visited on"), 12),
        (pgettext("results list", "Enterprise"), 24),
        (pgettext("results list", "Tracking number"), 18),
        (pgettext("results list", "The enterprise's question"), 40),
        (pgettext("results list", "The department's answer"), 50),
        (pgettext("results list", "Follow-through"), 30),
        (pgettext("results list", "The enterprise's rating"), 12),
    ]


def _follow_through(case: Case) -> str:
    """落实推动: where the problem stands, and since when."""
    state = _label(State, case.state)
    if case.closed_at:
        on_time = {None: "", True: _("on time"), False: _("late")}[case.closed_on_time]
        return f"{state} {_date(case.closed_at)} {on_time}".strip()
    if case.replied_at:
        return f"{state} {_date(case.replied_at)}"
    due = _("due %(date)s") % {"date": _date(case.due_at)} if case.due_at else ""
    return f"{state} {due}".strip()


def visit_sheet(book, cases, places: dict[int, Jurisdiction]) -> None:
    """One row per problem raised on an enterprise visit, visit by visit, in the
    customs' 关企面对面 layout; no sheet when no visit's problem is listed."""
    problems = (
        cases.filter(**{f"{VISIT}__isnull": False})
        .annotate(visited_on=F(f"{VISIT}__visited_on"))
        .order_by("visited_on", f"{VISIT}_id", "visit_problem__position")
    )
    if not problems.exists():
        return
    sheet = new_sheet(book, _("Enterprise visits"), visit_columns())
    for number, case in enumerate(problems.iterator(chunk_size=CHUNK), 1):
        outcome, done = _outcome(case)
        answer = f"{_handled_by(case, places)}：{outcome} {done}".strip()
        row = [
            number,
            case.visited_on.isoformat(),
            case.petitioner.masked_name if case.petitioner else "",
            case.tracking_number,
            case.content,
            answer,
            _follow_through(case),
            _label(Rating, case.rating),
        ]
        sheet.append([_text_cell(sheet, value) for value in row])
