"""Who issues a document and with which words: the issuing body of a place, its 文号
pattern and its fixed paragraphs, resolved from the administrator's overrides
(`DocumentTemplate`) and the defaults (`defaults.py`).

The body's name and abbreviation are the place's own (a town's template does not name
the city). The number pattern and each fixed paragraph come from the nearest place up
the tree that overrides them, so a city sets them once for its towns.
"""

from dataclasses import dataclass, field

from qingdan.orgs.choices import Level
from qingdan.orgs.models import Jurisdiction

from .defaults import (
    DEFAULT_NUMBER_PATTERN,
    PARAGRAPHS,
    default_abbreviation,
    default_body_name,
)
from .models import DocumentTemplate
from .templating import format_number, render_paragraph_text


@dataclass(frozen=True)
class Letterhead:
    issuer: Jurisdiction
    body_name: str
    abbreviation: str
    number_pattern: str
    review_body: str
    overrides: dict[str, str] = field(default_factory=dict)

    def paragraph(self, key: str, **values) -> str:
        text = self.overrides.get(key) or PARAGRAPHS[key].text
        return render_paragraph_text(text, {"body": self.body_name, **values})

    def number(self, kind_abbr: str, year: int, number) -> str:
        return format_number(
            self.number_pattern,
            abbr=self.abbreviation,
            kind_abbr=kind_abbr,
            year=year,
            number=number,
        )


def issuing_place(jurisdiction: Jurisdiction) -> Jurisdiction:
    """A village committee issues no official documents: its town does."""
    if jurisdiction.level == Level.VILLAGE and jurisdiction.parent is not None:
        return jurisdiction.parent
    return jurisdiction


def _chain(jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    chain: list[Jurisdiction] = []
    node: Jurisdiction | None = jurisdiction
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def _templates(chain: list[Jurisdiction]) -> dict[int, DocumentTemplate]:
    found = DocumentTemplate.objects.filter(jurisdiction__in=chain).prefetch_related("paragraphs")
    return {template.jurisdiction_id: template for template in found}


def body_name_of(jurisdiction: Jurisdiction, templates: dict | None = None) -> str:
    templates = _templates([jurisdiction]) if templates is None else templates
    own = templates.get(jurisdiction.pk)
    return (own.body_name if own else "") or default_body_name(jurisdiction)


def letterhead_for(jurisdiction: Jurisdiction) -> Letterhead:
    place = issuing_place(jurisdiction)
    chain = _chain(place)
    templates = _templates(chain)
    own = templates.get(place.pk)
    pattern = next(
        (
            templates[j.pk].number_pattern
            for j in chain
            if j.pk in templates and templates[j.pk].number_pattern
        ),
        DEFAULT_NUMBER_PATTERN,
    )
    overrides: dict[str, str] = {}
    for node in reversed(chain):  # nearer places override farther ones
        template = templates.get(node.pk)
        if template is not None:
            overrides.update({p.key: p.text for p in template.paragraphs.all()})
    return Letterhead(
        issuer=place,
        body_name=body_name_of(place, templates),
        abbreviation=(own.abbreviation if own else "") or default_abbreviation(place),
        number_pattern=pattern,
        review_body=(own.review_body if own else "") or _review_body(place, templates),
        overrides=overrides,
    )


def _review_body(place: Jurisdiction, templates: dict) -> str:
    """The body one level up reviews (复查/复核); at the top, the city's government."""
    if place.parent is None:
        return f"{place.name}人民政府"
    return body_name_of(place.parent, templates)
