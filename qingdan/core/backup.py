"""Backup and restore of a whole installation: database rows and uploaded files.

The archive is a .tar.gz holding `manifest.json`, `data.json` (Django serialisation
with natural foreign keys, so permissions and content types match whatever the target
database numbered them) and `media/`. Personal data stays encrypted in the archive:
restoring needs the same QINGDAN_ENCRYPTION_KEY. Restoring goes into a migrated,
empty installation in one transaction: it either all arrives or nothing does.
"""

import base64
import datetime as dt
import decimal
import io
import json
import tarfile
import tempfile
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from .errors import ActionError

FORMAT = "qingdan-backup-1"
# Rebuilt by migrate, or not worth keeping.
EXCLUDED = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "admin.logentry",
}


def _models():
    ordered = []
    for model in serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()]
    ):
        if model._meta.label_lower in EXCLUDED or not model._meta.managed:
            continue
        if model._meta.proxy:
            continue
        ordered.append(model)
    return ordered


def _full_precision(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def export_installation(path: Path) -> dict:
    """Write the archive; return the manifest (counts per model)."""
    media_root = Path(settings.MEDIA_ROOT)
    counts: dict[str, int] = {}
    rows: list[dict] = []
    for model in _models():
        queryset = model._default_manager.order_by("pk")
        counts[model._meta.label_lower] = queryset.count()
        rows.extend(
            serializers.serialize("python", queryset.iterator(), use_natural_foreign_keys=True)
        )
    # Django's JSON encoder cuts times to milliseconds; a backup keeps them whole.
    data = json.dumps(rows, default=_full_precision, ensure_ascii=False)
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "counts": counts}
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in (
            ("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1)),
            ("data.json", data),
        ):
            raw = payload.encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
        if media_root.exists():
            archive.add(media_root, arcname="media")
    return manifest


def import_installation(path: Path) -> dict:
    """Restore an archive into this (empty) installation; return its manifest."""
    try:
        archive = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise ActionError(
            f"{path}: not a Qingdan backup ({exc})", code="backup_unreadable"
        ) from exc
    with archive, tempfile.TemporaryDirectory() as tmp:
        try:
            manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
        except (KeyError, ValueError) as exc:
            raise ActionError(f"{path}: no manifest", code="backup_unreadable") from exc
        if manifest.get("format") != FORMAT:
            raise ActionError(f"{path}: unknown format", code="backup_unreadable")
        from qingdan.cases.models import Case
        from qingdan.orgs.models import Jurisdiction

        if Case.objects.exists() or Jurisdiction.objects.exists():
            raise ActionError(
                "This installation already has data; restore into an empty database.",
                code="backup_target_not_empty",
            )
        archive.extractall(tmp, filter="data")
        rows = json.loads((Path(tmp) / "data.json").read_text())
        with transaction.atomic():
            restored = set()
            for item in serializers.deserialize("python", rows, handle_forward_references=True):
                # save_base with raw=True, as loaddata does: no model save() logic runs.
                item.save()
                restored.add(type(item.object))
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(restored)):
                    cursor.execute(statement)
        media = Path(tmp) / "media"
        if media.exists():
            target = Path(settings.MEDIA_ROOT)
            for source in media.rglob("*"):
                if source.is_file():
                    destination = target / source.relative_to(media)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(source.read_bytes())
    return manifest
