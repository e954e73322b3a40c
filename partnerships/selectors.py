"""Reading the gradation of a municipality's schools from an identification run."""

from __future__ import annotations

from typing import Any

from identification import permissions as identification_permissions
from identification.models import CriterionResult, IdentificationRun, OfficialList
from schools import access
from schools.models import Municipality, User

from . import gradation
from .models import GradationScale


def scale_for(municipality: Municipality) -> GradationScale:
    """The municipality's scale (the default one, unsaved, when it has not set its own)."""
    return GradationScale.objects.filter(municipality=municipality).first() or GradationScale(municipality=municipality)


def base_run(user: User, municipality: Municipality, requested: Any = None) -> IdentificationRun | None:
    """
    The run the gradation reads: the one asked for, else the run behind the
    municipality's current official list, else its latest finished run.
    """
    runs = IdentificationRun.objects.filter(status=IdentificationRun.Status.DONE, municipalities=municipality)
    if access.role_of(user) != access.Role.OPERATOR:
        runs = runs.filter(pk__in=identification_permissions.runs_visible_to(user).values("pk"))
    if requested:
        chosen = runs.filter(pk=requested).first()
        if chosen:
            return chosen
    official = OfficialList.objects.filter(municipality=municipality, superseded_at__isnull=True).select_related("run").order_by("-year__start_year").first()
    if official is not None:
        return official.run
    return runs.order_by("-target_year__start_year", "-pk").first()


def bands(run: IdentificationRun, municipality: Municipality, scale: GradationScale) -> list[dict[str, Any]]:
    """Every active school of the municipality in the run with its composite index and band, highest first."""
    rows = list(
        CriterionResult.objects.filter(run=run, criterion="L1", school__municipality=municipality, school__is_active=True)
        .values("school_id", "value", "school__short_name", "school__school_type")
    )
    grades = gradation.grade({r["school_id"]: r["value"] for r in rows}, method=scale.method, low=scale.low, high=scale.high)
    out = [
        {"school_id": r["school_id"], "school": r["school__short_name"], "school_type": r["school__school_type"], "value": r["value"],
         "band": grades[r["school_id"]], "band_label": gradation.BAND_LABELS[grades[r["school_id"]]]}
        for r in rows
    ]
    order = [gradation.HIGH, gradation.MIDDLE, gradation.LOW, gradation.NO_DATA]
    return sorted(out, key=lambda r: (order.index(r["band"]), -(r["value"] if r["value"] is not None else 0), r["school"]))
