from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from simple_history.admin import SimpleHistoryAdmin

from .admin_titles import RussianTitles
from .models import AcademicYear, Municipality, Region, School, User


@admin.register(Region)
class RegionAdmin(RussianTitles, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(RussianTitles, admin.ModelAdmin):
    list_display = ["name", "region", "hide_small_shares"]
    list_filter = ["region"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(RussianTitles, SimpleHistoryAdmin):
    list_display = [
        "short_name",
        "code",
        "municipality",
        "school_type",
        "is_rural",
        "distance_km",
        "is_active",
    ]
    list_filter = ["is_active", "school_type", "is_rural", "municipality__region"]
    search_fields = ["short_name", "full_name", "code", "inn"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


@admin.register(AcademicYear)
class AcademicYearAdmin(RussianTitles, admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date", "is_current"]


@admin.register(User)
class UserAdmin(RussianTitles, SimpleHistoryAdmin, BaseUserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "role",
        "municipality",
        "region",
        "is_active",
    ]
    list_filter = ["role", "is_active", "municipality"]
    search_fields = ["username", "last_name", "first_name", "email"]
    filter_horizontal = ["schools", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Роль и область работы",
            {
                "fields": (
                    "middle_name",
                    "position",
                    "role",
                    "municipality",
                    "region",
                    "schools",
                ),
            },
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (
            "Роль и область работы",
            {
                "fields": (
                    "last_name",
                    "first_name",
                    "middle_name",
                    "email",
                    "role",
                    "municipality",
                    "region",
                    "schools",
                ),
            },
        ),
    )


# Roles are the `role` field with its scope, not Django groups; hiding the group
# page keeps administrators from granting access outside schools/access.py.
admin.site.unregister(Group)
