"""From counts to indicators: the rates, the composite score, the tier shares and
the changes against an earlier period.

Definitions, on our fields (the counts are made in `qingdan.stats.metrics`); a
case belongs to a period by its registration time (`Case.registered_at`):

- received: cases registered in the period (review follow-ups included);
- accepted: cases with an acceptance time (accepted, or resolved on the spot);
- closed: cases in the state closed (办结); closed on time: closed and
  `Case.closed_on_time` (the reply landed within the handling limit);
- overdue: cases answered after their limit (`closed_on_time` false) plus cases
  still waiting for an answer whose due time has passed now;
- response rate (响应率) = cases first responded to (accepted, not accepted or
  diverted) within the acceptance limit (`accept_due_at`, 15 days, art. 23) ÷
  cases dispatched, i.e. responded to, or still unanswered past that limit;
- return visit (回访) = a rating recorded (the `evaluate` action sets Case.rating);
- solved = rated satisfied or basically satisfied, or (formula switch, default on)
  the reply supported the request;
- resolution rate (解决率) = solved ÷ return visits;
- satisfaction rate (满意率) = (satisfied + w × basically satisfied) ÷ return visits,
  w = 0.9 by default;
- composite score = 100 × (0.1 × response + 0.5 × resolution + 0.4 × satisfaction),
  the weights editable by an administrator (IndicatorSettings); no score when one
  of its weighted rates has no cases to be computed on;
- share closed at the village / town / city tier = closed cases whose tier (the tier
  that replied, `Case.tier`) is that one ÷ closed cases; 小事不出村 = the village
  share, 大事不出镇 = village + town;
- repeat petitions: review / re-review follow-ups and cases flagged as repeats
  (CaseFlag kinds in QINGDAN_STATS_REPEAT_FLAG_KINDS);
- leader receptions (领导接访): walk-in cases registered with the leader on duty who
  received the petitioner (`Case.receiving_leader`);
- a rate with nothing to divide by is None (shown as “—”), never 0;
- changes: a count's change is relative ((now − then) ÷ then, None when then is 0);
  a rate's change is the difference of the two rates (percentage points ÷ 100); the
  composite score's is the difference in points.
"""

from qingdan.cases.choices import TIER_ORDER

from .metrics import ALL_COUNTS

COUNT_INDICATORS = (
    "received",
    "accepted",
    "not_accepted",
    "diverted",
    "replied",
    "closed",
    "closed_on_time",
    "overdue",
    "repeat",
    "leader_received",
    "rated",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "solved",
)
RATE_INDICATORS = (
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "closure_rate",
    "on_time_rate",
    "repeat_rate",
    "village_rate",
    "within_town_rate",
)
SCORE_INDICATORS = ("composite_score",)


class Tally:
    """Counts of a set of cases (ALL_COUNTS)."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts = dict.fromkeys(ALL_COUNTS, 0)

    def add_row(self, row: dict, names=ALL_COUNTS, key=lambda n: n) -> None:
        for name in names:
            self.counts[name] += row.get(key(name)) or 0

    def merge(self, other: "Tally") -> None:
        for name, value in other.counts.items():
            self.counts[name] += value


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def indicators_of(tally: Tally, formulas) -> dict:
    c = tally.counts
    solved = c["satisfied"] + c["basically_satisfied"]
    if formulas.supported_reply_counts_as_solved:
        solved += c["unsatisfied_supported"]
    weight_basic = float(formulas.basically_satisfied_weight)
    closed = c["closed"]
    by_tier = {str(tier): c[f"closed_{tier}"] for tier in TIER_ORDER}
    result = {
        "received": c["received"],
        "accepted": c["accepted"],
        "not_accepted": c["not_accepted"],
        "diverted": c["diverted"],
        "replied": c["replied"],
        "closed": closed,
        "closed_on_time": c["closed_on_time"],
        "overdue": c["replied_late"] + c["overdue_open"],
        "repeat": c["repeat"],
        "leader_received": c["leader_received"],
        "rated": c["rated"],
        "satisfied": c["satisfied"],
        "basically_satisfied": c["basically_satisfied"],
        "unsatisfied": c["unsatisfied"],
        "solved": solved,
        "response_rate": ratio(c["responded_on_time"], c["responded"] + c["unresponded_late"]),
        "resolution_rate": ratio(solved, c["rated"]),
        "satisfaction_rate": ratio(
            c["satisfied"] + weight_basic * c["basically_satisfied"], c["rated"]
        ),
        "closure_rate": ratio(closed, c["received"]),
        "on_time_rate": ratio(c["closed_on_time"], closed),
        "repeat_rate": ratio(c["repeat"], c["received"]),
        "closed_by_tier": by_tier,
        "tier_share": {tier: ratio(n, closed) for tier, n in by_tier.items()},
        "village_rate": ratio(by_tier["village"], closed),
        "within_town_rate": ratio(by_tier["village"] + by_tier["town"], closed),
    }
    result["composite_score"] = composite(result, formulas)
    return result


def composite(values: dict, formulas) -> float | None:
    total = 0.0
    for name, weight in (
        ("response_rate", formulas.response_weight),
        ("resolution_rate", formulas.resolution_weight),
        ("satisfaction_rate", formulas.satisfaction_weight),
    ):
        if not weight:
            continue
        if values[name] is None:
            return None
        total += float(weight) * values[name]
    return 100 * total


def changes(now: dict, then: dict) -> dict:
    """Change of each indicator from `then` to `now` (see the module docstring)."""
    result: dict = {}
    for name in COUNT_INDICATORS:
        result[name] = ratio(now[name] - then[name], then[name])
    for name in RATE_INDICATORS + SCORE_INDICATORS:
        a, b = now[name], then[name]
        result[name] = None if a is None or b is None else a - b
    return result
