"""Reporting URLs, included at the site root under the "reporting" namespace."""

from django.urls import include, path

from . import views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.my_reports, name="my_reports"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/transition/<slug:name>/", views.report_transition_view, name="report_transition"),
    path("reports/<int:pk>/comments/", views.comment_create, name="comment_add"),
    path(
        "reports/<int:pk>/responses/<int:response_pk>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("review/", views.review_queue, name="review_queue"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/extensions/new/", views.extension_create, name="extension_create"),
    path("", include("reporting.views_notices")),
    path("", include("reporting.views_dashboard")),
    path("", include("reporting.urls_public")),
    path("", include("reporting.views_exports")),
    path("", include("reporting.views_spreadsheets")),
]
