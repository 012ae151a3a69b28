from django import template

from qingdan.triage.filters import KIND_CHOICES
from qingdan.triage.hotterms import highlight

register = template.Library()


@register.filter(name="hot_terms")
def hot_terms_filter(text):
    """{{ case.content|hot_terms }}: the text escaped, with hot terms in <mark>."""
    return highlight(str(text or ""))


@register.filter(name="flag_kind")
def flag_kind(kind):
    """A CaseFlag kind in words (CaseFlag.kind is free text shared by several apps)."""
    return dict(KIND_CHOICES).get(kind, kind)
