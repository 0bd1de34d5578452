"""Forms of the reporting pages: a parliament's answers, comments, review, cycles and extensions."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from resolutions.models import Commitment, Document
from tracker.models import GeopoliticalGroup, Parliament

from .models import CommitmentResponse, ImplementationStatus, MeasureKind, Position, ReportingCycle
from .services import EDITABLE_FIELDS, ResponseChange

MAX_LINKS = 20
COMMITMENT_TEXT_CHARS = 160


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def answer_fingerprint(values: dict[str, Any]) -> str:
    """A short digest of one answer's values, so a save sends only the answers the user changed."""
    normalized = {
        "status": values.get("status") or "",
        "measures": sorted(values.get("measures") or []),
        "narrative": _normalize_newlines(values.get("narrative") or "").strip(),
        "links": [link.strip() for link in values.get("links") or [] if link.strip()],
        "position": values.get("position") or "",
        "position_note": _normalize_newlines(values.get("position_note") or "").strip(),
    }
    encoded = json.dumps(normalized, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def response_values(response: CommitmentResponse) -> dict[str, Any]:
    return {name: getattr(response, name) for name in EDITABLE_FIELDS}


class LinksField(forms.CharField):
    """One web address per line; every line must be an http(s) URL."""

    widget = forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "inputmode": "url"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in _normalize_newlines(text).split("\n") if line.strip()]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_LINKS:
            raise ValidationError(_("Give at most %(limit)s links."), code="too_many", params={"limit": MAX_LINKS})
        check = URLValidator(schemes=["http", "https"])
        bad = []
        for link in value:
            try:
                check(link)
            except ValidationError:
                bad.append(link)
        if bad:
            raise ValidationError(
                _("These lines are not web addresses (start them with https://): %(lines)s"),
                code="invalid_url",
                params={"lines": ", ".join(Truncator(line).chars(60) for line in bad)},
            )

    def run_validators(self, value: list[str]) -> None:
        # The max_length of a CharField would count list items; checked per link in validate().
        return None


class ResponseForm(forms.Form):
    """The answer on one commitment; ``version`` and ``loaded`` record what the user started from."""

    status = forms.ChoiceField(
        label=_("Implementation status"),
        required=False,
        choices=[("", _("Not answered yet")), *ImplementationStatus.choices],
        widget=forms.RadioSelect,
    )
    measures = forms.MultipleChoiceField(
        label=_("Kinds of measures"),
        required=False,
        choices=MeasureKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    narrative = forms.CharField(
        label=_("Measures taken"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What has the parliament done on this commitment? Laws, debates, budget, hearings..."),
    )
    links = LinksField(
        label=_("Links"), required=False, help_text=_("One web address per line (laws, records, reports).")
    )
    position = forms.ChoiceField(label=_("Position on the commitment"), required=False, choices=Position.choices)
    position_note = forms.CharField(label=_("Position note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    loaded = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, response: CommitmentResponse, **kwargs: Any) -> None:
        self.response = response
        values = response_values(response)
        kwargs.setdefault("initial", {**values, "version": response.version, "loaded": answer_fingerprint(values)})
        kwargs.setdefault("prefix", f"response-{response.pk}")
        super().__init__(*args, **kwargs)

    def clean_narrative(self) -> str:
        return _normalize_newlines(self.cleaned_data["narrative"])

    def clean_position_note(self) -> str:
        return _normalize_newlines(self.cleaned_data["position_note"])

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}

    def is_changed_by_user(self) -> bool:
        """True when the submitted values differ from those the form was loaded with."""
        return answer_fingerprint(self.values()) != self.cleaned_data.get("loaded")

    def change(self) -> ResponseChange:
        return ResponseChange(response_id=self.response.pk, version=self.cleaned_data["version"], values=self.values())


class ReportOptionsForm(forms.Form):
    """Report-wide choices saved with the answers."""

    publish_consent = forms.BooleanField(
        label=_("The parliament agrees that the IPU publishes its answers once the report is accepted."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "report")
        super().__init__(*args, **kwargs)


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> carries the token


class TransitionForm(forms.Form):
    comment = forms.CharField(label=_("Comments for the parliament"), required=False, max_length=5000)


def commitment_label(commitment: Commitment) -> str:
    text = Truncator(commitment.paragraph.text).chars(COMMITMENT_TEXT_CHARS)
    return f"{commitment.paragraph.label} · {commitment.verb} — {text}"


class CommitmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return commitment_label(obj)


class ParliamentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Parliament) -> str:
        return f"{obj.name} ({obj.iso3})"


class ResolutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        title = Truncator(obj.display_title).chars(120)
        if obj.deadline_date:
            return str(_("%(title)s — deadline %(date)s")) % {"title": title, "date": obj.deadline_date.isoformat()}
        return str(_("%(title)s — no dated deadline")) % {"title": title}


class ResolutionPickForm(forms.Form):
    """First step of opening a cycle: which resolution (its commitments are listed next)."""

    resolution = ResolutionChoiceField(label=_("Resolution"), queryset=Document.objects.none())

    def __init__(self, *args: Any, resolutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = resolutions
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("", _("Continue"), css_class="btn-primary"))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CycleOpenForm(forms.Form):
    """Second step: dates, parliaments asked and commitments reported on."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("Leave blank for “Implementation of” and the resolution's title."),
    )
    opened_on = forms.DateField(label=_("Opening date"), widget=DateInput)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    selection = forms.ChoiceField(
        label=_("Parliaments asked"),
        choices=ReportingCycle.Selection.choices,
        initial=ReportingCycle.Selection.ALL,
        widget=forms.RadioSelect,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Geopolitical groups"),
        required=False,
        queryset=GeopoliticalGroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Used when the parliaments asked are one or more groups."),
    )
    parliaments = ParliamentChoiceField(
        label=_("Parliaments"),
        required=False,
        queryset=Parliament.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Used when the parliaments asked are a chosen list. Hold Ctrl (or ⌘) to pick several."),
    )
    commitments = CommitmentChoiceField(
        label=_("Commitments reported on"),
        queryset=Commitment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, resolution: Document, commitments: Any, groups: Any, parliaments: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resolution = resolution
        self.fields["commitments"].queryset = commitments
        self.fields["groups"].queryset = groups
        self.fields["parliaments"].queryset = parliaments
        self.fields["opened_on"].initial = timezone.localdate()
        self.fields["commitments"].initial = [c.pk for c in commitments if c.parliaments_report]
        if resolution.deadline_date:
            self.fields["due_date"].help_text = _(
                "Leave blank to use the text's own deadline: %(date)s%(phrase)s."
            ) % {
                "date": resolution.deadline_date.isoformat(),
                "phrase": f" (“{resolution.deadline_phrase}”)" if resolution.deadline_phrase else "",
            }
        else:
            self.fields["due_date"].help_text = _("The text states no dated deadline: set the due date.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> carries the token

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        selection = data.get("selection")
        if selection == ReportingCycle.Selection.GROUPS and not data.get("groups"):
            self.add_error("groups", _("Choose at least one geopolitical group."))
        if selection == ReportingCycle.Selection.LIST and not data.get("parliaments"):
            self.add_error("parliaments", _("Choose at least one parliament."))
        return data


class ExtensionForm(forms.Form):
    parliament = forms.ModelChoiceField(label=_("Parliament"), queryset=Parliament.objects.none())
    due_date = forms.DateField(label=_("Extended due date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, parliaments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parliament"].queryset = parliaments
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> carries the token
