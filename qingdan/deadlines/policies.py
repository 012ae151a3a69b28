"""Which deadline policy applies to a case: the most specific active one.

Specificity is the number of match fields a policy fills (channel, category,
urgency, review level); a category matches its subcategories too, the nearer the
more specific; then the higher priority, then the older policy. Policies and the
category tree are read once and kept like the calendar (see calendar.py).
"""

from dataclasses import dataclass

from qingdan.core.cache import ExpiringCache
from qingdan.orgs.models import Category

from .choices import Stage
from .models import DeadlinePolicy


@dataclass(frozen=True)
class _Policies:
    by_stage: dict[str, list]
    category_parent: dict[int, int | None]


def _load() -> _Policies:
    by_stage: dict[str, list] = {stage: [] for stage in Stage.values}
    for policy in DeadlinePolicy.objects.filter(is_active=True).order_by("pk"):
        by_stage.setdefault(policy.stage, []).append(policy)
    parents: dict[int, int | None] = dict(Category.objects.values_list("pk", "parent_id"))
    return _Policies(by_stage, parents)


_cache = ExpiringCache(_load, ttl_setting="QINGDAN_DEADLINE_CACHE_SECONDS")
clear_cache = _cache.clear
_policies = _cache.get


def _category_distance(policy_category: int | None, case_category: int | None, parents) -> int:
    """0 for an exact match, n for the n-th ancestor, -1 when it does not match."""
    if policy_category is None:
        return 0
    distance, node, seen = 0, case_category, set()
    while node is not None and node not in seen:
        if node == policy_category:
            return distance
        seen.add(node)
        node, distance = parents.get(node), distance + 1
    return -1


def policy_for(stage: str, case):
    """The policy that sets `stage` for `case`, or None when no active policy matches."""
    data = _policies()
    best, best_rank = None, None
    for policy in data.by_stage.get(stage, ()):
        if policy.channel and policy.channel != case.channel:
            continue
        if policy.urgency and policy.urgency != case.urgency:
            continue
        if policy.review_level is not None and policy.review_level != case.review_level:
            continue
        distance = _category_distance(policy.category_id, case.category_id, data.category_parent)
        if distance < 0:
            continue
        rank = (policy.specificity, -distance, policy.priority, -policy.pk)
        if best_rank is None or rank > best_rank:
            best, best_rank = policy, rank
    return best
