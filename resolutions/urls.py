from django.urls import path

from . import views

app_name = "resolutions"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("import/", views.document_import_upload, name="import"),
    path("import/publish/", views.document_import_publish, name="import_publish"),
    path("import/cancel/", views.document_import_cancel, name="import_cancel"),
]
