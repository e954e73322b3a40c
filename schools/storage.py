"""
Uploaded files kept in the database, so that every web node and every worker
reaches them with nothing but the PostgreSQL they already share.

The portal's files are small (imports up to UPLOAD_MAX_BYTES, evidence and
scans up to EVIDENCE_MAX_BYTES) and few; keeping them in PostgreSQL makes a
region's backup one pg_dump and needs no shared disk or object store. A region
that has an S3-compatible store sets FILE_STORAGE=s3 (django-storages) instead.
Files are never served from a URL of the storage: views that ask the access
module stream them (schools.files).
"""

from __future__ import annotations

import io
from typing import IO, Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible


@deconstructible
class DatabaseStorage(Storage):
    """A Django storage whose files are rows of schools.StoredFile."""

    def _model(self) -> Any:
        from .models import StoredFile

        return StoredFile

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode:
            raise SuspiciousFileOperation("Файлы в базе данных только читаются.")
        try:
            content = (
                self._model().objects.values_list("content", flat=True).get(name=name)
            )
        except self._model().DoesNotExist:
            raise FileNotFoundError(name) from None
        return File(io.BytesIO(bytes(content)), name=name)

    def _save(self, name: str, content: IO[bytes]) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode()
        with transaction.atomic():
            name = self.get_available_name(name)
            self._model().objects.create(
                name=name, content=data, size=len(data), created_at=timezone.now()
            )
        return name

    def exists(self, name: str) -> bool:
        return self._model().objects.filter(name=name).exists()

    def delete(self, name: str) -> None:
        self._model().objects.filter(name=name).delete()

    def size(self, name: str) -> int:
        try:
            return self._model().objects.values_list("size", flat=True).get(name=name)
        except self._model().DoesNotExist:
            raise FileNotFoundError(name) from None

    def get_created_time(self, name: str) -> Any:
        return self._model().objects.values_list("created_at", flat=True).get(name=name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = path.rstrip("/") + "/" if path else ""
        names = (
            self._model()
            .objects.filter(name__startswith=prefix)
            .values_list("name", flat=True)
        )
        folders, files = set(), []
        for name in names:
            rest = name[len(prefix) :]
            if "/" in rest:
                folders.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(folders), sorted(files)

    def url(self, name: str | None) -> str:
        # Files leave the portal only through views that check access.
        raise NotImplementedError("Файлы отдаются только через страницы портала.")
