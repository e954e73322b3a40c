from django.urls import path

from schools.workflow_views import transition_urls

from . import permissions, views, views_imports
from .workflows import CAMPAIGN, REPORT

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/accept/", views.campaign_accept, name="campaign-accept"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign-remind"),
    *transition_urls(CAMPAIGN, permissions.get_campaign_for_user, prefix="campaigns/"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path(
        "reports/<int:pk>/save-submit/",
        views.report_save_submit,
        name="report-save-submit",
    ),
    *transition_urls(REPORT, permissions.get_report_for_user, prefix="reports/"),
    path("reports/<int:pk>/history/", views.report_history, name="report-history"),
    path("imports/", views_imports.import_list, name="import-list"),
    path("imports/new/", views_imports.import_create, name="import-create"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import-detail"),
    path("imports/<int:pk>/run/", views_imports.import_run, name="import-run"),
    path(
        "imports/<int:pk>/restart/",
        views_imports.import_restart,
        name="import-restart",
    ),
    path(
        "imports/<int:pk>/errors.xlsx",
        views_imports.import_errors,
        name="import-errors",
    ),
    path("imports/<int:pk>/file/", views_imports.import_file, name="import-file"),
    path("package/template.xlsx", views_imports.package_template, name="template"),
    path("package/export.xlsx", views_imports.package_export, name="package-export"),
]
