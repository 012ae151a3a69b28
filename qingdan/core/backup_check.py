"""What a backup archive must satisfy before anything of it is restored.

Pure checks on the archive's rows (Django's "python" serialisation with natural foreign
keys): every row of a known table, no row twice, the manifest's counts, every foreign key
and many-to-many value found inside the archive, and the file of every file field present
in the archive's media. References to the tables a backup leaves out (content types,
permissions), which `migrate` rebuilds, are looked up in this installation instead.
"""

from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

# Problems named in full in the refusal; the rest are counted.
SHOWN = 5


def file_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.local_fields if isinstance(f, models.FileField)]


def safe_media_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def describe(problems: list[str]) -> str:
    """One sentence: the first problems in full, how many more."""
    text = "; ".join(problems[:SHOWN])
    if len(problems) > SHOWN:
        text += "; " + _("and %(count)d more such problems") % {"count": len(problems) - SHOWN}
    return text


class ArchiveIndex:
    """The archive's rows by table, with their keys, to resolve references."""

    def __init__(self, rows: list, backup_models: Iterable) -> None:
        self.by_label = {m._meta.label_lower: m for m in backup_models}
        self.rows: dict[Any, list[dict]] = defaultdict(list)
        self.pks: dict[Any, set] = defaultdict(set)
        self.problems: list[str] = []
        self._natural: dict[Any, set] = {}
        self._values: dict[tuple[Any, str], set] = {}
        for row in rows:
            if not (isinstance(row, dict) and isinstance(row.get("fields"), dict)):
                self.problems.append(_("a row is not a serialised object"))
                continue
            model = self.by_label.get(str(row.get("model", "")).lower())
            if model is None:
                self.problems.append(
                    _("rows of %(table)s, a table this installation does not back up")
                    % {"table": row.get("model")}
                )
                continue
            try:
                pk = model._meta.pk.to_python(row.get("pk"))
            except ValidationError:
                self.problems.append(
                    _("%(table)s has a row with the key %(pk)r, which is not valid")
                    % {"table": model._meta.label_lower, "pk": row.get("pk")}
                )
                continue
            if pk is None or pk in self.pks[model]:
                self.problems.append(
                    _("%(table)s %(pk)s appears twice or without a key")
                    % {"table": model._meta.label_lower, "pk": pk}
                )
                continue
            self.pks[model].add(pk)
            self.rows[model].append(row)

    def natural_keys(self, model) -> set:
        """Natural keys of the archive's rows of `model` (built from their plain fields)."""
        if model not in self._natural:
            keys = set()
            for row in self.rows.get(model, []):
                values = {}
                for field in model._meta.concrete_fields:
                    if field.remote_field is None and field.name in row["fields"]:
                        try:
                            values[field.attname] = field.to_python(row["fields"][field.name])
                        except ValidationError:
                            break
                try:
                    keys.add(tuple(model(**values).natural_key()))
                except (AttributeError, ObjectDoesNotExist, TypeError, ValueError):
                    continue
            self._natural[model] = keys
        return self._natural[model]

    def values(self, model, field) -> set:
        """Values of a non-key field that foreign keys point at (`to_field`)."""
        key = (model, field.name)
        if key not in self._values:
            found = set()
            for row in self.rows.get(model, []):
                try:
                    found.add(field.to_python(row["fields"].get(field.name)))
                except ValidationError:
                    continue
            self._values[key] = found
        return self._values[key]


class ArchiveCheck:
    """Collects every problem of one archive; `problems` empty means it may be restored."""

    def __init__(self, manifest: dict, rows: list, media: set[str], backup_models: list):
        self.index = ArchiveIndex(rows, backup_models)
        self.problems = list(self.index.problems)
        self.media = media
        self.outside: dict[tuple, tuple[str, object]] = {}
        self._counts(manifest)
        for model, model_rows in self.index.rows.items():
            for row in model_rows:
                self._row(model, row)

    def _counts(self, manifest: dict) -> None:
        counts = manifest.get("counts")
        if not isinstance(counts, dict):
            self.problems.append(_("the manifest has no row counts"))
            return
        labels = set(counts) | {m._meta.label_lower for m in self.index.rows}
        for label in sorted(labels):
            model = self.index.by_label.get(label)
            found = len(self.index.rows.get(model, [])) if model is not None else 0
            if counts.get(label, 0) != found:
                self.problems.append(
                    _(
                        "the manifest counts %(expected)s rows of %(table)s, "
                        "data.json holds %(found)d"
                    )
                    % {"expected": counts.get(label, 0), "table": label, "found": found}
                )

    def _row(self, model, row: dict) -> None:
        label = f"{model._meta.label_lower} {row['pk']}"
        fields = row["fields"]
        known = {f.name for f in model._meta.concrete_fields}
        known |= {f.name for f in model._meta.many_to_many}
        for name in sorted(set(fields) - known):
            self.problems.append(
                _("%(row)s has a field %(field)s that this version does not know")
                % {"row": label, "field": name}
            )
        for field in model._meta.concrete_fields:
            value = fields.get(field.name)
            if field.remote_field is not None and value is not None:
                self._reference(label, field, value)
            elif isinstance(field, models.FileField) and value:
                if not safe_media_name(value):
                    self.problems.append(
                        _("%(row)s names the file %(name)r outside the media folder")
                        % {"row": label, "name": value}
                    )
                elif value not in self.media:
                    self.problems.append(
                        _("%(row)s needs the file %(name)s, which is not in the archive")
                        % {"row": label, "name": value}
                    )
        for field in model._meta.many_to_many:
            values = fields.get(field.name) or []
            if not isinstance(values, list):
                self.problems.append(
                    _("%(row)s: %(field)s is not a list") % {"row": label, "field": field.name}
                )
                continue
            for value in values:
                self._reference(label, field, value)

    def _reference(self, label: str, field, value) -> None:
        target = field.remote_field.model._meta.concrete_model
        if not self._resolves(field, target, value):
            self.problems.append(
                _(
                    "%(row)s refers through %(field)s to %(target)s %(value)s, "
                    "which is not in the archive"
                )
                % {
                    "row": label,
                    "field": field.name,
                    "target": target._meta.label_lower,
                    "value": value,
                }
            )

    def _resolves(self, field, target, value) -> bool:
        natural = isinstance(value, list)
        if target._meta.label_lower in self.index.by_label:
            if natural:
                return tuple(value) in self.index.natural_keys(target)
            target_field = field.target_field
            try:
                value = target_field.to_python(value)
            except ValidationError:
                return False
            if target_field.primary_key:
                return value in self.index.pks.get(target, set())
            return value in self.index.values(target, target_field)
        # Tables left out of a backup (content types, permissions) are rebuilt by
        # `migrate`: looked up in this installation once it is migrated.
        self.outside[(target, field.target_field.attname, repr(value))] = (label_of(field), value)
        return True

    def installation_problems(self) -> list[str]:
        """References to left-out tables that this (migrated) installation cannot resolve."""
        problems = []
        for (target, attname, _key), (where, value) in self.outside.items():
            manager = target._default_manager
            try:
                if isinstance(value, list):
                    manager.get_by_natural_key(*value)
                    continue
                if manager.filter(**{attname: value}).exists():
                    continue
            except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
                pass
            problems.append(
                _("%(field)s refers to %(target)s %(value)s, which this installation does not have")
                % {"field": where, "target": target._meta.label_lower, "value": value}
            )
        return problems


def label_of(field) -> str:
    return f"{field.model._meta.label_lower}.{field.name}"
