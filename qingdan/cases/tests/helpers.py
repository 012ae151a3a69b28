"""Cases several test modules start from."""

from qingdan.cases import actions
from qingdan.orgs.testing import PERSON


def co_handled_case(org):
    """A village's case taken up to the city: the housing bureau leads, the labour and
    education bureaus co-handle (each owes its co-handling opinion)."""
    case = actions.register_case(
        org.village_agent,
        channel="walk_in",
        title="工地拖欠工资",
        content="村东工地拖欠工资",
        jurisdiction=org.village,
        petitioner=dict(PERSON),
    )
    actions.accept(org.village_agent, case)
    actions.escalate(org.village_agent, case, reason="需镇里协调")
    actions.escalate(org.town_clerk, case, reason="需市级部门")
    actions.assign(
        org.city_supervisor,
        case,
        lead_unit=org.housing_bureau,
        co_units=[org.labour_bureau, org.education_bureau],
    )
    return case
