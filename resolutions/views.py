from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Document


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=pk)
    return render(request, "resolutions/document_detail.html", {"document": document})
