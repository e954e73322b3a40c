from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("gradation/", views.gradation_view, name="gradation"),
]
