"""Forms for health information requests, support, safeguarding actions, transition plans and court proceedings."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.validators import RegexValidator

from referrals.forms import GovukDateField, GovukFormMixin
from safeguarding.models import LegalBasis, ProceedingStatus, ProviderKind, SendMethod
from safeguarding.services import court
from safeguarding.services.health import MAX_DOCUMENTS_PER_RESPONSE


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields)
    return helper


def required_date(label: str, *, help_text: str = "For example, 27 3 2027") -> GovukDateField:
    return GovukDateField(label=label, help_text=help_text, require_all_fields=False)


# Health information requests


class HealthRequestForm(GovukFormMixin, forms.Form):
    provider_kind = forms.ChoiceField(label="Kind of health provider", choices=ProviderKind.choices)
    provider_name = forms.CharField(label="Provider", max_length=200, help_text="For example, Rushey Green Group Practice")
    contact_name = forms.CharField(label="Contact name", max_length=200, required=False)
    contact_email = forms.EmailField(
        label="Contact email address",
        max_length=254,
        help_text="Use a secure address, such as an nhs.net one: the link to answer the request is sent here",
        error_messages={"invalid": "Enter an email address like name@nhs.net"},
    )
    questions = forms.CharField(
        label="What do you want to know?",
        widget=forms.Textarea,
        help_text="For example: registration, attendances and any injuries, sexual health or mental health contact",
    )
    legal_basis = forms.ChoiceField(label="Legal basis for sharing", choices=LegalBasis.choices, widget=forms.RadioSelect)
    due_date = required_date("Respond by")

    def __init__(self, *args, button: str = "Save as draft", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.select("provider_kind", label_size=Size.SMALL),
            Field.text("provider_name", label_size=Size.SMALL),
            Field.text("contact_name", label_size=Size.SMALL),
            Field.text("contact_email", label_size=Size.SMALL),
            Field.textarea("questions", label_size=Size.SMALL),
            Field.radios("legal_basis", legend_size=Size.SMALL),
            Field("due_date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Submit("save", button),
        )


class ChaseForm(GovukFormMixin, forms.Form):
    due_date = GovukDateField(
        label="New date to respond by",
        help_text="Leave blank to keep the current date",
        required=False,
        require_all_fields=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field("due_date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Submit("chase", "Chase and send a new link"),
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented way): a list of uploads, none required."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        single = super().clean
        return [single(each, initial) for each in (data if isinstance(data, list | tuple) else [data])]


class HealthResponseForm(GovukFormMixin, forms.Form):
    responded_by_name = forms.CharField(
        label="Who responded", max_length=200, help_text="Their name, role and organisation"
    )
    text = forms.CharField(label="Response", widget=forms.Textarea, required=False)
    documents = MultipleFileField(
        label="Documents",
        help_text=f"Up to {MAX_DOCUMENTS_PER_RESPONSE} files: PDF, Word document, JPG or PNG",
        error_messages={"invalid": "A selected file could not be read"},
    )

    def __init__(self, *args, button: str = "Record the response", name_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if name_label:
            self.fields["responded_by_name"].label = name_label
        self.helper = _helper(
            Field.text("responded_by_name", label_size=Size.SMALL),
            Field.textarea("text", label_size=Size.SMALL),
            Field("documents", context={"label_size": Size.for_label(Size.SMALL)}),
            Submit("respond", button),
        )


class WithdrawForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label="Why is the request no longer needed?", widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("reason", label_size=Size.SMALL),
            Submit("withdraw", "Withdraw the request", css_class="govuk-button--warning"),
        )


# Court proceedings

# What people type for a UK or international telephone number: digits, spaces, brackets, dashes, a leading +.
TELEPHONE = RegexValidator(r"^\+?[0-9 ()\-]{6,40}$", "Enter a telephone number, like 020 7946 0000")


class ProceedingForm(GovukFormMixin, forms.Form):
    """The proceedings and the defence solicitor. `version` is the proceedings' latest history entry when the
    page was opened, so that a change made meanwhile by someone else is refused, not overwritten."""

    charge = forms.CharField(
        label="Charge", widget=forms.Textarea, help_text="The offence or offences, as on the charge sheet"
    )
    court = forms.CharField(label="Court", max_length=200, help_text="For example, Bromley Youth Court")
    case_number = forms.CharField(
        label="Case number", max_length=60, required=False, help_text="The court's or the CPS's reference, if known"
    )
    status = forms.ChoiceField(
        label="Where have the proceedings got to?",
        choices=ProceedingStatus.choices,
        initial=ProceedingStatus.ONGOING,
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea,
        required=False,
        help_text="Needed once the proceedings are concluded or discontinued: for example, acquitted at trial",
    )
    solicitor_name = forms.CharField(label="Name", max_length=200)
    solicitor_firm = forms.CharField(label="Firm", max_length=200)
    solicitor_address = forms.CharField(
        label="Firm's postal address", widget=forms.Textarea, help_text="The decision summary letter is addressed here"
    )
    solicitor_email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    solicitor_phone = forms.CharField(label="Telephone", max_length=40, required=False, validators=[TELEPHONE])
    version = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The solicitor's fields sit under a "Defence solicitor" legend: their messages say whose they are.
        for name, label in (("solicitor_name", "defence solicitor's name"), ("solicitor_firm", "firm")):
            self.fields[name].error_messages["required"] = f"Enter the {label}"
        self.fields["solicitor_address"].widget.attrs["rows"] = 4
        self.fields["charge"].widget.attrs["rows"] = 3
        self.fields["outcome"].widget.attrs["rows"] = 3
        self.helper = _helper(
            Field.textarea("charge", label_size=Size.SMALL),
            Field.text("court", label_size=Size.SMALL),
            Field.text("case_number", label_size=Size.SMALL, field_width=20),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field.textarea("outcome", label_size=Size.SMALL),
            Fieldset(
                Field.text("solicitor_name", label_size=Size.SMALL),
                Field.text("solicitor_firm", label_size=Size.SMALL),
                Field.textarea("solicitor_address", label_size=Size.SMALL),
                Field.text("solicitor_email", label_size=Size.SMALL, field_width=20),
                Field.text("solicitor_phone", label_size=Size.SMALL, field_width=20),
                legend="Defence solicitor",
                legend_size=Size.MEDIUM,
            ),
            Field("version"),
            Submit("save", button),
        )

    def clean(self):
        data = super().clean()
        if "version" in self.errors:
            # A hidden field's error would be listed nowhere on the page.
            del self.errors["version"]
            self.add_error(None, "This form is out of date or damaged: reload the page and make your change again.")
        if data.get("status") in court.ENDED and not data.get("outcome") and "outcome" not in self.errors:
            self.add_error("outcome", court.OUTCOME_REQUIRED)
        return data


class HearingForm(GovukFormMixin, forms.Form):
    date = required_date("Date of the hearing", help_text="Past or to come. For example, 9 3 2027")
    purpose = forms.CharField(
        label="Purpose", max_length=200, help_text="For example, first appearance, plea hearing, trial or sentencing"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages["required"] = "Enter the date of the hearing"
        self.fields["purpose"].error_messages["required"] = "Enter the purpose of the hearing"
        self.helper = _helper(
            Field("date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.text("purpose", label_size=Size.SMALL),
            Submit("add_hearing", "Add the hearing", css_class="govuk-button--secondary"),
        )


class LetterSentForm(GovukFormMixin, forms.Form):
    """That a version of the proceedings' decision summary letter was sent: the versions are the choices."""

    letter = forms.ModelChoiceField(
        label="Which version was sent?", queryset=None, to_field_name="public_id", widget=forms.RadioSelect
    )
    recipient = forms.CharField(label="Who received it?", max_length=200, required=False)
    sent_on = required_date("Date sent", help_text="For example, 24 11 2026")
    method = forms.ChoiceField(label="How was it sent?", choices=SendMethod.choices, widget=forms.RadioSelect)

    def __init__(self, *args, letters, default_recipient: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["letter"]
        field.queryset = letters
        field.empty_label = None
        field.label_from_instance = lambda letter: (
            f"Version {letter.version}, issued {letter.requested_at:%-d %B %Y}"
            + ("" if letter.status == "ready" else f" ({letter.get_status_display().lower()})")
        )
        field.error_messages["required"] = "Choose the version that was sent"
        field.error_messages["invalid_choice"] = "Choose one of the versions of this letter listed"
        self.fields["recipient"].help_text = f"Their name and organisation. Leave blank for {default_recipient}"
        self.fields["sent_on"].error_messages["required"] = "Enter the date the letter was sent"
        self.fields["method"].error_messages["required"] = "Choose how the letter was sent"
        self.helper = _helper(
            Field.radios("letter", legend_size=Size.SMALL),
            Field.text("recipient", label_size=Size.SMALL),
            Field("sent_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.radios("method", legend_size=Size.SMALL, inline=True),
            Submit("record_sent", "Record that it was sent", css_class="govuk-button--secondary"),
        )


class DefenceSummaryCorrectForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="What does the new version correct?",
        widget=forms.Textarea,
        help_text="It is printed on the new version: for example, the defence solicitor changed firm",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Enter what the new version corrects"
        self.helper = _helper(
            Field.textarea("reason", label_size=Size.SMALL), Submit("correct", "Make a corrected version")
        )
