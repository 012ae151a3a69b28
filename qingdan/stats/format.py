"""How figures are written: shares and rates as 83.3%, changes as +16.9% or
+1.6 percentage points, and “—” where there is nothing to divide by."""

from django.utils.translation import gettext as _

DASH = "—"


def count(value) -> str:
    return DASH if value is None else f"{int(value)}"


def percent(value, digits: int = 1) -> str:
    """A fraction as a percentage: 0.8333 → '83.3%'."""
    return DASH if value is None else f"{value * 100:.{digits}f}%"


def score(value) -> str:
    return DASH if value is None else f"{value:.1f}"


def signed_percent(change) -> str:
    """A relative change: 0.169 → '+16.9%'."""
    return DASH if change is None else f"{change * 100:+.1f}%"


def signed_points(change) -> str:
    """A change of a rate, in percentage points: 0.016 → '+1.6'."""
    return DASH if change is None else f"{change * 100:+.1f}"


def growth_phrase(change) -> str:
    """'同比增长16.9%', '同比下降3.2%', '与上年同期持平', or no comparison."""
    if change is None:
        return _("no figure for the same period last year to compare with")
    value = abs(change) * 100
    if round(value, 1) == 0:
        return _("the same as the same period last year")
    if change > 0:
        return _("up %(value).1f%% year on year") % {"value": value}
    return _("down %(value).1f%% year on year") % {"value": value}


def points_phrase(change, *, score_points: bool = False) -> str:
    """'较上年同期提高1.6个百分点' (or 分 for the composite score)."""
    if change is None:
        return _("no figure for the same period last year to compare with")
    value = abs(change) if score_points else abs(change) * 100
    if round(value, 1) == 0:
        return _("the same as the same period last year")
    if score_points:
        if change > 0:
            return _("%(value).1f points higher than the same period last year") % {"value": value}
        return _("%(value).1f points lower than the same period last year") % {"value": value}
    if change > 0:
        return _("%(value).1f percentage points higher than the same period last year") % {
            "value": value
        }
    return _("%(value).1f percentage points lower than the same period last year") % {
        "value": value
    }
