"""Published summaries, readable without logging in; included from ``reporting/urls.py``."""

from django.urls import path

from . import views_dashboard

urlpatterns = [
    path("public/", views_dashboard.public_index, name="public_index"),
    path("public/cycles/<int:pk>/", views_dashboard.public_cycle, name="public_cycle"),
    path("public/evidence/<int:pk>/", views_dashboard.public_evidence, name="public_evidence"),
]
