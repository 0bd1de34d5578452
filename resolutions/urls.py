from django.urls import path

from . import views

app_name = "resolutions"

urlpatterns = [
    path("<int:pk>/", views.document_detail, name="detail"),
]
