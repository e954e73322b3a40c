"""
Stored files leave the portal only here: as an attachment, with a content type
from a short list, after the calling view has asked the access module.

Nothing serves the media folder: import sources hold every school's data and
sit at guessable paths. In production the web server sends the bytes through
an internal location (`PROTECTED_FILES_ACCEL_PREFIX`, nginx's X-Accel-Redirect)
so that a large scan does not hold a Python worker; storages that are not a
local folder are streamed from the storage.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

# Content types the portal admits for uploads; anything else is sent as bytes.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".zip": "application/zip",
}
OCTET_STREAM = "application/octet-stream"


def content_type(name: str) -> str:
    """Return the content type of a stored file by its suffix (bytes when unknown)."""
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), OCTET_STREAM)


def download_name(stored: FieldFile, name: str = "") -> str:
    """Return the name the browser saves the file under: the given one or the stored one's."""
    return PurePosixPath(name or stored.name).name or "файл"


def attachment(filename: str) -> str:
    """The Content-Disposition of a download; «2021/2022» in a name stays one name."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def generated_response(
    request: HttpRequest, content: bytes, *, content_type: str, filename: str
) -> HttpResponse:
    """A document the portal made (xlsx, docx) as a logged download."""
    from .audit import Event, record

    record(request, Event.EXPORT, target=filename, detail=request.get_full_path())
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment(filename)
    return response


def file_response(
    request: HttpRequest, stored: FieldFile, *, name: str = ""
) -> HttpResponse:
    """
    Return the stored file as a download (logged). The caller has already
    checked, through the access module, that the person may see the object
    the file belongs to.
    """
    from .audit import Event, record

    if not stored:
        raise Http404("Файл не найден.")
    filename = download_name(stored, name)
    record(request, Event.EXPORT, target=filename, detail=request.path)
    kind = content_type(filename)
    prefix = settings.PROTECTED_FILES_ACCEL_PREFIX
    if prefix and isinstance(stored.storage, FileSystemStorage):
        response = HttpResponse(content_type=kind)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored.name)
    else:
        try:
            handle = stored.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("Файл не найден в хранилище.") from None
        response = FileResponse(handle, content_type=kind)
    response["Content-Disposition"] = attachment(filename)
    response["X-Content-Type-Options"] = "nosniff"
    # A file opened from the download page cannot run scripts on the portal's origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
