"""Forms for meetings, agendas, attendance, agency inputs, decisions and reconsiderations."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.utils import timezone

from decisions.models import (
    AgencyInput,
    LetterKind,
    LetterStatus,
    MeetingFormat,
    Outcome,
    Recommendation,
    ReconsiderationGrounds,
    RequestedBy,
)
from referrals.forms import LONG_TEXT_MAX, GovukDateField, GovukFormMixin


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields)
    return helper


def _relabel(field, label: str) -> None:
    """Give a shared field this page's question, in its error messages too."""
    field.label = label
    field.error_messages["required"] = f"Enter an answer for “{label}”"
    field.error_messages["max_length"] = f"“{label}” must be %(limit_value)d characters or fewer"


class VersionedForm(GovukFormMixin, forms.Form):
    """Carries the version of the record the person started from, so a stale save is refused, not lost."""

    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if "version" in self.errors:
            # A hidden field's error would be listed nowhere on the page.
            del self.errors["version"]
            self.add_error(None, "This form is out of date or damaged: reload the page and make your change again.")
        return data


class MeetingForm(VersionedForm):
    date = GovukDateField(label="Date", help_text="For example, 8 12 2026", require_all_fields=False)
    starts_at = forms.TimeField(
        label="Start time",
        help_text="24-hour clock, for example 10:00",
        widget=forms.TimeInput(format="%H:%M"),
        error_messages={"invalid": "Enter a time like 10:00 or 14:30"},
    )
    format = forms.ChoiceField(label="How it meets", choices=MeetingFormat.choices, widget=forms.RadioSelect)
    place = forms.CharField(label="Room or link to join", max_length=200, required=False)
    reason = forms.CharField(label="Reason", widget=forms.Textarea)

    def __init__(self, *args, reason_label: str, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self.fields["reason"], reason_label)
        self.fields["date"].error_messages["required"] = "Enter the date of the meeting"
        self.helper = _helper(
            Field("date", legend_size=Size.SMALL),
            Field.text("starts_at", label_size=Size.SMALL, field_width=5),
            Field.radios("format", legend_size=Size.SMALL, inline=True),
            Field.text("place", label_size=Size.SMALL),
            Field.textarea("reason", label_size=Size.SMALL),
            Field("version"),
            Submit("save", button),
        )

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value < timezone.localdate():
            raise forms.ValidationError("The meeting date must be today or in the future")
        return value


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea, max_length=LONG_TEXT_MAX)

    def __init__(self, *args, label: str, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self.fields["reason"], label)
        self.helper = _helper(Field.textarea("reason", label_size=Size.SMALL), Submit("confirm", button))


class AttendanceForm(GovukFormMixin, forms.Form):
    present = forms.ModelMultipleChoiceField(
        label="Who is present?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the local authority, health and police vote; others advise.",
    )

    def __init__(self, *args, people, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = people
        self.fields["present"].label_from_instance = lambda person: labels.get(person.pk, str(person))
        self.fields["present"].error_messages["invalid_choice"] = "Choose people who have a role on this panel"
        self.fields["present"].error_messages["invalid_pk_value"] = "Choose people who have a role on this panel"
        self.helper = _helper(Field.checkboxes("present", legend_size=Size.SMALL), Submit("save", "Save attendance"))


class PersonChoiceForm(GovukFormMixin, forms.Form):
    person = forms.ModelChoiceField(label="Person", queryset=None, required=False)

    def __init__(self, *args, people, label: str, button: str, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        field.queryset = people
        field.label = label
        field.required = required
        field.empty_label = "Choose a person" if required else "Nobody"
        field.error_messages["invalid_choice"] = "Choose a person from the list"
        field.error_messages["required"] = f"Choose a person for “{label}”"
        self.helper = _helper(
            Field.select("person", label_size=Size.SMALL), Submit("save", button, css_class="govuk-button--secondary")
        )


class ConflictForm(PersonChoiceForm):
    reason = forms.CharField(label="What is the conflict?", widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label="Who has a conflict of interest?", button="Record the conflict", **kwargs)
        self.fields["reason"].error_messages["required"] = "Describe the conflict of interest"
        self.fields["reason"].widget.attrs["rows"] = 2
        self.helper = _helper(
            Field.select("person", label_size=Size.SMALL),
            Field.textarea("reason", label_size=Size.SMALL),
            Submit("save", "Record the conflict", css_class="govuk-button--secondary"),
        )


class DecisionForm(VersionedForm):
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect)
    reasons = forms.CharField(label="Reasons for the decision", widget=forms.Textarea)
    evidence_considered = forms.CharField(label="Evidence considered", widget=forms.Textarea, required=False)
    dissent = forms.CharField(
        label="Dissent", help_text="Any member who disagreed, and why", widget=forms.Textarea, required=False
    )
    deferred_to = forms.ModelChoiceField(
        label="Meeting it is deferred to", queryset=None, required=False, empty_label="Choose a meeting"
    )
    delay_reason = forms.CharField(
        label="Reason for the delay",
        help_text="Needed when the decision is made, or deferred to a meeting, after the case's target day",
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, allows_deferral: bool, later_meetings, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = [(Outcome.POSITIVE, "Positive"), (Outcome.NEGATIVE, "Negative")]
        if allows_deferral:
            outcomes.append((Outcome.DEFERRED, "Deferred to a later meeting"))
        self.fields["outcome"].choices = outcomes
        self.fields["deferred_to"].queryset = later_meetings
        self.fields["deferred_to"].error_messages["invalid_choice"] = "Choose a later meeting of this panel"
        self.fields["reasons"].error_messages["required"] = "Enter the reasons for the decision"
        self.helper = _helper(
            Field.radios("outcome", legend_size=Size.SMALL),
            Field.textarea("reasons", label_size=Size.SMALL),
            Field.textarea("evidence_considered", label_size=Size.SMALL),
            Field.textarea("dissent", label_size=Size.SMALL),
            Field.select("deferred_to", label_size=Size.SMALL),
            Field.textarea("delay_reason", label_size=Size.SMALL),
            Field("version"),
            Submit("save", "Record the decision"),
        )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.DEFERRED and not data.get("deferred_to") and "deferred_to" not in self.errors:
            self.add_error("deferred_to", "Choose the meeting the case is deferred to")
        return data


class AgencyInputForm(VersionedForm):
    knowledge = forms.CharField(label="What does your agency know of the child?", widget=forms.Textarea)
    risks = forms.CharField(label="What are the risks to the child?", widget=forms.Textarea)
    recommendation = forms.ChoiceField(
        label="Your agency's recommendation", choices=Recommendation.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(label="Reasons for the recommendation", widget=forms.Textarea)

    def __init__(self, *args, is_required_agency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_required_agency:
            # Advising agencies (education, youth justice, the ICTG service, ...) may add information only.
            for name in ("recommendation", "reasons"):
                self.fields[name].required = False
        self.helper = _helper(
            Field.textarea("knowledge", label_size=Size.SMALL),
            Field.textarea("risks", label_size=Size.SMALL),
            Field.radios("recommendation", legend_size=Size.SMALL),
            Field.textarea("reasons", label_size=Size.SMALL),
            Field("version"),
            Submit("save", "Submit input"),
        )

    @staticmethod
    def initial_from(agency_input: AgencyInput | None) -> dict:
        if agency_input is None:
            return {}
        return {
            "knowledge": agency_input.knowledge,
            "risks": agency_input.risks,
            "recommendation": agency_input.recommendation,
            "reasons": agency_input.reasons,
        }


class ReconsiderationForm(GovukFormMixin, forms.Form):
    requested_by = forms.ChoiceField(label="Who asked?", choices=RequestedBy.choices, widget=forms.RadioSelect)
    requester_name = forms.CharField(label="Their name and organisation", max_length=160)
    received_on = GovukDateField(
        label="When was the request received?", help_text="For example, 24 11 2026", require_all_fields=False
    )
    grounds = forms.ChoiceField(label="Grounds", choices=ReconsiderationGrounds.choices, widget=forms.RadioSelect)
    details = forms.CharField(label="Details of the request", widget=forms.Textarea)
    exceptional_reason = forms.CharField(
        label="Exceptional reason",
        help_text="Only for a request received more than 30 days after the decision",
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].error_messages["required"] = "Enter the date the request was received"
        self.helper = _helper(
            Field.radios("requested_by", legend_size=Size.SMALL),
            Field.text("requester_name", label_size=Size.SMALL),
            Field("received_on", legend_size=Size.SMALL),
            Field.radios("grounds", legend_size=Size.SMALL),
            Field.textarea("details", label_size=Size.SMALL),
            Field.textarea("exceptional_reason", label_size=Size.SMALL),
            Submit("save", "Record the request"),
        )


class DecisionSelectionForm(forms.Form):
    """The decisions a coordinator marks as returned to the SCA."""

    decisions = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="public_id",
        error_messages={
            "required": "Select the decisions that were sent to the Single Competent Authority",
            "invalid_choice": "Select decisions from the list",
            "invalid_pk_value": "Select decisions from the list",
        },
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decisions"].queryset = decisions


class AgendaAddForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="public_id",
        error_messages={
            "required": "Select the cases to add to the agenda",
            "invalid_choice": "Select cases from the list of cases awaiting a decision",
            "invalid_pk_value": "Select cases from the list of cases awaiting a decision",
        },
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = proposals


class LetterFilterForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label="Meeting", queryset=None, required=False, to_field_name="public_id", empty_label="Any meeting"
    )
    kind = forms.ChoiceField(label="Letter", choices=[("", "Any letter"), *LetterKind.choices], required=False)
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *LetterStatus.choices], required=False)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings.filter(items__decisions__isnull=False).distinct().order_by("-date")
        self.fields["meeting"].error_messages["invalid_choice"] = "Choose a meeting from the list"


class LetterSelectionForm(forms.Form):
    """The letters a coordinator puts in one zip."""

    letters = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="public_id",
        error_messages={
            "required": "Select the letters to export",
            "invalid_choice": "Select letters from the list",
            "invalid_pk_value": "Select letters from the list",
        },
    )

    def __init__(self, *args, letters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letters"].queryset = letters


class LetterIssueForm(forms.Form):
    """A decision's letter (named by the decision) or the case's transfer summary (named by its kind).

    The decision summary for the defence is issued from the criminal proceedings it is for, to their defence
    solicitor (`safeguarding.services.court`), never from here.
    """

    kind = forms.ChoiceField(
        choices=[(LetterKind.TRANSFER_SUMMARY.value, LetterKind.TRANSFER_SUMMARY.label)], required=False
    )
    decision = forms.ModelChoiceField(queryset=None, to_field_name="public_id", required=False)

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions
        self.fields["decision"].error_messages["invalid_choice"] = "That decision is not on this case."
        self.fields["kind"].error_messages["invalid_choice"] = "Choose a kind of letter."

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("decision") and not data.get("kind"):
            raise forms.ValidationError("Choose the decision or the kind of letter to issue.")
        return data
