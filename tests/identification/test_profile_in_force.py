"""The profile leads with the status in force and says what each flag does."""

from django.urls import reverse

from identification import services


def test_the_profile_shows_the_decision_and_no_longer_says_the_school_is_out(
    client_for, analyst, town, town_run, school
):
    services.override_set(
        school=school,
        year=town_run.target_year,
        status="ШНОР",
        reason="Решение методического совета",
        by=analyst,
    )
    page = client_for(analyst).get(
        reverse("identification:profile", args=[school.pk]), {"run": town_run.pk}
    )
    body = page.content.decode()
    assert page.context["in_force"]["status"] == "ШНОР"
    assert "по решению (рассчитано: нет): Решение методического совета" in body
    assert "Почему школа" not in body
    assert "Решение о статусе принято" in body


def test_a_flag_that_does_not_decide_the_status_says_so(
    client_for, analyst, town, town_run
):
    # СОШ № 8 is ШНОР in the town; its flagged risk criteria (L2–L7 in the
    # combined preset) are labelled as not changing the status.
    school = town["МБОУ «СОШ № 8»"]
    page = client_for(analyst).get(
        reverse("identification:run-school", args=[town_run.pk, school.pk])
    )
    roles = {
        item.criterion: item.role
        for item in page.context["criteria"]
        if item.state == "flagged"
    }
    assert roles == {
        "L1": "ШНОР",
        "L2": "риск, на статус не влияет",
        "N2": "риск, на статус не влияет",
    }
    body = page.content.decode()
    assert body.count("риск, на статус не влияет") == 2
