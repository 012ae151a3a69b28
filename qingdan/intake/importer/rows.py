"""Validating one work-order row: every problem of the row is reported (row, column,
problem in the user's language), a row with any problem is not imported."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import Actor
from qingdan.cases.actions.registration import CONTENT_MAX, TITLE_MAX, _clean_petitioner
from qingdan.core import masking, pii
from qingdan.core.characters import first_illegal, invalid_characters_message, strip_illegal
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Category, Jurisdiction
from qingdan.orgs.permissions import is_administrator

from ..choices import PERSONAL_FIELDS, REQUIRED_FIELDS, Field, ProblemKind
from .mapping import Mapping
from .values import BadValue, cell_text, derive_title, parse_datetime, parse_deadline, parse_urgency

REF_MAX = 64  # Case.external_ref
FUTURE_TOLERANCE = dt.timedelta(days=1)
MASKERS = {
    Field.NAME: masking.mask_name,
    Field.PHONE: masking.mask_phone,
    Field.ADDRESS: masking.mask_address,
}


@dataclass
class Problem:
    row: int
    column: str
    message: Any
    value: str = ""
    kind: str = ProblemKind.ERROR
    case_id: int | None = None


@dataclass
class OrderRow:
    """A valid row, ready for registration."""

    row: int
    order_number: str
    received_at: dt.datetime
    title: str
    content: str
    jurisdiction: Jurisdiction
    petitioner: dict[str, Any] | None
    category: Category | None
    urgency: str
    deadline: dt.datetime | None
    address: str


@dataclass
class Lookups:
    """Towns, villages and categories, read once per import."""

    towns_by_code: dict[str, Jurisdiction] = field(default_factory=dict)
    towns_by_name: dict[str, list[Jurisdiction]] = field(default_factory=lambda: defaultdict(list))
    villages_by_code: dict[str, Jurisdiction] = field(default_factory=dict)
    villages_by_name: dict[tuple[int, str], Jurisdiction] = field(default_factory=dict)
    categories_by_code: dict[str, Category] = field(default_factory=dict)
    categories_by_name: dict[str, list[Category]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> "Lookups":
        lookups = cls()
        places = Jurisdiction.objects.filter(level__in=[Level.TOWN, Level.VILLAGE]).select_related(
            "parent"
        )
        for place in places:
            if place.level == Level.TOWN:
                lookups.towns_by_code[place.code] = place
                lookups.towns_by_name[place.name].append(place)
            else:
                lookups.villages_by_code[place.code] = place
                assert place.parent_id is not None  # a village has its town
                lookups.villages_by_name[(place.parent_id, place.name)] = place
        for category in Category.objects.filter(is_active=True):
            lookups.categories_by_code[category.code] = category
            lookups.categories_by_name[category.name].append(category)
        return lookups


class RowValidator:
    def __init__(self, actor: Actor, mapping: Mapping, lookups: Lookups, now: dt.datetime):
        self.actor = actor
        self.mapping = mapping
        self.lookups = lookups
        self.now = now
        user = actor.user
        self.scope = None if user is None or is_administrator(user) else user.scope_jurisdiction
        self.restricted = user is not None and not is_administrator(user)
        # Callers, phones and limits recur across a file: each is checked once.
        self.names: dict[str, tuple[dict, dict]] = {}
        self.caller = str(_("Caller"))  # the name of an anonymous caller
        self.phones: dict[str, tuple[dict, dict]] = {}
        self.limits: dict = {}

    # --- helpers ---------------------------------------------------------

    def _town(self, text: str) -> Jurisdiction:
        text = self.mapping.towns.get(text, text)
        if text.isdigit() and len(text) == 12:
            town = self.lookups.towns_by_code.get(text)
            if town is None:
                if text in self.lookups.villages_by_code:
                    raise BadValue(_("%(code)s is a village, not a town.") % {"code": text})
                raise BadValue(_("No town has the division code %(code)s.") % {"code": text})
            return town
        towns = self.lookups.towns_by_name.get(text, [])
        if not towns:
            raise BadValue(_("Unknown town “%(name)s”.") % {"name": text})
        if len(towns) > 1:
            raise BadValue(
                _("Several towns are named “%(name)s”: give the 12-digit division code.")
                % {"name": text}
            )
        return towns[0]

    def _village(self, text: str, town: Jurisdiction) -> Jurisdiction:
        text = self.mapping.towns.get(text, text)
        if text.isdigit() and len(text) == 12:
            village = self.lookups.villages_by_code.get(text)
            if village is None:
                raise BadValue(_("No village has the division code %(code)s.") % {"code": text})
        else:
            village = self.lookups.villages_by_name.get((town.pk, text))
            if village is None:
                raise BadValue(
                    _("No village “%(name)s” in %(town)s.") % {"name": text, "town": town.name}
                )
        if village.parent_id != town.pk:
            raise BadValue(
                _("%(village)s is not in %(town)s.") % {"village": village.name, "town": town.name}
            )
        return village

    def _category(self, text: str) -> Category:
        text = self.mapping.categories.get(text, text)
        # Hotlines write paths (城乡建设/物业管理): the deepest known level wins.
        parts = [text, *reversed([p.strip() for p in text.replace(">", "/").split("/")])]
        for part in parts:
            if part in self.lookups.categories_by_code:
                return self.lookups.categories_by_code[part]
            named = self.lookups.categories_by_name.get(part, [])
            if len(named) == 1:
                return named[0]
            if len(named) > 1:
                raise BadValue(
                    _("Several categories are named “%(name)s”: use the category code.")
                    % {"name": part}
                )
        raise BadValue(_("Unknown request type “%(name)s”.") % {"name": text})

    # --- one row ---------------------------------------------------------

    def validate(self, number: int, cells: list[Any], index: dict[str, int]):
        """An OrderRow, or the list of the row's problems."""
        problems: list[Problem] = []

        def raw(name: str) -> Any:
            position = index.get(name)
            value = cells[position] if position is not None and position < len(cells) else None
            # Control characters are reported once below; the other checks see the rest.
            return strip_illegal(value) if isinstance(value, str) else value

        def report(name: str, message, value: Any = None) -> None:
            text = cell_text(value if value is not None else raw(name))
            masker = MASKERS.get(Field(name)) if name in PERSONAL_FIELDS else None
            problems.append(
                Problem(
                    number,
                    self.mapping.header(name),
                    message,
                    # Anything personal in the cell (a phone in the request) is masked.
                    pii.mask_text(masker(text) if masker else text)[:200],
                )
            )

        for name, position in index.items():
            cell = cells[position] if position < len(cells) else None
            char = first_illegal(cell)
            if char is not None:
                report(name, invalid_characters_message(char))
        text = {name: cell_text(raw(name)) for name in index}
        for required in REQUIRED_FIELDS:
            if not text.get(required):
                report(required, _("This value is required."))

        order_number = text.get(Field.ORDER_NUMBER, "")
        if len(order_number) > REF_MAX:
            report(Field.ORDER_NUMBER, _("At most %(n)d characters.") % {"n": REF_MAX})

        received_at = None
        if text.get(Field.RECEIVED_AT):
            try:
                received_at = parse_datetime(raw(Field.RECEIVED_AT))
            except BadValue as exc:
                report(Field.RECEIVED_AT, exc.message)
            else:
                if received_at > self.now + FUTURE_TOLERANCE:
                    report(Field.RECEIVED_AT, _("The call time is in the future."))
                    received_at = None

        content = text.get(Field.CONTENT, "")
        if len(content) > CONTENT_MAX:
            report(Field.CONTENT, _("At most %(n)d characters.") % {"n": CONTENT_MAX})
        title = text.get(Field.TITLE, "")
        if len(title) > TITLE_MAX:
            report(Field.TITLE, _("At most %(n)d characters.") % {"n": TITLE_MAX})
        title = title or derive_title(content)

        place: Jurisdiction | None = None
        if text.get(Field.TOWN):
            try:
                place = self._town(text[Field.TOWN])
                if text.get(Field.VILLAGE):
                    try:
                        place = self._village(text[Field.VILLAGE], place)
                    except BadValue as exc:
                        report(Field.VILLAGE, exc.message)
            except BadValue as exc:
                report(Field.TOWN, exc.message)
        if (
            place is not None
            and self.restricted
            and not (self.scope is not None and self.scope.contains(place))
        ):
            column = Field.VILLAGE if place.level == Level.VILLAGE else Field.TOWN
            report(column, _("%(place)s is outside your jurisdiction.") % {"place": place.name})

        category = None
        if text.get(Field.CATEGORY):
            try:
                category = self._category(text[Field.CATEGORY])
            except BadValue as exc:
                report(Field.CATEGORY, exc.message)

        urgency = "normal"
        try:
            urgency = parse_urgency(raw(Field.URGENCY), self.mapping.urgency)
        except BadValue as exc:
            report(Field.URGENCY, exc.message)

        deadline = None
        if received_at is not None:
            try:
                deadline = parse_deadline(raw(Field.DEADLINE), received_at, self.limits)
            except BadValue as exc:
                report(Field.DEADLINE, exc.message)

        petitioner = None
        name, phone = text.get(Field.NAME, ""), text.get(Field.PHONE, "")
        if name or phone:
            # The checks of every intake (`_clean_petitioner`), phone and name apart so
            # that each distinct value is checked once.
            name = name or self.caller
            if name not in self.names:
                self.names[name] = _clean_petitioner({"name": name}, "")
            if phone not in self.phones:
                self.phones[phone] = _clean_petitioner({"name": "-", "phone": phone}, "")
            (named, name_errors), (phoned, phone_errors) = self.names[name], self.phones[phone]
            petitioner = {**named, "phone": phoned["phone"]}
            for message in name_errors.get("name", []):
                report(Field.NAME, message)
            for message in phone_errors.get("phone", []):
                report(Field.PHONE, message)

        if problems:
            return problems
        assert received_at is not None and place is not None
        return OrderRow(
            row=number,
            order_number=order_number,
            received_at=received_at,
            title=title,
            content=content,
            jurisdiction=place,
            petitioner=petitioner,
            category=category,
            urgency=urgency,
            deadline=deadline,
            address=text.get(Field.ADDRESS, "")[:200],
        )
