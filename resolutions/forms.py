"""Forms of the resolution pages: the list filter and the Secretariat's upload."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Document

ALLOWED_EXTENSIONS = ("txt", "md", "html", "htm", "pdf", "docx")


class DocumentFilterForm(forms.Form):
    """GET filter of the list page; every field optional, bad values are simply ignored."""

    q = forms.CharField(label=_("Title contains"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    body = forms.ChoiceField(label=_("Adopting body"), required=False)

    def __init__(self, *args: Any, bodies: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *Document.Kind.choices]
        self.fields["body"].choices = [("", _("All bodies")), *((b, b) for b in bodies)]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "document-filter"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-4"),
                Column("kind", css_class="col-md-3"),
                Column("body", css_class="col-md-3"),
                Div(Submit("", _("Filter"), css_class="btn-primary w-100"), css_class="col-md-2 mb-3"),
                css_class="align-items-end",
            ),
        )

    def filters(self) -> dict[str, str]:
        """Cleaned filter values for the selector; empty when the form is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"search": data["q"].strip(), "kind": data["kind"], "body": data["body"]}


class DocumentUploadForm(forms.Form):
    """One resolution file; the size cap keeps a stray large upload from tying up the parser."""

    file = forms.FileField(
        label=_("Resolution file"),
        validators=[FileExtensionValidator(allowed_extensions=list(ALLOWED_EXTENSIONS))],
        help_text=_("Plain text, Markdown, HTML, PDF or Word (.docx), as published."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "document-upload"
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("preview", _("Preview import"), css_class="btn-primary"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.RESOLUTION_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("This file is %(size)s; the largest accepted is %(limit)s."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload

    def source_name(self) -> str:
        """The uploaded file's base name, without any client-side path."""
        return PurePath(self.cleaned_data["file"].name).name
