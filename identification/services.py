"""
Writes of identification: methodology versions, runs (load → engine → store),
overrides and the approval of the official list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from monitoring.importers.bulk import copy_blobs, copy_frame
from schools import access, audit, jobs, notices
from schools.models import AcademicYear, Municipality, Notice, School, User
from schools.sharing import beside
from schools.workflow import NeedsConfirmation, check_order

from . import columns as c
from . import criteria, engine, packing, selectors
from .criteria import LISTED
from .models import (
    CriterionResult,
    IdentificationRun,
    Methodology,
    MethodologyVersion,
    OfficialEntry,
    OfficialList,
    RunDetail,
    SchoolResult,
    StatusOverride,
)

Progress = Callable[[int], None]


def ensure_presets() -> None:
    """Create the three preset methodologies (version 1) when they are missing."""
    for code, name in engine.PRESET_NAMES.items():
        methodology, created = Methodology.objects.get_or_create(
            code=code, defaults={"name": name, "is_preset": True}
        )
        if created or not methodology.versions.exists():
            MethodologyVersion.objects.create(
                methodology=methodology,
                number=1,
                params=engine.preset(code),
                comment="Параметры по умолчанию (methodology.md)",
            )


@transaction.atomic
def methodology_version_create(
    *, methodology: Methodology, params: dict[str, Any], comment: str, by: User | None
) -> MethodologyVersion:
    """Save edited parameters as the methodology's next version (old versions stay)."""
    if methodology.is_preset:
        raise ValidationError(
            "Готовую методику изменить нельзя: создайте свою на её основе."
        )
    if not comment.strip():
        raise ValidationError(
            {"comment": "Напишите, что и почему изменено: версия останется в истории."}
        )
    number = (
        methodology.versions.order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    return MethodologyVersion.objects.create(
        methodology=methodology,
        number=number,
        params=engine.merged(params),
        comment=comment.strip(),
        created_by=by,
    )


@transaction.atomic
def methodology_copy(
    *, source: Methodology, name: str, by: User, owner: str = ""
) -> Methodology:
    """
    Make an own methodology from any visible one, owned by a municipality or a
    region the person may give it to (`permissions.methodology_owners`; the
    first of them when none is named: a municipal analyst's municipality, a
    regional analyst's region).
    """
    from .permissions import methodology_owners

    owners = dict(methodology_owners(by))
    owner = owner or next(iter(owners), "")
    if owner not in owners:
        raise PermissionDenied("Такому владельцу методику создать нельзя.")
    kind, _, pk = owner.partition(":")
    methodology = Methodology(name=name.strip()[:200] or f"{source.name} — своя")
    setattr(methodology, f"{kind}_id", int(pk))
    methodology.code = f"own-{uuid.uuid4().hex[:12]}"
    methodology.full_clean()
    methodology.save()
    MethodologyVersion.objects.create(
        methodology=methodology,
        number=1,
        params=source.current.params,
        comment=f"Создана на основе «{source}»",
        created_by=by,
    )
    return methodology


def fingerprint(
    inputs: engine.Inputs,
    params: dict[str, Any],
    *,
    hashed: dict[str, bytes] | None = None,
) -> str:
    """
    Return a hash of the (prepared, so ordered) input frames and the parameters:
    it changes when any figure changes and stays when nothing did. `hashed`
    holds frames' hashes (frame_hash) computed already.
    """
    digest = hashlib.sha256()
    for name in (
        "schools",
        "results",
        "comparisons",
        "staffing",
        "social",
        "resources",
        "outcomes",
        "regional_means",
    ):
        digest.update(
            (hashed or {}).get(name) or frame_hash(name, getattr(inputs, name))
        )
    digest.update(repr(sorted(_flatten(params))).encode())
    return digest.hexdigest()


def frame_hash(name: str, frame: pd.DataFrame) -> bytes:
    """The bytes one input frame adds to the fingerprint: its name, size, columns and every value."""
    head = f"{name}:{len(frame)}:{','.join(frame.columns)}".encode()
    return head + (
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        if not frame.empty
        else b""
    )


def _prepared_results(results: pd.DataFrame) -> tuple[pd.DataFrame, bytes]:
    ordered = engine.prepare_results(results)
    return ordered, frame_hash("results", ordered)


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [
            item for key, v in value.items() for item in _flatten(v, f"{prefix}.{key}")
        ]
    return [(prefix, repr(value))]


def run_schools(run: IdentificationRun) -> QuerySet[School]:
    # The municipalities as literal ids, not a join through the run's fresh
    # many-to-many rows, of which the planner has no statistics yet.
    return School.objects.filter(
        municipality_id__in=list(run.municipalities.values_list("pk", flat=True)),
        is_active=True,
    )


@transaction.atomic
def run_create(
    *,
    target_year: AcademicYear,
    municipalities: Iterable[Municipality],
    version: MethodologyVersion,
    only_accepted: bool,
    by: User | None,
    params: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> IdentificationRun:
    """Queue a run for the municipalities; the task computes and stores it (the command line runs it at once)."""
    municipalities = list(municipalities)
    if by is not None:
        allowed = set(access.municipalities_visible_to(by).values_list("pk", flat=True))
        if not access.manages(by) or any(m.pk not in allowed for m in municipalities):
            raise PermissionDenied(
                "Выявление запускает аналитик МИМЦ для своего муниципалитета."
            )
        from .permissions import methodologies_visible_to

        if not methodologies_visible_to(by).filter(pk=version.methodology_id).exists():
            raise PermissionDenied("Эта методика вам недоступна.")
    if not municipalities:
        raise ValidationError("Выберите хотя бы один муниципалитет.")
    if enqueue:
        jobs.require_broker()
    run = IdentificationRun(
        target_year=target_year,
        version=version,
        params=engine.merged(params or version.params),
        only_accepted=only_accepted,
        created_by=by,
    )
    jobs.next_attempt(run)
    run.save()
    run.municipalities.set(municipalities)
    if enqueue:
        from .tasks import run_execute_task

        jobs.publish(run_execute_task, run)
    return run


@transaction.atomic
def run_restart(*, run: IdentificationRun, by: User) -> IdentificationRun:
    """
    Queue again a run whose computation was interrupted (its worker lost, the
    queue unreachable). Nothing of the interrupted attempt was stored; the run
    keeps its parameters and computes from the data as they are now.
    """
    if not access.manages(by):
        raise PermissionDenied("Выявление запускает аналитик МИМЦ.")
    run = IdentificationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != IdentificationRun.Status.FAILED or not run.can_restart:
        raise PermissionDenied("Перезапустить можно только прерванное выявление.")
    from .tasks import run_execute_task

    reason, run.messages = " ".join(run.messages), []
    jobs.requeue(run, task=run_execute_task, by=by, reason=reason)
    return run


def run_execute(
    *, run: IdentificationRun, progress: Progress | None = None
) -> IdentificationRun:
    """Load the data, run the engine and store every result in one transaction."""

    def report(percent: int) -> None:
        IdentificationRun.objects.filter(pk=run.pk, attempt=run.attempt).update(
            progress=percent
        )
        if progress:
            progress(percent)

    IdentificationRun.objects.filter(
        pk=run.pk,
        attempt=run.attempt,
        status__in=[IdentificationRun.Status.QUEUED, IdentificationRun.Status.RUNNING],
    ).update(status=IdentificationRun.Status.RUNNING, progress=5)
    schools = run_schools(run)
    target = run.target_year.start_year
    results = selectors.results_frame(
        schools=schools, target_year=target, only_accepted=run.only_accepted
    )
    with beside() as pool:
        # The results are put in order and hashed while the other frames are
        # read; then readiness (waiting on the database) and the rest of the
        # fingerprint go beside the engine, which keeps one core busy in Python.
        ordered = pool.submit(_prepared_results, results)
        inputs = selectors.inputs_frame(
            schools=schools,
            target_year=target,
            only_accepted=run.only_accepted,
            results=results,
        )
        results, results_hash = ordered.result()
        inputs = engine.prepare(dataclasses.replace(inputs, results=results))
        report(35)
        readiness = pool.submit(
            selectors.readiness,
            schools=schools,
            years=engine.years_read(inputs, run.parameters, target),
        )
        digest = pool.submit(
            fingerprint, inputs, run.params, hashed={"results": results_hash}
        )
        output = engine.identify(inputs, run.parameters, target, prepared=True)
        ready = readiness.result()  # the connection is the worker's until then
        report(70)
        store(
            run=run,
            output=output,
            inputs=inputs,
            readiness=ready,
            fingerprint=digest.result(),
            pool=pool,
        )
    report(100)
    return run


@transaction.atomic
def store(
    *,
    run: IdentificationRun,
    output: engine.Output,
    inputs: engine.Inputs,
    readiness: dict[int, list[str]],
    fingerprint: str,
    pool: ThreadPoolExecutor,
) -> None:
    """
    Store a run's results whole (bulk writes): statuses, numbers, and the facts
    per municipality — only while this task still holds the run (under its row
    lock): a duplicate or abandoned task stores nothing.
    """
    if not jobs.still_mine(run, IdentificationRun.Status.RUNNING):
        return
    statuses = output.statuses
    municipality_of = inputs.schools.set_index(c.SCHOOL_ID)[c.MUNICIPALITY_ID]
    # Packing the facts is numpy and zlib beside the writes, which wait on the database.
    packed = pool.submit(packing.pack, output.facts, output.items, municipality_of)
    copy_frame(
        SchoolResult,
        statuses[[c.SCHOOL_ID, c.STATUS, c.SHNOR, c.SHNSU]].assign(run_id=run.pk),
    )
    copy_frame(CriterionResult, output.numbers.assign(run_id=run.pk))
    copy_blobs(
        RunDetail,
        [
            {"run_id": run.pk, "municipality_id": m, "payload": data}
            for m, data in packed.result().items()
        ],
    )
    run.readiness = {str(k): v for k, v in readiness.items()}
    run.fingerprint = fingerprint
    run.years_used = output.years
    run.messages = output.messages
    run.summary = {
        "statuses": statuses[c.STATUS].value_counts().to_dict(),
        "schools": len(statuses),
        "legend": output.legend,
        "context": output.context,
    }
    run.status, run.progress, run.finished_at = (
        IdentificationRun.Status.DONE,
        100,
        timezone.now(),
    )
    run.save(
        update_fields=[
            "years_used",
            "messages",
            "fingerprint",
            "readiness",
            "summary",
            "status",
            "progress",
            "finished_at",
        ]
    )


def run_failed(*, run: IdentificationRun, error: str) -> None:
    IdentificationRun.objects.filter(pk=run.pk, attempt=run.attempt).update(
        status=IdentificationRun.Status.FAILED,
        messages=[f"Ошибка: {error}"],
        finished_at=timezone.now(),
    )


# What if -----------------------------------------------------------------------


def whatif(
    *, base: IdentificationRun, params: dict[str, Any], shown: Any = None
) -> dict[str, Any]:
    """
    Run changed parameters on the base run's data, in memory; return who enters
    and leaves. The run is computed whole (ranks and thresholds are relative to
    all its schools), but only the schools in `shown` (ids; all when None) are
    named or counted — a run may span municipalities the viewer does not see.
    """
    schools = run_schools(base)
    target = base.target_year.start_year
    inputs = selectors.inputs_frame(
        schools=schools, target_year=target, only_accepted=base.only_accepted
    )
    before = engine.identify(inputs, base.params, target).statuses.set_index(
        c.SCHOOL_ID
    )[c.STATUS]
    after = engine.identify(inputs, params, target).statuses.set_index(c.SCHOOL_ID)[
        c.STATUS
    ]
    if shown is not None:
        visible = set(shown)
        before = before[before.index.isin(visible)]
        after = after[after.index.isin(visible)]
    names = dict(schools.values_list("pk", "short_name"))
    changes = [
        {"school": names.get(s, s), "before": before.get(s), "after": after.get(s)}
        for s in after.index
        if before.get(s) != after.get(s)
    ]
    listed = {c.STATUS_SHNOR, c.STATUS_SHNSU, c.STATUS_BOTH}
    return {
        "enter": [
            ch for ch in changes if ch["after"] in listed and ch["before"] not in listed
        ],
        "leave": [
            ch for ch in changes if ch["before"] in listed and ch["after"] not in listed
        ],
        "change": [
            ch for ch in changes if ch["before"] in listed and ch["after"] in listed
        ],
        "counts_before": before.value_counts().to_dict(),
        "counts_after": after.value_counts().to_dict(),
    }


# Overrides and approval ---------------------------------------------------------------


@transaction.atomic
def override_set(
    *, school: School, year: AcademicYear, status: str, reason: str, by: User
) -> StatusOverride:
    """Set a school's status for the year by decision, with a reason; the previous decision stays logged."""
    if (
        not access.manages(by)
        or not access.schools_visible_to(by).filter(pk=school.pk).exists()
    ):
        raise PermissionDenied(
            "Решение о статусе школы принимает аналитик МИМЦ её муниципалитета."
        )
    if not (reason or "").strip():
        raise ValidationError(
            {
                "reason": "Укажите основание решения (например, распоряжение или протокол)."
            }
        )
    StatusOverride.objects.filter(school=school, year=year, is_active=True).update(
        is_active=False
    )
    audit.record(
        None,
        audit.Event.OVERRIDE,
        by=by,
        target=school,
        detail=f"{year}: статус «{status}» по решению; основание: {reason.strip()}",
    )
    return StatusOverride.objects.create(
        school=school, year=year, status=status, reason=reason.strip(), created_by=by
    )


@transaction.atomic
def override_cancel(*, school: School, year: AcademicYear, by: User) -> None:
    if (
        not access.manages(by)
        or not access.schools_visible_to(by).filter(pk=school.pk).exists()
    ):
        raise PermissionDenied("Отменить решение может аналитик МИМЦ.")
    cancelled = StatusOverride.objects.filter(
        school=school, year=year, is_active=True
    ).update(is_active=False)
    if cancelled:
        audit.record(
            None,
            audit.Event.OVERRIDE,
            by=by,
            target=school,
            detail=f"{year}: решение о статусе отменено",
        )


@transaction.atomic
def list_approve(
    *,
    run: IdentificationRun,
    municipality: Municipality,
    order_number: str,
    order_date: Any,
    by: User,
    today: dt.date | None = None,
    confirmed: bool = False,
) -> OfficialList:
    """
    Approve a run's list for a municipality; it becomes the official list of the
    year. The order is checked (a number, a date not in the future); a number
    used that year, or replacing an approved list, asks for confirmation — the
    latter naming the schools that enter and leave it.
    """
    if (
        not (access.is_approver(by) or access.is_administrator(by))
        or not access.municipalities_visible_to(by).filter(pk=municipality.pk).exists()
    ):
        raise PermissionDenied("Список утверждает управление образования.")
    if (
        run.status != IdentificationRun.Status.DONE
        or not run.municipalities.filter(pk=municipality.pk).exists()
    ):
        raise ValidationError(
            "Утвердить можно только завершённое выявление этого муниципалитета."
        )
    # Two department heads approving at once: the second waits here, then sees
    # the first one's list.
    IdentificationRun.objects.select_for_update().get(pk=run.pk)
    # A list is often recorded after the fact — the run recomputed on the data
    # of the year whose order was signed then — so only a future date is refused.
    number, date = check_order(
        number=(order_number or "").lstrip().lstrip("№"),
        date=dt.date.fromisoformat(order_date)
        if isinstance(order_date, str)
        else order_date,
        submitted=None,
        today=today or timezone.localdate(),
    )
    current = list(
        OfficialList.objects.select_for_update().filter(
            municipality=municipality, year=run.target_year, superseded_at__isnull=True
        )
    )
    for active in current:
        if active.run_id == run.pk and active.order_number == number:
            raise ValidationError(
                f"Уже утверждён: список по выявлению № {run.pk} — {active.order_label}."
            )
    overrides = {
        o.school_id: o
        for o in StatusOverride.objects.filter(
            year=run.target_year, is_active=True, school__municipality=municipality
        )
    }
    results = list(
        run.school_results.filter(school__municipality=municipality).select_related(
            "school"
        )
    )
    if not confirmed:
        questions = _approval_questions(
            municipality, run, number, date, current, results, overrides
        )
        if questions:
            raise NeedsConfirmation(" ".join(questions))
    OfficialList.objects.filter(pk__in=[c.pk for c in current]).update(
        superseded_at=timezone.now()
    )
    official = OfficialList.objects.create(
        municipality=municipality,
        year=run.target_year,
        run=run,
        order_number=number,
        order_date=date,
        approved_by=by,
    )
    # «Причины» of the approved list: only the criteria that decide a status.
    flagged = selectors.flagged_reasons(
        run,
        municipalities=[municipality.pk],
        only=criteria.deciding(run.parameters),
    )
    entries = []
    for result in results:
        override = overrides.get(result.school_id)
        entries.append(
            OfficialEntry(
                official_list=official,
                school=result.school,
                status=override.status if override else result.status,
                computed_status=result.status,
                override_reason=override.reason if override else "",
                reasons="\n".join(flagged.get(result.school_id, [])),
            )
        )
    OfficialEntry.objects.bulk_create(entries)
    official.refresh_from_db(fields=["order_date"])  # typed, whatever was passed
    audit.record(
        None,
        audit.Event.APPROVAL,
        by=by,
        target=official,
        municipality=municipality,
        detail=f"список ШНОР/ШНСУ на {run.target_year} по выявлению № {run.pk}, "
        f"{official.order_label}",
    )
    notices.notify(
        access.staff_of(municipality.pk, User.Role.ANALYST),
        kind=Notice.Kind.APPROVED,
        title=f"Утверждён список ШНОР/ШНСУ на {run.target_year}: {municipality}",
        text=official.order_label,
        url=official.get_absolute_url(),
    )
    return official


def _approval_questions(
    municipality: Municipality,
    run: IdentificationRun,
    number: str,
    date: dt.date,
    current: list[OfficialList],
    results: list[Any],
    overrides: dict[int, StatusOverride],
) -> list[str]:
    """What the approver must confirm: a reused order number, a replaced list."""
    questions = []
    used = OfficialList.objects.filter(
        municipality=municipality, order_number=number, order_date__year=date.year
    ).first()
    if used is not None:
        questions.append(
            f"Приказ № {number} {date.year} года уже утвердил список на {used.year} "
            f"({used.order_label}). Если это тот же приказ, подтвердите."
        )
    for active in current:
        before = set(
            active.entries.filter(status__in=LISTED).values_list(
                "school__short_name", flat=True
            )
        )
        after = {
            r.school.short_name
            for r in results
            if (overrides[r.school_id].status if r.school_id in overrides else r.status)
            in LISTED
        }
        entering, leaving = sorted(after - before), sorted(before - after)
        change = "; ".join(
            part
            for part in (
                f"войдут: {', '.join(entering)}" if entering else "",
                f"выйдут: {', '.join(leaving)}" if leaving else "",
            )
            if part
        )
        questions.append(
            f"Новый список заменит утверждённый ({active.order_label}): "
            + (change or "состав школ не меняется")
            + "."
        )
    return questions


def run_document(
    run: IdentificationRun, *, preset: str | None = None
) -> dict[str, Any]:
    """Return the run as the command line's JSON document (formats.md §2)."""
    schools = {r.school_id: r for r in run.school_results.select_related("school")}
    details = selectors.run_details(run)
    flags: dict[int, list[dict[str, Any]]] = {}
    for row in run.criterion_results.order_by("school_id", "criterion"):
        explanation = details.get(row.school_id, {}).get(row.criterion, ["", {}])[0]
        flags.setdefault(row.school_id, []).append(
            {
                "criterion": row.criterion,
                "state": row.state,
                "flagged": row.state == c.FLAGGED,
                "value": row.value,
                "threshold": row.threshold,
                "rank": row.rank,
                "margin": row.margin,
                "explanation": explanation,
            }
        )
    return {
        "run_id": run.pk,
        "target_year": run.target_year.name,
        "preset": preset or run.version.methodology.code,
        "years_used": run.years_used.get("R1", []),
        "fingerprint": run.fingerprint,
        "messages": run.messages,
        "schools": [
            {
                "code": r.school.code,
                "name": r.school.short_name,
                "status": r.status,
                "shnor": r.shnor,
                "shnsu": r.shnsu,
                "flags": flags.get(s, []),
            }
            for s, r in sorted(schools.items(), key=lambda item: item[1].school.code)
        ],
    }
