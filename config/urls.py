"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from schools import views as school_views

admin.site.site_header = "Портал мониторинга качества образования"
admin.site.site_title = "Администрирование портала"
admin.site.index_title = "Администрирование"

urlpatterns = [
    path("", school_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("schools/", include("schools.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("identification/", include("identification.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("roadmaps/", include("roadmaps.urls")),
    path("admin/", admin.site.urls),
]
