"""Rendering and checking the parts of a document an administrator may change: the
fixed paragraphs (small Django templates) and the 文号 pattern.

Paragraphs are rendered by an engine of their own, with no loaders and no tag
libraries beyond Django's built-ins: `{% include %}`, `{% extends %}` and `{% load %}`
cannot reach files, and a paragraph that names a variable its kind does not offer is
refused when saved (it would print nothing).
"""

import datetime as dt
import string

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import VariableNode
from django.utils import timezone
from django.utils.translation import gettext as _

from .defaults import NUMBER_PLACEHOLDERS, NUMBER_REQUIRED, PARAGRAPHS

ENGINE = Engine(loaders=[], autoescape=False, libraries={})
SAMPLE_VALUES = {
    "petitioner": "张某某",
    "title": "村口路灯不亮",
    "tracking_number": "ZY-2026-000001",
    "received": "2026年11月2日",
    "body": "玲珑镇人民政府",
    "accepted": "2026年11月3日",
    "days": 60,
    "due": "2027年1月2日",
    "reason": "该事项已经受理且正在办理期限内。",
    "channel": "人民法院提起诉讼",
    "help": "已协助准备起诉材料。",
    "routed": "2026年11月4日",
    "how": "交",
    "unit": "玲珑镇综治办",
    "approved_by": "王镇长",
    "original_body": "玲珑镇人民政府",
    "review_body": "招远市信访局",
    "answerer": "玲珑镇综治办",
    "assigned": "2026年11月1日",
    "reference": "烟信交〔2026〕8号",
    "held": "2026年12月1日",
    "convener": "李书记",
    "place": "玲珑镇",
}


class TemplateProblem(ValueError):
    """A paragraph or pattern that cannot be rendered; the message says why."""


def check_paragraph(key: str, text: str) -> str:
    """Render `text` as paragraph `key` with sample values; return the result or raise
    TemplateProblem with the reason."""
    if key not in PARAGRAPHS:
        raise TemplateProblem(_("There is no fixed paragraph “%(key)s”.") % {"key": key})
    allowed = set(PARAGRAPHS[key].variables)
    try:
        template = ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise TemplateProblem(_("The text cannot be read: %(error)s") % {"error": error}) from error
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        var = getattr(getattr(node, "filter_expression", None), "var", None)
        var = getattr(var, "var", None)
        name = var.split(".")[0] if isinstance(var, str) else None
        if name is not None and name not in allowed:
            raise TemplateProblem(
                _("“%(name)s” is not a value this paragraph offers (it offers: %(allowed)s).")
                % {"name": name, "allowed": ", ".join(sorted(allowed))}
            )
    try:
        rendered = render_paragraph_text(text, SAMPLE_VALUES)
    except Exception as error:  # noqa: BLE001 - any failure to render is the reason shown
        raise TemplateProblem(
            _("The text fails to render: %(error)s") % {"error": error}
        ) from error
    if any(mark in rendered for mark in ("{{", "}}", "{%", "%}")):
        # Django prints a half-written placeholder as it is; the document would too.
        raise TemplateProblem(_("The text cannot be read: a placeholder or a tag is left open."))
    return rendered


def render_paragraph_text(text: str, values: dict) -> str:
    return ENGINE.from_string(text).render(Context(values, autoescape=False)).strip()


def check_number_pattern(pattern: str) -> str:
    """Format the pattern with sample values; return the sample or raise TemplateProblem."""
    try:
        names = [name for _lit, name, _spec, _conv in string.Formatter().parse(pattern) if name]
    except ValueError as error:
        raise TemplateProblem(
            _("The pattern cannot be read: %(error)s") % {"error": error}
        ) from error
    unknown = [name for name in names if name not in NUMBER_PLACEHOLDERS]
    if unknown:
        raise TemplateProblem(
            _("Unknown placeholder {%(name)s}; use %(allowed)s.")
            % {"name": unknown[0], "allowed": ", ".join(f"{{{n}}}" for n in NUMBER_PLACEHOLDERS)}
        )
    missing = [name for name in NUMBER_REQUIRED if name not in names]
    if missing:
        raise TemplateProblem(
            _("The pattern needs {%(name)s}: numbers restart every year.") % {"name": missing[0]}
        )
    try:
        return format_number(pattern, abbr="招", kind_abbr="复", year=2026, number=15)
    except (ValueError, IndexError, KeyError) as error:
        raise TemplateProblem(
            _("The pattern fails to render: %(error)s") % {"error": error}
        ) from error


def format_number(pattern: str, *, abbr: str, kind_abbr: str, year: int, number) -> str:
    """招信受〔2026〕15号; `number` may be a placeholder string in a preview."""
    return pattern.format(abbr=abbr, kind_abbr=kind_abbr, year=year, number=number)


def short_date(value: dt.date | dt.datetime | None) -> str:
    """2026年11月2日: dates inside the text (the signature date is in Chinese numerals)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"
