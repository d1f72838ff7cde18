"""The referral's pages (one form per section), evidence upload, and the coordinator's triage forms."""

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Layout, Size, Submit
from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils import timezone
from django.utils.formats import date_format

from referrals.clock import ClockStatus
from referrals.models import (
    DutyToNotify,
    ExploitationType,
    Gender,
    Indicator,
    Referral,
    State,
)
from referrals.selectors import NEEDS_TRIAGE, OPEN, SORTS, ReferralFilters

LONG_TEXT_MAX = 10_000
SAVE_DRAFT = "draft"


def yes_no_field(label: str, *, help_text: str = "", required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[(True, "Yes"), (False, "No")],
        coerce=lambda value: value in (True, "True"),
        empty_value=None,
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": f"Select yes or no: {label[0].lower()}{label[1:].rstrip('?')}"},
    )


class GovukDateField(DateInputField):
    """The GOV.UK date input, answering an impossible date (31 2 2011, year 0, a 20-digit year) with a
    message: the parent lets Python's own wording through, or an OverflowError (a 500)."""

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise forms.ValidationError("Enter a real date, for example 27 3 2011", code="invalid_date") from None


def date_field(label: str, *, help_text: str = "") -> DateInputField:
    return GovukDateField(label=label, help_text=help_text, required=False, require_all_fields=False)


# Django's default messages do not say which question they are about; the error summary lists them
# all together, so each one names its question.
_DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
_DJANGO_INVALID_CHOICE = forms.ChoiceField.default_error_messages["invalid_choice"]
_DJANGO_INVALID_NUMBER = forms.IntegerField.default_error_messages["invalid"]


class GovukFormMixin:
    """GOV.UK rendering and limits shared by every form: long text is bounded, labels are sized,
    error messages name their question."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "")
            messages = field.error_messages
            is_choice = isinstance(field, forms.ChoiceField)
            if messages.get("required") == _DJANGO_REQUIRED:
                messages["required"] = (
                    f"Select an answer for “{label}”" if is_choice else f"Enter an answer for “{label}”"
                )
            if is_choice and messages.get("invalid_choice") == _DJANGO_INVALID_CHOICE:
                messages["invalid_choice"] = f"Select one of the answers shown for “{label}”"
            if isinstance(field, forms.IntegerField) and messages.get("invalid") == _DJANGO_INVALID_NUMBER:
                messages["invalid"] = f"Enter a whole number for “{label}”"
            if isinstance(field, forms.CharField):
                safe_label = label.replace("%", "%%")
                messages.setdefault("max_length", f"“{safe_label}” must be %(limit_value)d characters or fewer")
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                if not field.max_length:  # a TextField is unbounded in the database, not in a form
                    field.max_length = LONG_TEXT_MAX
                    field.validators.append(MaxLengthValidator(LONG_TEXT_MAX))
                field.widget.attrs.setdefault("rows", 5)


class ReferralSectionForm(GovukFormMixin, forms.ModelForm):
    """One page of the referral. Saving as a draft skips 'required'; checking a value's type never is."""

    title = ""
    slug = ""

    # Questions that must be answered before the referral can be submitted.
    required_fields: tuple[str, ...] = ()

    def __init__(self, *args, is_draft_save: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_draft_save = is_draft_save
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                field.choices = [choice for choice in field.choices if choice[0] not in ("", None)]
            if name in self.required_fields:
                field.required = True
            if is_draft_save:
                field.required = False

    @property
    def helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(*self.layout_fields())
        return helper

    def layout_fields(self):
        return [self._layout_field(name) for name in self.fields]

    def _layout_field(self, name):
        field = self.fields[name]
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            return Field.checkboxes(name, legend_size=Size.SMALL)
        if isinstance(field.widget, forms.RadioSelect):
            return Field.radios(name, legend_size=Size.SMALL, inline=len(list(field.choices)) <= 2)
        if isinstance(field.widget, forms.Textarea):
            return Field.textarea(name, label_size=Size.SMALL, rows=field.widget.attrs.get("rows", 5))
        if isinstance(field, DateInputField):
            return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})
        if isinstance(field, forms.IntegerField):
            return Field.text(name, label_size=Size.SMALL, field_width=2)
        return Field.text(name, label_size=Size.SMALL)

    def clean(self):
        cleaned = super().clean()
        if not self.is_draft_save:
            self.check_complete(cleaned)
        return cleaned

    def check_complete(self, cleaned):
        """Cross-field rules for a finished section (skipped when saving a draft)."""

    def summary_rows(self) -> list[tuple[str, str]]:
        """(question, answer) pairs for the check-your-answers and case pages."""
        rows = []
        for name, field in self.fields.items():
            value = getattr(self.instance, name)
            if value in (None, "", []):
                answer = ""
            elif isinstance(field, forms.ChoiceField):
                choices = dict(field.choices)
                values = value if isinstance(value, list) else [value]
                answer = "\n".join(str(choices.get(item, item)) for item in values)
            elif isinstance(value, datetime.date):
                answer = date_format(value, "j F Y")
            else:
                answer = str(value)
            rows.append((str(field.label), answer))
        return rows

    @classmethod
    def missing_answers(cls, referral: Referral) -> list[str]:
        """The required questions of this section the referral has no answer to yet."""
        form = cls(instance=referral)
        missing = [
            str(field.label)
            for name, field in form.fields.items()
            if field.required and getattr(referral, name) in (None, "", [])
        ]
        return missing + cls.extra_missing(referral)

    @classmethod
    def extra_missing(cls, referral: Referral) -> list[str]:
        return []


class ChildForm(ReferralSectionForm):
    title = "About the child or young person"
    slug = "child"

    date_of_birth = date_field("Date of birth", help_text="For example, 27 3 2011. Leave blank if not known.")
    is_age_disputed = yes_no_field("Is their age disputed?")
    needs_interpreter = yes_no_field("Do they need an interpreter?")
    has_children = yes_no_field("Do they have children of their own?", required=False)

    class Meta:
        model = Referral
        fields = [
            "first_name",
            "last_name",
            "aliases",
            "date_of_birth",
            "estimated_age",
            "is_age_disputed",
            "gender",
            "nationality",
            "second_nationality",
            "languages",
            "needs_interpreter",
            "communication_needs",
            "current_address",
            "looked_after_status",
            "responsible_local_authority",
            "school",
            "has_children",
        ]
        labels = {
            "first_name": "First name",
            "last_name": "Last name",
            "aliases": "Other names or aliases",
            "estimated_age": "Estimated age in years, if the date of birth is not known",
            "gender": "Gender",
            "nationality": "Nationality",
            "second_nationality": "Second nationality (if any)",
            "languages": "Languages spoken",
            "communication_needs": "Other communication needs",
            "current_address": "Where are they staying now?",
            "looked_after_status": "Looked-after status",
            "responsible_local_authority": "Responsible local authority (if looked after)",
            "school": "School or college",
        }
        help_texts = {
            "aliases": "Include names used during the exploitation, one a line",
            "current_address": "Address or placement. This is never used for a decision letter.",
            "first_name": "Write 'Not known' if you do not know it",
            "last_name": "Write 'Not known' if you do not know it",
        }
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 3}),
            "communication_needs": forms.Textarea(attrs={"rows": 3}),
            "current_address": forms.Textarea(attrs={"rows": 4}),
            "estimated_age": forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
            "gender": forms.RadioSelect,
            "looked_after_status": forms.RadioSelect,
        }

    required_fields = (
        "first_name",
        "last_name",
        "gender",
        "nationality",
        "languages",
        "current_address",
        "looked_after_status",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estimated_age"].validators.append(MaxValueValidator(25, "Enter an estimated age of 25 or under"))

    def check_complete(self, cleaned):
        if (
            not cleaned.get("date_of_birth")
            and cleaned.get("estimated_age") is None
            and "estimated_age" not in self.errors
        ):
            self.add_error("estimated_age", "Enter the date of birth or, if it is not known, an estimated age")

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError("Date of birth must be in the past")
        if value and value.year < 1900:
            raise forms.ValidationError("Enter a real date of birth")
        return value

    @classmethod
    def extra_missing(cls, referral):
        if referral.date_of_birth is None and referral.estimated_age is None:
            return ["Date of birth or estimated age"]
        return []


class FirstResponderForm(ReferralSectionForm):
    title = "The first responder"
    slug = "first-responder"

    class Meta:
        model = Referral
        fields = [
            "first_responder_organisation",
            "first_responder_organisation_type",
            "first_responder_name",
            "first_responder_role",
            "first_responder_email",
            "first_responder_phone",
            "alternative_contact",
            "decision_safe_address",
            "legal_representative_name",
            "legal_representative_organisation",
            "legal_representative_address",
        ]
        labels = {
            "first_responder_organisation": "Organisation",
            "first_responder_organisation_type": "Type of organisation",
            "first_responder_name": "Your name",
            "first_responder_role": "Your role",
            "first_responder_email": "Email address",
            "first_responder_phone": "Telephone number",
            "alternative_contact": "Alternative contact (name, email, telephone)",
            "decision_safe_address": "Safe postal address for the decision letter",
            "legal_representative_name": "The child's legal representative (if any): name",
            "legal_representative_organisation": "Legal representative's firm or organisation",
            "legal_representative_address": "Legal representative's postal address",
        }
        help_texts = {
            "decision_safe_address": "The letter goes to the first responder, never to the child, "
            "and never to a place where the exploitation happened.",
            "legal_representative_address": "They receive a copy of every decision letter.",
        }
        widgets = {
            "first_responder_organisation_type": forms.RadioSelect,
            "alternative_contact": forms.Textarea(attrs={"rows": 3}),
            "decision_safe_address": forms.Textarea(attrs={"rows": 4}),
            "legal_representative_address": forms.Textarea(attrs={"rows": 4}),
        }

    required_fields = (
        "first_responder_organisation",
        "first_responder_organisation_type",
        "first_responder_name",
        "first_responder_role",
        "first_responder_email",
        "first_responder_phone",
        "decision_safe_address",
    )


class ExploitationForm(ReferralSectionForm):
    title = "The exploitation"
    slug = "exploitation"

    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation",
        help_text="Select all that apply",
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one type of exploitation"},
    )
    exploitation_started_on = date_field(
        "When did it start?", help_text="An approximate date is fine. For example, 1 6 2026"
    )
    is_exploitation_ongoing = yes_no_field("Is the child still being exploited?")
    exploitation_ended_on = date_field("If it has ended, when?", help_text="For example, 14 9 2026")
    indicators = forms.MultipleChoiceField(
        label="Indicators seen",
        help_text="Select all that apply",
        required=False,
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Referral
        fields = [
            "exploitation_types",
            "exploitation_type_other",
            "exploited_in",
            "exploitation_places",
            "exploitation_addresses",
            "exploitation_started_on",
            "is_exploitation_ongoing",
            "exploitation_ended_on",
            "indicators",
            "account",
            "police_reference",
            "police_force",
        ]
        labels = {
            "exploitation_type_other": "If other, what kind of exploitation?",
            "exploited_in": "Where did the exploitation happen?",
            "exploitation_places": "Places (UK towns, countries abroad)",
            "exploitation_addresses": "Addresses where it happened, if known (one a line)",
            "account": "What happened, in your words",
            "police_reference": "Police crime or incident reference (if any)",
            "police_force": "Police force (if any)",
        }
        help_texts = {
            "exploitation_addresses": "No letter is ever sent to these addresses.",
            "account": "How it started, any journey, what they had to do, living conditions, "
            "who exploited them and where those people are now, how they left.",
        }
        widgets = {
            "exploited_in": forms.RadioSelect,
            "exploitation_places": forms.Textarea(attrs={"rows": 3}),
            "exploitation_addresses": forms.Textarea(attrs={"rows": 3}),
            "account": forms.Textarea(attrs={"rows": 10}),
        }

    required_fields = (
        "exploitation_types",
        "exploited_in",
        "exploitation_places",
        "is_exploitation_ongoing",
        "account",
    )

    def check_complete(self, cleaned):
        if ExploitationType.OTHER in (cleaned.get("exploitation_types") or []) and not cleaned.get(
            "exploitation_type_other"
        ):
            self.add_error("exploitation_type_other", "Say what kind of exploitation 'other' means")

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("exploitation_started_on"), cleaned.get("exploitation_ended_on")
        today = timezone.localdate()
        if started and started > today:
            self.add_error("exploitation_started_on", "The start date must be today or in the past")
        if ended and ended > today:
            self.add_error("exploitation_ended_on", "The end date must be today or in the past")
        if started and ended and ended < started:
            self.add_error("exploitation_ended_on", "The end date must be the same as or after the start date")
        return cleaned

    @classmethod
    def extra_missing(cls, referral):
        if ExploitationType.OTHER in referral.exploitation_types and not referral.exploitation_type_other:
            return ["What kind of exploitation 'other' means"]
        return []


class VoiceOfTheChildForm(ReferralSectionForm):
    title = "The voice of the child"
    slug = "voice-of-the-child"

    class Meta:
        model = Referral
        fields = ["child_wishes_and_feelings", "child_knows_about_referral"]
        labels = {
            "child_wishes_and_feelings": "The child's wishes and feelings",
            "child_knows_about_referral": "Does the child know about this referral?",
        }
        help_texts = {"child_wishes_and_feelings": "What they have said about what happened and what they want now"}
        widgets = {"child_knows_about_referral": forms.RadioSelect}

    required_fields = ("child_wishes_and_feelings", "child_knows_about_referral")


class OtherAgenciesForm(ReferralSectionForm):
    title = "Other agencies involved"
    slug = "other-agencies"

    class Meta:
        model = Referral
        fields = ["other_agencies_involved"]
        labels = {"other_agencies_involved": "Other agencies and professionals involved"}
        help_texts = {
            "other_agencies_involved": "For example legal representative, GP, support worker, youth offending "
            "team, with their contact details. Write 'None' if there are none."
        }

    required_fields = ("other_agencies_involved",)


SECTION_FORMS = [ChildForm, FirstResponderForm, ExploitationForm, VoiceOfTheChildForm, OtherAgenciesForm]
SECTIONS = {form.slug: form for form in SECTION_FORMS}


def missing_by_section(referral: Referral) -> dict[str, list[str]]:
    return {form.slug: form.missing_answers(referral) for form in SECTION_FORMS}


class StartReferralForm(GovukFormMixin, forms.Form):
    panel = forms.ModelChoiceField(
        queryset=None,
        label="Which panel is this referral for?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the panel", "invalid_choice": "Select one of your panels"},
    )
    is_adult = yes_no_field("Is the person 18 or over?", help_text="Answer no if they are, or may be, under 18")
    adult_has_consented = yes_no_field(
        "Have they consented to a referral?",
        required=False,
        help_text="An adult who does not consent is recorded as an anonymous Duty to Notify instead",
    )

    def __init__(self, *args, panels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = panels
        if len(panels) == 1:
            self.fields["panel"].initial = panels[0].pk
            self.fields["panel"].widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("panel", legend_size=Size.SMALL) if len(panels) > 1 else Field("panel"),
            ConditionalRadios(
                "is_adult",
                ConditionalQuestion("Yes", Field.radios("adult_has_consented", legend_size=Size.SMALL, inline=True)),
                "No",
            ),
            Submit("continue", "Continue"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_adult") and cleaned.get("adult_has_consented") is None:
            self.add_error("adult_has_consented", "Select whether the adult has consented to a referral")
        if self.fields["panel"].widget.is_hidden and "panel" in self.errors:
            # A hidden field's error is not shown next to it: show it at the top of the form.
            self.add_error(None, list(self.errors["panel"]))
        return cleaned


class DutyToNotifyForm(GovukFormMixin, forms.ModelForm):
    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation",
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one type of exploitation"},
    )

    class Meta:
        model = DutyToNotify
        fields = ["gender", "nationality", "exploitation_types", "exploited_in", "first_responder_organisation"]
        labels = {
            "gender": "Gender",
            "nationality": "Nationality (if known)",
            "exploited_in": "Where did the exploitation happen?",
            "first_responder_organisation": "Your organisation",
        }
        widgets = {"gender": forms.RadioSelect, "exploited_in": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = Gender.choices
        self.fields["exploited_in"].choices = [c for c in self.fields["exploited_in"].choices if c[0]]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("gender", legend_size=Size.SMALL),
            Field.text("nationality", label_size=Size.SMALL),
            Field.checkboxes("exploitation_types", legend_size=Size.SMALL),
            Field.radios("exploited_in", legend_size=Size.SMALL),
            Field.text("first_responder_organisation", label_size=Size.SMALL),
            Submit("record", "Record Duty to Notify"),
        )


class AttachmentForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word document, JPG or PNG",
        error_messages={"required": "Select a file to upload", "invalid": "The selected file could not be read"},
    )
    description = forms.CharField(
        label="Describe the document",
        max_length=300,
        error_messages={"required": "Describe the document, for example 'School attendance record'"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("file", context={"label_size": Size.for_label(Size.SMALL)}),
            Field.text("description", label_size=Size.SMALL),
            Submit("upload", "Upload file", css_class="govuk-button--secondary"),
        )


class ScopeForm(GovukFormMixin, forms.Form):
    """The two scope questions the coordinator answers at triage (DESIGN.md section 3)."""

    is_in_panel_area = yes_no_field("Was the child referred in, or do they live in, the panel's area?")
    is_public_order_disqualification_considered = yes_no_field("Is a public order disqualification being considered?")


class AcceptForm(ScopeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("is_in_panel_area", legend_size=Size.SMALL, inline=True),
            Field.radios("is_public_order_disqualification_considered", legend_size=Size.SMALL, inline=True),
            Submit("accept", "Accept referral"),
        )


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        max_length=LONG_TEXT_MAX,
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args, button: str = "Confirm", reason_label: str = "Reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = reason_label
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.textarea("reason", label_size=Size.SMALL), Submit("confirm", button))


class TransferForm(ReasonForm):
    is_in_panel_area = yes_no_field("Was the child referred in, or do they live in, the panel's area?", required=False)
    is_public_order_disqualification_considered = yes_no_field(
        "Is a public order disqualification being considered?", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, button="Transfer to the SCA", reason_label="Why is the case being transferred?", **kwargs
        )
        self.helper.layout = Layout(
            Field.radios("is_in_panel_area", legend_size=Size.SMALL, inline=True),
            Field.radios("is_public_order_disqualification_considered", legend_size=Size.SMALL, inline=True),
            Field.textarea("reason", label_size=Size.SMALL),
            Submit("confirm", "Transfer to the SCA"),
        )


class PoliceNotificationForm(GovukFormMixin, forms.Form):
    notified_on = GovukDateField(
        label="When were the police notified?", help_text="For example, 24 11 2026", require_all_fields=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notified_on"].error_messages["required"] = "Enter the date the police were notified"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("notified_on", legend_size=Size.SMALL), Submit("record", "Record notification")
        )

    def clean_notified_on(self):
        value = self.cleaned_data["notified_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")
        return value


class ReferralFilterForm(forms.Form):
    """The queue's filters. Unknown values are ignored rather than refused: a list is always shown."""

    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "All"), (NEEDS_TRIAGE, "Needs triage"), (OPEN, "Open (clock running)")] + list(State.choices),
    )
    clock = forms.ChoiceField(label="Clock", required=False, choices=[("", "Any")] + ClockStatus.CHOICES)
    exploitation_type = forms.ChoiceField(
        label="Exploitation type", required=False, choices=[("", "Any")] + list(ExploitationType.choices)
    )
    search = forms.CharField(label="Reference or name", required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput)

    def filters(self) -> ReferralFilters:
        if not self.is_valid():
            data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        else:
            data = self.cleaned_data
        return ReferralFilters(**{key: value for key, value in data.items() if value})


class LetterRecipientsForm(GovukFormMixin, forms.ModelForm):
    """Where the coordinator sends a case's letters, kept up to date after the referral is submitted."""

    class Meta:
        model = Referral
        fields = [
            "decision_safe_address",
            "legal_representative_name",
            "legal_representative_organisation",
            "legal_representative_address",
            "exploitation_addresses",
        ]
        labels = {
            "decision_safe_address": "The first responder's safe postal address",
            "legal_representative_name": "The child's legal representative: name",
            "legal_representative_organisation": "Legal representative's firm or organisation",
            "legal_representative_address": "Legal representative's postal address",
            "exploitation_addresses": "Addresses where the exploitation happened (one a line)",
        }
        help_texts = {
            "decision_safe_address": "Never the child's address, never a place where the exploitation happened.",
            "exploitation_addresses": "No letter is ever sent to these addresses.",
        }
        widgets = {
            "decision_safe_address": forms.Textarea(attrs={"rows": 4}),
            "legal_representative_address": forms.Textarea(attrs={"rows": 4}),
            "exploitation_addresses": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_safe_address"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *(
                Field.textarea(name, label_size=Size.SMALL, rows=4)
                if isinstance(field.widget, forms.Textarea)
                else Field.text(name, label_size=Size.SMALL)
                for name, field in self.fields.items()
            ),
            Submit("save", "Save the letter recipients"),
        )

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("legal_representative_name", "").strip()
        if name and not cleaned.get("legal_representative_address", "").strip():
            self.add_error("legal_representative_address", "Enter the legal representative's postal address")
        return cleaned


class DelayReasonForm(GovukFormMixin, forms.Form):
    """Why a case is, or will be, decided after its target: shown on the case and in the at-risk list."""

    delay_reason = forms.CharField(
        label="Why will the decision be late?",
        help_text="For example, waiting for the police disclosure. The panel's members and auditors read this; "
        "the referrer does not.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LONG_TEXT_MAX,
        error_messages={"required": "Enter the reason for the delay"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.textarea("delay_reason", label_size=Size.SMALL), Submit("save", "Save"))
