from django.urls import path

from . import views, views_auth

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="school-list"),
    path("new/", views.school_create, name="school-create"),
    path("<int:pk>/", views.school_detail, name="school-detail"),
    path("<int:pk>/edit/", views.school_edit, name="school-edit"),
    path("<int:pk>/active/", views.school_set_active, name="school-set-active"),
    path(
        "municipalities/<int:pk>/settings/",
        views.municipality_settings,
        name="municipality-settings",
    ),
    path("years/", views.year_list, name="year-list"),
    path("years/new/", views.year_edit, name="year-create"),
    path("years/<int:pk>/edit/", views.year_edit, name="year-edit"),
    path("years/<int:pk>/current/", views.year_make_current, name="year-make-current"),
    path("people/", views.user_list, name="user-list"),
    path("audit/", views.audit_log, name="audit-log"),
    path("people/new/", views.user_edit, name="user-create"),
    path("people/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("people/<int:pk>/unlock/", views_auth.user_unlock, name="user-unlock"),
    path(
        "people/<int:pk>/otp-reset/", views_auth.user_otp_reset, name="user-otp-reset"
    ),
]
