from django.urls import path

from schools.workflow_views import transition_urls

from . import permissions, views
from .workflows import ROADMAP

app_name = "roadmaps"

urlpatterns = [
    path("", views.roadmap_list, name="list"),
    path("new/", views.roadmap_create, name="create"),
    path("tracking/", views.tracking, name="tracking"),
    path("<int:pk>/", views.roadmap_detail, name="detail"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/items/new/", views.item_edit, name="item-create"),
    path("<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item-edit"),
    path("<int:pk>/import/", views.roadmap_import, name="import"),
    path("<int:pk>/copy/", views.roadmap_copy, name="copy"),
    path("<int:pk>/indicators/", views.indicator_add, name="indicator-add"),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/actual/",
        views.indicator_actual,
        name="indicator-actual",
    ),
    *transition_urls(ROADMAP, permissions.get_roadmap_for_user),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence-file"),
    path("items/<int:pk>/cancel/", views.item_cancel, name="item-cancel"),
    path("items/<int:pk>/delete/", views.item_delete, name="item-delete"),
]
