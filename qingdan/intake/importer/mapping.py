"""The column mapping: default Chinese headers, renamed by a TOML file.

# 字段 = "文件中的列名"；字段写英文名（order_number）或默认列名（工单编号）
[columns]
工单编号 = "工单号"
来电时间 = "受理时间"

[options]
sheet = "工单"                      # which sheet of the workbook (default: the first)
hotline = "招远市12345热线"          # the body the orders are reported back to

[urgency]                           # extra urgency labels → 紧急/加急/一般/复杂 or a code
"特提" = "紧急"

[categories]                        # the hotline's request types → category code or name
"物业服务" = "urban_rural_construction"

[towns]                             # other spellings of town and village names
"玲珑" = "玲珑镇"
"""

import tomllib
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import Urgency
from qingdan.core.errors import ActionError

from ..choices import DEFAULT_HEADERS, REQUIRED_COLUMNS, URGENCY_LABELS, Field

DEFAULT_HOTLINE = "12345热线"
SECTIONS = {"columns", "options", "urgency", "categories", "towns"}
OPTIONS = {"sheet", "hotline"}


class MappingError(ActionError):
    code = "import_mapping_invalid"


@dataclass
class Mapping:
    columns: dict[str, str] = field(
        default_factory=lambda: {str(k): v for k, v in DEFAULT_HEADERS.items()}
    )
    sheet: str | None = None
    hotline: str = DEFAULT_HOTLINE
    urgency: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    towns: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.columns[name]

    def locate(self, headers: list[str]) -> dict[str, int]:
        """Column index of each field present; refuse a sheet missing a required column."""
        position = {header: index for index, header in enumerate(headers) if header}
        found = {name: position[h] for name, h in self.columns.items() if h in position}
        missing = [self.columns[name] for name in Field.values if name in REQUIRED_COLUMNS]
        missing = [h for h in missing if h not in position]
        if missing:
            raise MappingError(
                _(
                    "The sheet lacks the column(s) %(missing)s. Its header row has: %(found)s. "
                    "Rename the columns or give a mapping file."
                )
                % {"missing": "、".join(missing), "found": "、".join(h for h in headers if h)},
                field="columns",
            )
        return found


def _field_name(key: str) -> str | None:
    if key in Field.values:
        return key
    for name, header in DEFAULT_HEADERS.items():
        if key == header:
            return str(name)
    return None


def _strings(section: str, table) -> dict[str, str]:
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in table.items()
    ):
        raise MappingError(
            _("[%(section)s] in the mapping file holds text values only.") % {"section": section}
        )
    return {k.strip(): v.strip() for k, v in table.items()}


def parse_mapping(text: str) -> Mapping:
    mapping = Mapping()
    if not (text or "").strip():
        return mapping
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(
            _("The mapping file is not valid TOML: %(error)s") % {"error": exc}
        ) from exc
    unknown = sorted(set(data) - SECTIONS)
    if unknown:
        raise MappingError(
            _("Unknown section(s) in the mapping file: %(names)s (known: %(known)s).")
            % {"names": "、".join(unknown), "known": "、".join(sorted(SECTIONS))}
        )
    for key, header in _strings("columns", data.get("columns", {})).items():
        name = _field_name(key)
        if name is None:
            raise MappingError(
                _("Unknown field “%(key)s” in [columns]; use one of: %(known)s.")
                % {"key": key, "known": "、".join(str(h) for h in DEFAULT_HEADERS.values())}
            )
        mapping.columns[name] = header
    options = data.get("options", {})
    unknown = sorted(set(options) - OPTIONS) if isinstance(options, dict) else ["options"]
    if unknown:
        raise MappingError(
            _("Unknown option(s) in [options]: %(names)s.") % {"names": "、".join(unknown)}
        )
    options = _strings("options", options)
    mapping.sheet = options.get("sheet") or None
    mapping.hotline = options.get("hotline") or DEFAULT_HOTLINE
    for label, target in _strings("urgency", data.get("urgency", {})).items():
        value = target if target in Urgency.values else URGENCY_LABELS.get(target)
        if value is None:
            raise MappingError(
                _("[urgency] “%(label)s” maps to “%(target)s”, which is not an urgency.")
                % {"label": label, "target": target}
            )
        mapping.urgency[label] = value
    mapping.categories = _strings("categories", data.get("categories", {}))
    mapping.towns = _strings("towns", data.get("towns", {}))
    return mapping
