"""Actions declared once.

Each app lists its actions in a catalogue (`<app>/catalogue.py`): the action's name,
the function of its actions layer, its label, and its inputs as `Field`s. The web
form (`qingdan.core.forms.action_form`), the API endpoint with its OpenAPI request
body (`qingdan.core.serializers.action_serializer`), the buttons of a page and the
rows of the permission matrix are all derived from that one entry, so adding an
action is one entry plus its function.

A catalogue function is called as `function(user, subject, **inputs)`, and with
`expected_version=` when the action is `versioned` (every case action is: a change
made meanwhile is a conflict, not an overwrite). An action that starts from its inputs
alone (`on_subject=False`: a creation, or one whose subject is picked among its inputs,
such as the case a supervision notice is issued on) is called as
`function(user, **inputs)`. Where a form or a request body cannot be derived (the
registration form with its extra questions, its nested petitioners), the entry names
its class (`form`, `serializer`).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    OBJECT = "object"
    OBJECTS = "objects"
    FILE = "file"
    # A span of whole days (the action takes a timedelta).
    DAYS = "days"


NOT_GIVEN: Any = object()


@dataclass(frozen=True)
class Context:
    """Who acts on what: the objects a field may name can depend on both."""

    user: Any
    subject: Any = None


@dataclass(frozen=True)
class Field:
    """One input of an action.

    `required` binds API clients. The web form asks for the same inputs but leaves
    most checks to the action (`form_required` False), so a person reads the action's
    own message ("Give the reason.") next to the field, as the API's client reads it
    as the error's text.
    """

    kind: Kind
    label: Any
    required: bool = True
    form_required: bool = False
    # False: the web form does not ask (the action takes its default).
    in_form: bool = True
    default: Any = NOT_GIVEN
    initial: Any = None
    help_text: Any = ""
    max_length: int | None = None
    rows: int = 0  # a text area of this many rows (0: one line)
    min_value: int | None = None
    max_value: int | None = None
    choices: Any = None  # a TextChoices class
    radio: bool = False
    # OBJECT(S): the model, the field the API names it by, which objects may be named
    # (default: all), which the web form offers (default: the same), and whether the
    # form takes it typed by that name (too many to list) with the message for none.
    model: Any = None
    slug: str = "code"
    queryset: Callable[[Context], Any] | None = None
    offered: Callable[[Context], Any] | None = None
    typed: bool = False
    not_found: Any = ""
    # OBJECTS: the heading an object is listed under (a long list: grouped, and the
    # form offers a search box to narrow it); or `searchable` alone, the search box.
    group: Callable[[Any], Any] | None = None
    searchable: bool = False
    # A typed OBJECT: the URL name of the fragment that suggests values as one types
    # (htmx into the field's <datalist>; the case picker), and the box's placeholder.
    suggest: str = ""
    placeholder: Any = ""
    # The web form's name for this input, where a page has long used another one (the
    # case picker's `tracking_number`): refusals that name the input are shown there.
    form_name: str = ""

    def objects(self, context: Context):
        return self.queryset(context) if self.queryset else self.model.objects.all()

    def options(self, context: Context):
        return self.offered(context) if self.offered else self.objects(context)

    def choice_pairs(self) -> list[tuple[Any, Any]]:
        """CHOICE: (value, label) of a TextChoices class, or of some of its members."""
        if hasattr(self.choices, "choices"):
            return list(self.choices.choices)
        return [(member.value, member.label) for member in self.choices]

    def initial_for(self, context: Context):
        """The form's initial value; a callable initial is worked out for the actor
        (their own place, say)."""
        return self.initial(context) if callable(self.initial) else self.initial


@dataclass(frozen=True, eq=False)
class ActionSpec:
    """One action of an app."""

    name: str
    function: Callable[..., Any]
    label: Any
    fields: dict[str, Field] = field(default_factory=dict)
    # The URL segment of its API endpoint and web form (default: the name, dashed).
    endpoint: str = ""
    versioned: bool = True
    multipart: bool = False
    # It creates something (an attachment, a follow-up case): the API answers 201.
    creates: bool = False
    # Hide the button where the action could only be refused for this subject.
    shown: Callable[[Any], bool] | None = None
    description: Any = ""
    # False: called as function(user, **inputs) (see the module's docstring).
    on_subject: bool = True
    # The form / request body class where it cannot be derived from `fields`.
    form: Any = None
    serializer: Any = None

    @property
    def path(self) -> str:
        return self.endpoint or self.name.replace("_", "-")

    def call(self, user, subject, inputs: dict[str, Any], version: int | None):
        if not self.on_subject:
            return self.function(user, **inputs)
        if self.versioned:
            return self.function(user, subject, **inputs, expected_version=version)
        return self.function(user, subject, **inputs)

    def is_shown_for(self, subject) -> bool:
        return self.shown is None or self.shown(subject)


class Catalogue:
    """An app's actions in the order their buttons appear."""

    def __init__(self, app: str, specs: Iterable[ActionSpec]):
        self.app = app
        self._specs = {spec.name: spec for spec in specs}
        self._by_path = {spec.path: spec for spec in self._specs.values()}

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __getitem__(self, name: str) -> ActionSpec:
        return self._specs[name]

    def __len__(self) -> int:
        return len(self._specs)

    def names(self) -> list[str]:
        return list(self._specs)

    def by_path(self, path: str) -> ActionSpec | None:
        return self._by_path.get(path)


# --- fields ------------------------------------------------------------------------


def text(label, *, max_length: int = 5000, rows: int = 3, required: bool = True, **kwargs) -> Field:
    return Field(Kind.TEXT, label, max_length=max_length, rows=rows, required=required, **kwargs)


def line(label, *, max_length: int = 100, required: bool = True, **kwargs) -> Field:
    return Field(Kind.TEXT, label, max_length=max_length, required=required, **kwargs)


def choice(label, choices, **kwargs) -> Field:
    return Field(Kind.CHOICE, label, choices=choices, **kwargs)


def integer(label, **kwargs) -> Field:
    return Field(Kind.INTEGER, label, **kwargs)


def boolean(label, **kwargs) -> Field:
    return Field(Kind.BOOLEAN, label, **kwargs)


def date(label, **kwargs) -> Field:
    return Field(Kind.DATE, label, **kwargs)


def datetime(label, **kwargs) -> Field:
    return Field(Kind.DATETIME, label, **kwargs)


def one(label, model, **kwargs) -> Field:
    return Field(Kind.OBJECT, label, model=model, **kwargs)


def many(label, model, **kwargs) -> Field:
    return Field(Kind.OBJECTS, label, model=model, **kwargs)


def days(label, **kwargs) -> Field:
    return Field(Kind.DAYS, label, **kwargs)


def upload(label, **kwargs) -> Field:
    return Field(Kind.FILE, label, form_required=True, **kwargs)
