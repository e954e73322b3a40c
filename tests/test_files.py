"""
Every stored file is downloaded only through a view that asks the access
module: as each role, each kind of file answers the file (as an attachment
with a safe type) or 404/403, never the bytes of someone else's file.
"""

import pytest
from django.urls import reverse

from tests.world import IDENTITIES, PDF

# kind of file → (url of municipality A's file, who may download it)
STAFF_A = {"admin", "region_analyst", "analyst_a", "approver_a"}
FILES = {
    "evidence": (
        lambda o: reverse("roadmaps:evidence-file", args=[o["evidence"].pk]),
        STAFF_A | {"operator_a1"},  # the item's responsible school
    ),
    "event materials": (
        lambda o: reverse("partnerships:event-file", args=[o["event"].pk]),
        STAFF_A | {"operator_a1"},  # a party of the partnership
    ),
    "agreement scan": (
        lambda o: reverse("partnerships:agreement-scan", args=[o["partnership"].pk]),
        STAFF_A | {"operator_a1"},
    ),
    "import source": (
        lambda o: reverse("monitoring:import-file", args=[o["import"].pk]),
        {"admin", "region_analyst", "analyst_a"},
    ),
}


def _client(client, world, identity):
    person = world.people[identity]
    if person is not None:
        client.force_login(person)
    return client


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("kind", list(FILES))
def test_each_file_is_downloaded_only_by_those_who_may(
    client, db, world, identity, kind
):
    url_of, allowed = FILES[kind]
    response = _client(client, world, identity).get(url_of(world.places["A"].objects))
    if identity == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    elif identity in allowed:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        content = b"".join(response.streaming_content)
        assert content.startswith(PDF) or content.startswith(b"PK")
    else:
        assert response.status_code in (403, 404)
        assert not getattr(response, "streaming", False)


@pytest.mark.parametrize("kind", list(FILES))
def test_a_file_of_the_second_region_is_out_of_the_regional_analysts_reach(
    client, db, world, kind
):
    url_of, _ = FILES[kind]
    response = _client(client, world, "region_analyst").get(
        url_of(world.places["C"].objects)
    )
    assert response.status_code == 404


def test_content_type_comes_from_the_suffix_not_the_upload(client, db, world):
    from schools.files import content_type

    assert content_type("протокол.pdf") == "application/pdf"
    assert content_type("page.html") == "application/octet-stream"
    assert content_type("image.svg") == "application/octet-stream"
    response = _client(client, world, "analyst_a").get(
        reverse(
            "roadmaps:evidence-file", args=[world.places["A"].objects["evidence"].pk]
        )
    )
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]


def test_production_hands_the_bytes_to_the_web_server(client, db, world, settings):
    """With a local folder and an internal location, nginx sends the file."""
    from django.core.files.storage import FileSystemStorage

    from roadmaps.models import Evidence

    settings.PROTECTED_FILES_ACCEL_PREFIX = "/protected/"
    evidence = world.places["A"].objects["evidence"]
    field = Evidence._meta.get_field("file")
    original = field.storage
    field.storage = FileSystemStorage(location="/nonexistent")
    try:
        response = _client(client, world, "analyst_a").get(
            reverse("roadmaps:evidence-file", args=[evidence.pk])
        )
    finally:
        field.storage = original
    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith("/protected/roadmaps/")
    assert response.content == b""


def test_no_template_links_a_stored_file_directly():
    """Links to /media/… would be dead, and serving the folder would publish it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    direct = re.compile(r"(file|scan|materials_file|agreement_scan)\.url\b")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_media_folder_is_not_served(client, db, world):
    evidence = world.places["A"].objects["evidence"]
    _client(client, world, "admin")
    assert client.get(f"/media/{evidence.file.name}").status_code == 404


@pytest.mark.parametrize(
    "name", ["страница.html", "картинка.svg", "программа.exe", "скрипт.js", "нет"]
)
def test_dangerous_types_are_refused_as_evidence(db, world, name):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from roadmaps import services

    place = world.places["A"]
    with pytest.raises(ValidationError, match="не подходит"):
        services.execution_add(
            item=place.objects["item"],
            text="",
            by=place.operators[0],
            upload=SimpleUploadedFile(name, b"<script>alert(1)</script>"),
        )


def test_path_traversal_in_a_file_name_stays_in_its_folder(db, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from roadmaps import services

    place = world.places["A"]
    item = place.objects["item"]
    services.execution_add(
        item=item,
        text="",
        by=place.operators[0],
        upload=SimpleUploadedFile("../../../etc/passwd.pdf", PDF),
    )
    stored = item.evidence.order_by("-pk").first().file.name
    assert stored.startswith(f"roadmaps/{item.roadmap_id}/{item.pk}/")
    assert ".." not in stored
    assert stored.endswith(".pdf")
