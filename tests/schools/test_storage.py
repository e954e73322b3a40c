"""Uploaded files kept in PostgreSQL reach every node: the database storage."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from monitoring.models import ImportJob
from schools.models import StoredFile
from schools.storage import DatabaseStorage

DATABASE = {
    "default": {"BACKEND": "schools.storage.DatabaseStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def storage(db):
    return DatabaseStorage()


def test_saved_file_reads_back_with_its_size(storage):
    name = storage.save("imports/2026/протокол.xlsx", ContentFile(b"PK\x03\x04data"))
    assert name == "imports/2026/протокол.xlsx"
    assert storage.exists(name)
    assert storage.size(name) == 8
    with storage.open(name) as handle:
        assert handle.read() == b"PK\x03\x04data"


def test_second_file_of_the_same_name_gets_its_own_name(storage):
    first = storage.save("evidence/акт.pdf", ContentFile(b"one"))
    second = storage.save("evidence/акт.pdf", ContentFile(b"two"))
    assert first != second
    assert storage.open(first).read() == b"one"
    assert storage.open(second).read() == b"two"
    assert StoredFile.objects.count() == 2


def test_deleted_file_is_gone(storage):
    name = storage.save("scans/договор.pdf", ContentFile(b"%PDF"))
    storage.delete(name)
    assert not storage.exists(name)
    with pytest.raises(FileNotFoundError):
        storage.open(name)
    with pytest.raises(FileNotFoundError):
        storage.size(name)


def test_listing_shows_folders_and_files_of_a_folder(storage):
    storage.save("imports/a.xlsx", ContentFile(b"a"))
    storage.save("imports/2026/b.xlsx", ContentFile(b"b"))
    storage.save("evidence/c.pdf", ContentFile(b"c"))
    assert storage.listdir("imports") == (["2026"], ["a.xlsx"])
    assert storage.listdir("") == (["evidence", "imports"], [])


def test_files_have_no_public_address(storage):
    name = storage.save("imports/a.xlsx", ContentFile(b"a"))
    with pytest.raises(NotImplementedError):
        storage.url(name)


def test_files_are_never_written_in_place(storage):
    name = storage.save("imports/a.xlsx", ContentFile(b"a"))
    with pytest.raises(Exception, match="только читаются"):
        storage.open(name, "wb")


@override_settings(STORAGES=DATABASE)
def test_import_source_uploaded_and_downloaded_through_the_database(
    client, analyst, settings
):
    settings.PROTECTED_FILES_ACCEL_PREFIX = "/protected/"
    assert isinstance(storages["default"], DatabaseStorage)
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.PACKAGE,
        file=SimpleUploadedFile("пакет.xlsx", b"PK-package-bytes"),
        original_name="пакет.xlsx",
        size=16,
        params={},
        uploaded_by=analyst,
    )
    stored = StoredFile.objects.get()
    assert stored.name == job.file.name
    assert bytes(stored.content) == b"PK-package-bytes"
    client.force_login(analyst)
    response = client.get(reverse("monitoring:import-file", args=[job.pk]))
    assert response.status_code == 200
    # Not a local folder: streamed from the database, never an X-Accel path.
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == b"PK-package-bytes"
