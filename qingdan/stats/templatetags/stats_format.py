"""Template filters for figures: {{ value|pct }}, {{ value|score }}, {{ change|signed }},
{{ change|points }} — “—” where there is nothing to show."""

from django import template

from qingdan.stats import format as fmt

register = template.Library()


@register.filter
def pct(value):
    return fmt.percent(value)


@register.filter
def score(value):
    return fmt.score(value)


@register.filter
def signed(value):
    return fmt.signed_percent(value)


@register.filter
def points(value):
    return fmt.signed_points(value)


@register.filter
def count(value):
    return fmt.count(value)
