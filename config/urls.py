"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from schools import notice_views, views_auth
from schools import views as school_views
from schools.health import PortalHealthView

admin.site.site_header = "Портал мониторинга качества образования"
admin.site.site_title = "Администрирование портала"
admin.site.index_title = "Администрирование"

handler500 = "schools.views.server_error"

urlpatterns = [
    path("", school_views.home, name="home"),
    path("tasks/", school_views.my_tasks, name="my-tasks"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("notices/<int:pk>/open/", notice_views.notice_open, name="notice-open"),
    path("notices/read-all/", notice_views.notice_read_all, name="notice-read-all"),
    path("notices/settings/", notice_views.notice_settings, name="notice-settings"),
    path("health/", PortalHealthView.as_view(), name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        views_auth.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views_auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/otp/", views_auth.otp_verify, name="otp-verify"),
    path("accounts/otp/setup/", views_auth.otp_setup, name="otp-setup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("schools/", include("schools.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("identification/", include("identification.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("roadmaps/", include("roadmaps.urls")),
    path("admin/", admin.site.urls),
]
