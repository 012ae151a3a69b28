"""Changes to the organisation: the CSV import of jurisdictions and departments.

The import validates every row first (division code rules, parent, level, kind,
categories), then writes all good rows in one transaction. By default one bad row
stops the whole import (an organisation tree must not be half there); with
`partial=True` the good rows are written and the bad ones reported.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import LEVEL_PREFIX_LENGTH, DepartmentKind, Level
from .models import Category, Department, Jurisdiction

HEADER_ALIASES = {
    "type": {"type", "类型"},
    "code": {"code", "代码", "区划代码", "编码"},
    "name": {"name", "名称"},
    "level": {"level", "层级", "级别"},
    "parent": {"parent", "上级", "上级代码", "所属辖区"},
    "kind": {"kind", "单位类型"},
    "categories": {"categories", "主管事项", "类别"},
}
LEVEL_ALIASES = {
    "city": Level.CITY,
    "市": Level.CITY,
    "县级市": Level.CITY,
    "town": Level.TOWN,
    "镇": Level.TOWN,
    "乡": Level.TOWN,
    "街道": Level.TOWN,
    "village": Level.VILLAGE,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
    "居委会": Level.VILLAGE,
}
TYPE_ALIASES = {
    "jurisdiction": "jurisdiction",
    "辖区": "jurisdiction",
    "区划": "jurisdiction",
    "department": "department",
    "单位": "department",
    "部门": "department",
}
KIND_ALIASES = {
    **{k.value: k.value for k in DepartmentKind},
    "市直部门": DepartmentKind.CITY_BUREAU,
    "镇街科室": DepartmentKind.TOWN_OFFICE,
    "派出所": DepartmentKind.POLICE_STATION,
    "其他": DepartmentKind.OTHER,
}


@dataclass
class RowError:
    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected


def _read_rows(text: str) -> tuple[list[tuple[int, dict]], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    mapping: dict[str, str] = {}
    for header in reader.fieldnames or []:
        for canonical, aliases in HEADER_ALIASES.items():
            if header.strip().lower() in aliases:
                mapping[header] = canonical
    missing = {"type", "code", "name"} - set(mapping.values())
    if missing:
        return [], [
            RowError(1, name, _("The header has no “%(column)s” column.") % {"column": name})
            for name in sorted(missing)
        ]
    rows = []
    for number, raw in enumerate(reader, start=2):
        rows.append(
            (
                number,
                {
                    mapping[k]: (v or "").strip()
                    for k, v in raw.items()
                    if k in mapping and isinstance(v, str)
                },
            )
        )
    return rows, []


def import_org_csv(text: str, *, partial: bool = False) -> ImportReport:
    report = ImportReport()
    rows, header_errors = _read_rows(text)
    report.rejected.extend(header_errors)
    if header_errors:
        return report
    categories = {c.code: c for c in Category.objects.all()}
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    seen_codes: set[str] = set()
    planned_jurisdictions: list[tuple[int, Jurisdiction]] = []
    planned_departments: list[tuple[int, Department, list[Category]]] = []

    def reject(row: int, field_name: str, reason) -> None:
        report.rejected.append(RowError(row, field_name, str(reason)))

    jurisdiction_rows, department_rows = [], []
    for number, row in rows:
        row_type = TYPE_ALIASES.get(row.get("type", "").lower())
        if row_type is None:
            reject(number, "type", _("Unknown type “%(value)s”.") % {"value": row.get("type")})
        elif row_type == "jurisdiction":
            jurisdiction_rows.append((number, row))
        else:
            department_rows.append((number, row))

    # Parents before children, whatever order the file has.
    def level_rank(item):
        level = LEVEL_ALIASES.get(item[1].get("level", "").lower())
        return list(LEVEL_PREFIX_LENGTH).index(level) if level else 99

    for number, row in sorted(jurisdiction_rows, key=level_rank):
        code, name = row.get("code", ""), row.get("name", "")
        level = LEVEL_ALIASES.get(row.get("level", "").lower())
        if level is None:
            reject(number, "level", _("Unknown level “%(value)s”.") % {"value": row.get("level")})
            continue
        if not name:
            reject(number, "name", _("The name is required."))
            continue
        if code in seen_codes:
            reject(number, "code", _("The code %(code)s appears twice.") % {"code": code})
            continue
        parent = None
        if row.get("parent"):
            parent = jurisdictions.get(row["parent"])
            if parent is None:
                reject(
                    number,
                    "parent",
                    _("Unknown parent code %(code)s.") % {"code": row["parent"]},
                )
                continue
        unit = jurisdictions.get(code) or Jurisdiction(code=code)
        unit.name, unit.level, unit.parent = name, level, parent
        try:
            unit.full_clean(validate_unique=False)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                reject(number, field_name, "; ".join(messages))
            continue
        seen_codes.add(code)
        jurisdictions[code] = unit
        planned_jurisdictions.append((number, unit))

    department_codes: set[str] = set()
    existing_departments = {d.code: d for d in Department.objects.all()}
    for number, row in department_rows:
        code, name = row.get("code", ""), row.get("name", "")
        owner = jurisdictions.get(row.get("parent", ""))
        kind = KIND_ALIASES.get(row.get("kind", "") or DepartmentKind.OTHER)
        if not code or not name:
            reject(number, "code" if not code else "name", _("The code and name are required."))
            continue
        if code in department_codes:
            reject(number, "code", _("The code %(code)s appears twice.") % {"code": code})
            continue
        if owner is None:
            reject(
                number,
                "parent",
                _("Unknown jurisdiction code %(code)s.") % {"code": row.get("parent", "")},
            )
            continue
        if kind is None:
            reject(number, "kind", _("Unknown unit kind “%(value)s”.") % {"value": row["kind"]})
            continue
        wanted = [c for c in row.get("categories", "").replace("；", ";").split(";") if c.strip()]
        unknown = [c for c in wanted if c.strip() not in categories]
        if unknown:
            reject(
                number,
                "categories",
                _("Unknown categories: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
            continue
        department = existing_departments.get(code) or Department(code=code)
        department.name, department.kind, department.jurisdiction = name, kind, owner
        try:
            department.full_clean(exclude=["jurisdiction"], validate_unique=False)
            department.clean()
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                reject(number, field_name, "; ".join(messages))
            continue
        department_codes.add(code)
        planned_departments.append((number, department, [categories[c.strip()] for c in wanted]))

    report.rejected.sort(key=lambda e: (e.row, e.field))
    if report.rejected and not partial:
        return report
    with transaction.atomic():
        # Parents come first in the plan, so each child's parent has its key by now.
        for _number, place in planned_jurisdictions:
            created = place.pk is None
            place.save()
            report.created += created
            report.updated += not created
        for _number, department, department_categories in planned_departments:
            created = department.pk is None
            department.save()
            department.categories.set(department_categories)
            report.created += created
            report.updated += not created
    report.written = True
    return report
