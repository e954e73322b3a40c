from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from schools.admin_titles import RussianTitles

from .models import (
    AssessmentResult,
    Campaign,
    MarkComparison,
    OutcomesData,
    Report,
    ReportEvent,
    ResourcesData,
    SocialPassportData,
    StaffingData,
    Subject,
)


class ReadOnlyMixin:
    """Figures change only through the portal, where validation and workflow apply."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(RussianTitles, ReadOnlyMixin, SimpleHistoryAdmin):
    """Read-only, with the figures' history (django-simple-history)."""


@admin.register(Subject)
class SubjectAdmin(RussianTitles, admin.ModelAdmin):
    list_display = ["name", "short", "order"]


@admin.register(Campaign)
class CampaignAdmin(RussianTitles, admin.ModelAdmin):
    list_display = [
        "title",
        "municipality",
        "year",
        "deadline",
        "order_number",
        "is_open",
    ]
    list_filter = ["is_open", "year", "municipality"]


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    readonly_fields = ["action", "from_status", "to_status", "reason", "by", "at"]
    can_delete = False


@admin.register(Report)
class ReportAdmin(RussianTitles, ReadOnlyMixin, admin.ModelAdmin):
    # A report's own states are its events (the inline); the figures' history is
    # on each data model's page.
    list_display = ["school", "year", "kind", "status", "version", "submitted_at"]
    list_filter = ["kind", "status", "year", "school__municipality"]
    search_fields = ["school__short_name", "school__code"]
    list_select_related = ["school", "year"]
    readonly_fields = ["version", "updated_at", "updated_by", "submitted_at"]
    inlines = [EventInline]


for model in (
    StaffingData,
    SocialPassportData,
    ResourcesData,
    OutcomesData,
    AssessmentResult,
    MarkComparison,
):
    admin.site.register(model, ReadOnlyAdmin)
