from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("", views.index, name="index"),
    path("gradation/", views.gradation_view, name="gradation"),
    path("campaigns/<int:pk>/suggest/", views.suggestions, name="suggest"),
    path("campaigns/<int:pk>/plan/", views.general_plan, name="general-plan"),
    path("campaigns/<int:pk>/network/", views.network, name="network"),
    path("<int:pk>/", views.detail, name="detail"),
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
