from django.urls import path

from . import views, views_imports

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/accept/", views.campaign_accept, name="campaign-accept"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign-remind"),
    path("campaigns/<int:pk>/open/", views.campaign_set_open, name="campaign-set-open"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report-submit"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report-accept"),
    path("reports/<int:pk>/return/", views.report_return, name="report-return"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report-reopen"),
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
