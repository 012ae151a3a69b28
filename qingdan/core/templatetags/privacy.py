"""`{{ text|masked:pii }}`: free text as someone without a logged reveal may see it.

The argument is a `qingdan.core.pii.Masker` made by the view (the case's masker, or
`pii.REVEAL` after a reveal), or a petitioner (the one already loaded with a list row),
or nothing: the detector alone. Masking comes before escaping (`|linebreaksbr` after it).
"""

from django import template

from qingdan.core import pii

register = template.Library()


@register.filter
def masked(text, who=None):
    if not text:
        return text
    masker = who if isinstance(who, pii.Masker) else pii.Masker.for_petitioner(who)
    return masker(str(text))
