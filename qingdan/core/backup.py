"""Backup and restore of a whole installation: database rows and uploaded files.

The archive is a .tar.gz holding `manifest.json` (format, migrations, row counts, media
files), `data.json` (Django serialisation with natural foreign keys, so permissions and
content types match whatever the target database numbered them) and `media/`: the
uploaded files that the rows name, and only those. Personal data stays encrypted in the
archive: restoring needs the same QINGDAN_ENCRYPTION_KEY.

The export reads everything in one read transaction (REPEATABLE READ on PostgreSQL; a
deferred BEGIN on SQLite, a snapshot in WAL mode), so rows written meanwhile are either
all in or all out, and the files are those of the snapshot's rows. The restore checks the
whole archive first (`backup_check`), then writes rows and files in one transaction:
either everything arrives or nothing does, and a bad archive is refused in a sentence.

Models are enumerated through the app registry: this module imports no other app.
"""

import base64
import datetime as dt
import decimal
import gzip
import io
import json
import os
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files import File
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from .backup_check import ArchiveCheck, describe, file_fields, safe_media_name
from .errors import ActionError

FORMAT = "qingdan-backup-1"
# Rebuilt by migrate, or not worth keeping.
EXCLUDED = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "admin.logentry",
}
MEDIA = "media"


def backup_models() -> list:
    """Every model with rows to keep, in an order where natural keys come first."""
    ordered = []
    for model in serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()]
    ):
        meta = model._meta
        if meta.label_lower in EXCLUDED or not meta.managed or meta.proxy:
            continue
        ordered.append(model)
    return ordered


def seeded_labels() -> set[str]:
    """Tables that `migrate` itself fills (default categories, statutory deadlines, the
    calendar). Each app names its own in its AppConfig as `seeded_by_migrations`; a
    restore replaces their rows and treats every other table with rows as data in the way."""
    return {
        f"{config.label}.{name}".lower()
        for config in apps.get_app_configs()
        for name in getattr(config, "seeded_by_migrations", ())
    }


@contextmanager
def snapshot() -> Iterator[None]:
    """One read transaction: every query inside sees the database as at its first read."""
    if connection.in_atomic_block:
        raise RuntimeError("An export takes its own snapshot: call it outside a transaction.")
    if connection.vendor == "sqlite":
        # The settings open write transactions IMMEDIATE (taking the write lock); a
        # deferred BEGIN reads a WAL snapshot and leaves writers alone.
        sqlite: Any = connection  # transaction_mode is the SQLite backend's own
        sqlite.ensure_connection()
        configured = sqlite.transaction_mode
        sqlite.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic():
                sqlite.transaction_mode = configured
                yield
        finally:
            sqlite.transaction_mode = configured
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _full_precision(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _add(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(payload))


def export_installation(path: Path) -> dict:
    """Write the archive; return the manifest (counts per model)."""
    path = Path(path)
    with snapshot():
        counts: dict[str, int] = {}
        rows: list[dict] = []
        media: dict[str, object] = {}  # file name → its storage
        for model in backup_models():
            batch = serializers.serialize(
                "python",
                model._base_manager.order_by("pk").iterator(),
                use_natural_foreign_keys=True,
            )
            counts[model._meta.label_lower] = len(batch)
            rows.extend(batch)
            for field in file_fields(model):
                for row in batch:
                    if name := row["fields"].get(field.name):
                        media[name] = field.storage
        applied = MigrationRecorder(connection).applied_migrations()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "migrations": sorted(f"{app}.{name}" for app, name in applied),
            "counts": counts,
            "media": sorted(media),
        }
        missing = [name for name, storage in media.items() if not storage.exists(name)]  # type: ignore[attr-defined]
        if missing:
            raise ActionError(
                _(
                    "%(count)d uploaded files that the database names are missing from the "
                    "media folder (%(names)s): a backup without them would not restore. "
                    "Put them back first."
                )
                % {"count": len(missing), "names": ", ".join(missing[:5])},
                code="backup_media_missing",
            )
        # Django's JSON encoder cuts times to milliseconds; a backup keeps them whole.
        data = json.dumps(rows, default=_full_precision, ensure_ascii=False)
        # Written beside the target and renamed at the end: no half archive under its name.
        handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
        os.close(handle)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                _add(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
                _add(archive, "data.json", data.encode())
                for name, storage in sorted(media.items()):
                    with storage.open(name, "rb") as source:  # type: ignore[attr-defined]
                        _add(archive, f"{MEDIA}/{name}", source.read())
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    return manifest


@dataclass
class Backup:
    """An archive read into a temporary folder and checked; nothing written yet."""

    path: Path
    folder: Path
    manifest: dict
    rows: list
    check: ArchiveCheck


def _refuse(path: Path, reason: str, code: str = "backup_unreadable") -> ActionError:
    return ActionError(
        _("%(file)s cannot be restored: %(reason)s. Nothing was restored.")
        % {"file": path, "reason": reason},
        code=code,
    )


def _extract(path: Path, folder: Path) -> tuple[dict, list, set[str]]:
    if not path.is_file():
        raise _refuse(path, _("there is no such file"))
    try:
        # Read to the end first: gzip's CRC and length catch a damaged or cut-off file,
        # which the tar reader alone may not reach.
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
        with tarfile.open(path, "r:gz") as archive:
            # Reading every member first: a cut-off or damaged archive fails here.
            for member in archive.getmembers():
                top = member.name.split("/", 1)[0]
                if top not in {"manifest.json", "data.json", MEDIA}:
                    raise _refuse(
                        path,
                        _("it holds %(name)s, which is not part of a backup")
                        % {"name": member.name},
                    )
            archive.extractall(folder, filter="data")
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        raise _refuse(
            path,
            _("it is not a complete .tar.gz archive (damaged or cut off: %(error)s)")
            % {"error": exc},
        ) from exc
    loaded = {}
    for name in ("manifest.json", "data.json"):
        try:
            loaded[name] = json.loads((folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise _refuse(path, _("it has no %(name)s") % {"name": name}) from exc
        except ValueError as exc:
            raise _refuse(
                path, _("its %(name)s is damaged (%(error)s)") % {"name": name, "error": exc}
            ) from exc
    manifest, rows = loaded["manifest.json"], loaded["data.json"]
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise _refuse(
            path,
            _("it is in the format %(found)r, this version reads %(format)s")
            % {"found": found, "format": FORMAT},
        )
    if not isinstance(rows, list):
        raise _refuse(path, _("its data.json is not a list of rows"))
    root = folder / MEDIA
    media = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return manifest, rows, media


@contextmanager
def open_backup(path: Path) -> Iterator[Backup]:
    """Read and check an archive without touching the database; refuse a bad one."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="qingdan-restore-") as tmp:
        folder = Path(tmp)
        manifest, rows, media = _extract(path, folder)
        newer = sorted(
            set(manifest.get("migrations") or [])
            - {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
        )
        if newer:
            raise _refuse(
                path,
                _("it was made by a newer version of Qingdan (migration %(name)s is unknown here)")
                % {"name": newer[0]},
                code="backup_newer_version",
            )
        check = ArchiveCheck(manifest, rows, media, backup_models())
        if check.problems:
            raise _refuse(path, describe(check.problems), code="backup_inconsistent")
        yield Backup(path, folder, manifest, rows, check)


def _data_in_the_way(models: list) -> str | None:
    seeded = seeded_labels()
    for model in models:
        label = model._meta.label_lower
        if label not in seeded and model._base_manager.exists():
            return label
    return None


def _clear_seeded(models: list) -> None:
    """Rows that `migrate` wrote are replaced by the archive's (edited or deleted since)."""
    seeded = seeded_labels()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(models):
            if model._meta.label_lower not in seeded:
                continue
            for field in model._meta.local_many_to_many:
                if field.remote_field.through._meta.auto_created:
                    cursor.execute(
                        f"DELETE FROM {quote(field.remote_field.through._meta.db_table)}"
                    )
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def _load(rows: list) -> set:
    restored = set()
    deferred = []
    for item in serializers.deserialize("python", rows, handle_forward_references=True):
        # save_base with raw=True, as loaddata does: no model save() logic runs.
        item.save()
        restored.add(type(item.object))
        if item.deferred_fields:
            deferred.append(item)
    for item in deferred:
        item.save_deferred_fields()
    return restored


def restore(backup: Backup) -> dict:
    """Restore a checked archive into this migrated, empty installation."""
    models = backup_models()
    if problems := backup.check.installation_problems():
        raise _refuse(backup.path, describe(problems), code="backup_inconsistent")
    if label := _data_in_the_way(models):
        raise _refuse(
            backup.path,
            _("this installation already has data (%(table)s); restore into an empty database")
            % {"table": label},
            code="backup_target_not_empty",
        )
    files = []
    for model in models:
        for field in file_fields(model):
            for row in backup.check.index.rows.get(model, []):
                if (name := row["fields"].get(field.name)) and safe_media_name(name):
                    files.append((field.storage, name))
    if clashes := [name for storage, name in files if storage.exists(name)]:
        raise _refuse(
            backup.path,
            _("the media folder already holds %(name)s") % {"name": clashes[0]},
            code="backup_target_not_empty",
        )
    written: list[tuple] = []
    try:
        with transaction.atomic():
            _clear_seeded(models)
            restored = _load(backup.rows)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(
                    no_style(), sorted(restored | set(models), key=lambda m: m._meta.label)
                ):
                    cursor.execute(statement)
            # Inside the transaction: a file that cannot be written undoes the rows too.
            for storage, name in files:
                with (backup.folder / MEDIA / name).open("rb") as source:
                    saved = storage.save(name, File(source))
                written.append((storage, saved))
                if saved != name:
                    raise _refuse(
                        backup.path, _("the media folder already holds %(name)s") % {"name": name}
                    )
    except ActionError:
        _remove(written)
        raise
    except (
        DatabaseError,
        DeserializationError,
        ValidationError,
        ObjectDoesNotExist,
        OSError,
        ValueError,
        TypeError,
    ) as exc:
        _remove(written)
        raise _refuse(backup.path, str(exc) or type(exc).__name__, code="backup_failed") from exc
    return backup.manifest


def _remove(written: list[tuple]) -> None:
    for storage, name in written:
        try:
            storage.delete(name)
        except OSError:
            continue


def import_installation(path: Path) -> dict:
    """Check, then restore an archive into this (migrated, empty) installation."""
    with open_backup(path) as backup:
        return restore(backup)
