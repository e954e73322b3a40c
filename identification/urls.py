from django.urls import path

from . import views, views_dashboard

app_name = "identification"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views_dashboard.dashboard_view, name="dashboard"),
    path(
        "runs/<int:pk>/dashboard/", views_dashboard.dashboard_view, name="run-dashboard"
    ),
    path("runs/<int:pk>/charts/<slug:name>/", views_dashboard.chart_view, name="chart"),
    path("runs/<int:pk>/report/", views_dashboard.report_view, name="run-report"),
    path("schools/<int:school_id>/", views_dashboard.profile_view, name="profile"),
    path("runs/new/", views.run_create, name="run-create"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/restart/", views.run_restart, name="run-restart"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run-approve"),
    path("runs/<int:pk>/schools/<int:school_id>/", views.run_school, name="run-school"),
    path(
        "runs/<int:pk>/schools/<int:school_id>/override/",
        views.override_set,
        name="override",
    ),
    path("lists/<int:pk>/", views.list_detail, name="list-detail"),
    path("methodologies/", views.methodology_list, name="methodology-list"),
    path(
        "methodologies/<int:pk>/", views.methodology_detail, name="methodology-detail"
    ),
    path(
        "methodologies/<int:pk>/edit/", views.methodology_edit, name="methodology-edit"
    ),
    path(
        "methodologies/<int:pk>/preview/",
        views.methodology_preview,
        name="methodology-preview",
    ),
    path(
        "methodologies/<int:pk>/copy/", views.methodology_copy, name="methodology-copy"
    ),
]
