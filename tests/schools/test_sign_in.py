"""
Password guessing stops after repeated failures (login, admin login, password
reset), administrators unlock, the second factor works, and it is all logged.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.models import AuditEvent
from tests.conftest import log_in

LIMIT = 10  # settings.AXES_FAILURE_LIMIT's default


def wrong(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = client.post(
            reverse("login"),
            {"username": username, "password": "не тот"},
            REMOTE_ADDR=address,
        )
    return response


def test_forty_wrong_passwords_then_the_right_one_does_not_log_in(client, operator):
    wrong(client, "operator", 40)
    response = client.post(
        reverse("login"), {"username": "operator", "password": "pass-12345"}
    )
    assert response.status_code == 429
    assert "Вход временно закрыт" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_limit_counts_per_account_from_any_address(client, operator):
    for n in range(LIMIT):
        wrong(client, "operator", 1, address=f"10.0.1.{n}")
    response = client.post(
        reverse("login"),
        {"username": "operator", "password": "pass-12345"},
        REMOTE_ADDR="10.0.2.1",
    )
    assert response.status_code == 429


def test_the_limit_counts_per_address_over_many_accounts(client, operator, analyst):
    for n in range(LIMIT):
        wrong(client, f"guess{n}", 1, address="10.9.9.9")
    response = client.post(
        reverse("login"),
        {"username": "analyst", "password": "pass-12345"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 429


def test_admin_login_is_locked_out_too(client, administrator):
    for _ in range(LIMIT):
        client.post(
            "/admin/login/",
            {"username": "root", "password": "x"},
            REMOTE_ADDR="1.2.3.4",
        )
    response = client.post(
        "/admin/login/",
        {"username": "root", "password": "pass-12345"},
        REMOTE_ADDR="1.2.3.4",
    )
    assert response.status_code == 429


def test_lockout_ends_after_the_cool_off(client, operator):
    wrong(client, "operator", LIMIT)
    assert not log_in(client, "operator", "pass-12345")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)):
        assert log_in(client, "operator", "pass-12345")


def test_administrator_unlocks_from_the_persons_page(
    client, client_for, operator, administrator
):
    wrong(client, "operator", LIMIT)
    admin_client = client_for(administrator)
    page = admin_client.get(reverse("schools:user-edit", args=[operator.pk]))
    assert "вход заблокирован" in page.content.decode()
    admin_client.post(reverse("schools:user-unlock", args=[operator.pk]))
    admin_client.logout()
    assert log_in(client, "operator", "pass-12345")
    assert AuditEvent.objects.filter(event="unlocked", target=str(operator)).exists()


def test_only_administrators_unlock(client_for, analyst, operator):
    response = client_for(analyst).post(
        reverse("schools:user-unlock", args=[operator.pk])
    )
    assert response.status_code == 403


def test_behind_a_proxy_the_forwarded_address_counts(rf, settings):
    from schools.auth import client_ip

    request = rf.get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 5.5.5.5", REMOTE_ADDR="127.0.0.1"
    )
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    # The client may forge the left of the chain; the proxy appended the right.
    assert client_ip(request) == "5.5.5.5"


# Password reset -----------------------------------------------------------------


def test_password_reset_requests_are_limited(client, operator, settings):
    operator.email = "op@example.org"
    operator.save()
    url = reverse("password_reset")
    for _ in range(settings.PASSWORD_RESET_LIMIT):
        assert client.post(url, {"email": "op@example.org"}).status_code == 302
    response = client.post(url, {"email": "op@example.org"})
    assert response.status_code == 429
    assert "Слишком много попыток" in response.content.decode()
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT


def test_invited_person_without_a_password_can_ask_for_a_new_link(client, operator):
    operator.email = "new@example.org"
    operator.set_unusable_password()
    operator.save()
    client.post(reverse("password_reset"), {"email": "new@example.org"})
    assert mail.outbox[0].to == ["new@example.org"]


def test_bad_reset_links_are_limited_per_address(client, operator):
    url = reverse("password_reset_confirm", args=["MQ", "bad-token"])
    for _ in range(LIMIT):
        assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


# Second factor -------------------------------------------------------------------


def code(device):
    device.refresh_from_db()
    return str(
        totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    ).zfill(device.digits)


def test_second_factor_is_set_up_and_then_asked_at_every_login(client, operator):
    assert log_in(client, "operator", "pass-12345")
    page = client.get(reverse("otp-setup")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=operator)
    client.post(reverse("otp-setup"), {"token": code(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.post(reverse("logout"))
    assert log_in(client, "operator", "pass-12345")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-verify"))
    bad = client.post(reverse("otp-verify"), {"token": "000000", "next": "/"})
    assert "Код не подошёл" in bad.content.decode()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=31)):
        good = client.post(reverse("otp-verify"), {"token": code(device), "next": "/"})
        assert good.status_code == 302
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    ("persona", "asked"), [("approver", True), ("operator", False)]
)
def test_required_second_factor_for_approvers_and_administrators(
    client, request, settings, persona, asked
):
    settings.OTP_REQUIRED = True
    person = request.getfixturevalue(persona)
    assert log_in(client, person.username, "pass-12345")
    response = client.get(reverse("home"))
    if asked:
        assert response["Location"].startswith(reverse("otp-setup"))
    else:
        assert response.status_code == 200


def test_administrator_resets_a_lost_second_factor(client_for, administrator, operator):
    TOTPDevice.objects.create(user=operator, name="x", confirmed=True)
    client_for(administrator).post(
        reverse("schools:user-otp-reset", args=[operator.pk])
    )
    assert not TOTPDevice.objects.filter(user=operator).exists()
    assert AuditEvent.objects.filter(event="otp_reset").exists()


# The log ---------------------------------------------------------------------------


def test_logins_failures_and_lockouts_are_logged(client, operator):
    log_in(client, "operator", "pass-12345")
    client.post(reverse("logout"))
    wrong(client, "operator", LIMIT)
    events = list(AuditEvent.objects.values_list("event", flat=True))
    assert events.count("login") == 1
    assert events.count("login_failed") == LIMIT
    assert "lockout" in events
    failed = AuditEvent.objects.filter(event="login_failed").first()
    assert failed.address == "10.0.0.1"
    assert failed.municipality_id == operator.schools.first().municipality_id


def test_the_log_refuses_changes(operator):
    from django.core.exceptions import ValidationError

    from schools import audit

    line = audit.record(None, audit.Event.LOGIN, by=operator)
    line.detail = "подделка"
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()


def test_approvals_overrides_imports_and_exports_are_logged(client, db, world):
    from django.urls import reverse as url

    place = world.places["A"]
    events = AuditEvent.objects.filter(municipality=place.municipality)
    kinds = set(events.values_list("event", flat=True))
    assert {"approval", "override"} <= kinds
    client.force_login(place.analyst)
    client.get(url("schools:school-list") + "?format=xlsx")
    export = AuditEvent.objects.filter(event="export", actor=place.analyst).first()
    assert export.target == "школы.xlsx"
    assert export.detail == "/schools/?format=xlsx"
    assert export.municipality_id == place.municipality.pk


def test_analyst_reads_only_own_municipality_in_the_log(client, db, world):
    from django.urls import reverse as url

    client.force_login(world.places["A"].analyst)
    page = client.get(url("schools:audit-log")).content.decode()
    assert "Альфа" in page
    assert "Бета" not in page
    assert "Гамма" not in page
    client.force_login(world.places["A"].approver)
    assert client.get(url("schools:audit-log")).status_code == 403


def test_administrator_filters_and_exports_the_log(client, db, world):
    import io

    import openpyxl
    from django.urls import reverse as url

    client.force_login(world.people["admin"])
    page = client.get(url("schools:audit-log"), {"event": "approval"}).content.decode()
    assert "Бета" in page
    assert "Гамма" in page
    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(
                url("schools:audit-log"), {"event": "approval", "format": "xlsx"}
            ).content
        )
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Когда", "Событие", "Кто")
    assert {r[1] for r in rows[1:] if r[0] and r[0][:2].isdigit()} == {"утверждение"}


def test_import_is_recorded_as_run_by_the_person_who_pressed_it(db, world):
    from monitoring import importing
    from monitoring.models import ImportJob

    place = world.places["A"]
    job = place.objects["import"]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.READY)
    job.refresh_from_db()
    importing.import_job_start(job=job, by=world.people["region_analyst"])
    job.refresh_from_db()
    assert job.imported_by == world.people["region_analyst"]
    assert job.uploaded_by == place.analyst


def test_role_and_scope_changes_are_logged(
    client_for, administrator, analyst, municipality
):
    from schools.models import User

    person = User.objects.create(username="uo7", role="operator")
    person.schools.set([])
    client_for(administrator).post(
        f"/schools/people/{person.pk}/edit/",
        {
            "username": "uo7",
            "last_name": "П",
            "first_name": "И",
            "role": "approver",
            "municipality": municipality.pk,
            "is_active": "on",
        },
    )
    line = AuditEvent.objects.get(
        event="access_changed", target=str(User.objects.get(pk=person.pk))
    )
    assert "роль: Оператор школы → Управление образования" in line.detail
    assert line.actor == administrator
    assert line.municipality_id == municipality.pk
