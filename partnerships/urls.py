from django.urls import path

from schools.workflow_views import transition_urls

from . import permissions, views
from .workflows import GENERAL_PLAN, PARTNERSHIP

app_name = "partnerships"

urlpatterns = [
    path("", views.index, name="index"),
    path("gradation/", views.gradation_view, name="gradation"),
    path("campaigns/open/", views.campaign_open, name="campaign-open"),
    path("campaigns/<int:pk>/suggest/", views.suggestions, name="suggest"),
    path("campaigns/<int:pk>/plan/", views.general_plan, name="general-plan"),
    path("campaigns/<int:pk>/network/", views.network, name="network"),
    path("<int:pk>/", views.detail, name="detail"),
    *transition_urls(PARTNERSHIP, permissions.get_partnership_for_user),
    *transition_urls(
        GENERAL_PLAN, permissions.get_general_plan_for_user, prefix="general-plans/"
    ),
    path("<int:pk>/events/new/", views.event_record, name="event-record"),
    path("<int:pk>/agreement/save/", views.agreement_save, name="agreement-save"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path("<int:pk>/agreement/scan/", views.agreement_scan, name="agreement-scan"),
    path("events/<int:pk>/file/", views.event_file, name="event-file"),
    path("<int:pk>/activities/new/", views.activity_edit, name="activity-create"),
    path(
        "<int:pk>/activities/<int:activity_pk>/",
        views.activity_edit,
        name="activity-edit",
    ),
]
