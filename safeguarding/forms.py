"""Forms for health information requests, support, safeguarding actions, transition plans and court proceedings."""

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.html import format_html

from referrals.forms import GovukDateField, GovukFormMixin
from safeguarding.models import LegalBasis, ProceedingStatus, ProviderKind, SendMethod, SupportKind, SupportOutcome
from safeguarding.services import court, health, history_version, support


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
    provider_name = forms.CharField(
        label="Provider", max_length=200, help_text="For example, Rushey Green Group Practice"
    )
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
    legal_basis = forms.ChoiceField(
        label="Legal basis for sharing", choices=LegalBasis.choices, widget=forms.RadioSelect
    )
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

    def __init__(self, attrs=None):
        # crispy-forms-gds styles inputs by their widget's class name, and knows only its own file inputs.
        super().__init__({"class": "govuk-file-upload"} | (attrs or {}))


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
        help_text=f"Up to {health.MAX_DOCUMENTS_PER_RESPONSE} files: PDF, Word document, JPG or PNG",
        error_messages={"invalid": "A selected file could not be read"},
    )

    def __init__(self, *args, button: str = "Record the response", name_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if name_label:
            self.fields["responded_by_name"].label = name_label
            self.fields["responded_by_name"].help_text = "For example, Dr Priya Shah, GP partner, Rushey Green Surgery"
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
        self.helper = _helper(
            Field.textarea("charge", label_size=Size.SMALL, rows=3),
            Field.text("court", label_size=Size.SMALL),
            Field.text("case_number", label_size=Size.SMALL, field_width=20),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field.textarea("outcome", label_size=Size.SMALL, rows=3),
            Fieldset(
                Field.text("solicitor_name", label_size=Size.SMALL),
                Field.text("solicitor_firm", label_size=Size.SMALL),
                Field.textarea("solicitor_address", label_size=Size.SMALL, rows=4),
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


class PublicIdChoiceField(forms.ModelChoiceField):
    """A choice named by its public id, where something that is not an id at all is a wrong choice too (Django
    would let the id field's own "is not a valid UUID" through)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class LetterSentForm(GovukFormMixin, forms.Form):
    """That a version of the proceedings' decision summary letter was sent: the versions are the choices."""

    letter = PublicIdChoiceField(
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
        # crispy-forms-gds prints help text unescaped: the solicitor's name is what a person typed.
        self.fields["recipient"].help_text = format_html(
            "Their name and organisation. Leave blank for {}", default_recipient
        )
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
            Field.textarea("reason", label_size=Size.SMALL, rows=3), Submit("correct", "Make a corrected version")
        )


# Support, safeguarding actions and turning 18

STALE_FORM = "This form is out of date or damaged: reload the page and make your change again."


def _support_date(label: str, *, required: bool, help_text: str, required_message: str = "") -> GovukDateField:
    field = GovukDateField(label=label, help_text=help_text, required=required, require_all_fields=False)
    if required_message:
        field.error_messages["required"] = required_message
    return field


def _support_date_layout(name: str) -> Field:
    return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})


class RuleCheckedForm(GovukFormMixin, forms.Form):
    """A support form: it carries the version of the record it started from, and puts each broken rule of the
    service (its `*_problems` function) next to the answer it is about, keeping everything typed."""

    version = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    # The answers `problems` needs: it is asked only once each of them is a valid value.
    problem_fields: tuple[str, ...] = ()

    def problems(self, data: dict, today: datetime.date) -> dict[str, str]:
        return {}

    def clean(self):
        data = super().clean()
        if "version" in self.errors:
            # A hidden field's error would be listed nowhere on the page.
            del self.errors["version"]
            self.add_error(None, STALE_FORM)
        if all(name in data for name in self.problem_fields):
            for name, message in self.problems(data, timezone.localdate()).items():
                self.add_error(name, message)
        return data


class SupportReferralForm(RuleCheckedForm):
    kind = forms.ChoiceField(label="Which service?", choices=SupportKind.choices, widget=forms.RadioSelect)
    service_name = forms.CharField(
        label="Name of the service",
        max_length=200,
        required=False,
        help_text="For example, Barnardo's ICTG service. Needed for other support.",
    )
    referred_on = _support_date(
        "Date of the referral",
        required=True,
        help_text="For example, 24 11 2026",
        required_message="Enter the date the child was referred",
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=SupportOutcome.choices, widget=forms.RadioSelect, initial=SupportOutcome.AWAITING
    )
    outcome_on = _support_date(
        "Date of the outcome", required=False, help_text="Leave blank while awaiting a response. For example, 2 12 2026"
    )
    contact_name = forms.CharField(
        label="Guardian's or contact's name",
        max_length=200,
        required=False,
        help_text="For an ICTG referral, the guardian allocated to the child",
    )
    contact_phone = forms.CharField(
        label="Their telephone number", max_length=40, required=False, validators=[TELEPHONE]
    )
    contact_email = forms.EmailField(
        label="Their email address",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    problem_fields = ("kind", "service_name", "referred_on", "outcome", "outcome_on", "contact_name")

    def __init__(self, *args, button: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("service_name", label_size=Size.SMALL),
            _support_date_layout("referred_on"),
            Field.radios("outcome", legend_size=Size.SMALL),
            _support_date_layout("outcome_on"),
            Field.text("contact_name", label_size=Size.SMALL),
            Field.text("contact_phone", label_size=Size.SMALL, field_width=20),
            Field.text("contact_email", label_size=Size.SMALL),
            Field.textarea("notes", label_size=Size.SMALL, rows=3),
            Field("version"),
            Submit("save", button),
        )

    def problems(self, data, today):
        return support.support_referral_problems(
            kind=data["kind"],
            service_name=data["service_name"],
            referred_on=data["referred_on"],
            outcome=data["outcome"],
            outcome_on=data["outcome_on"],
            contact_name=data["contact_name"],
            today=today,
        )

    @staticmethod
    def initial_from(support_referral) -> dict:
        return {
            name: getattr(support_referral, name)
            for name in (
                "kind",
                "service_name",
                "referred_on",
                "outcome",
                "outcome_on",
                "contact_name",
                "contact_phone",
                "contact_email",
                "notes",
            )
        } | {"version": history_version(support_referral)}


class SafeguardingActionForm(RuleCheckedForm):
    action = forms.CharField(label="What must be done?", widget=forms.Textarea)
    owner = forms.CharField(
        label="Who owns it?",
        max_length=200,
        help_text="A name and their agency, for example Jo Bloggs, Lewisham Children's Social Care",
    )
    due_on = _support_date(
        "Due by", required=True, help_text="For example, 15 1 2027", required_message="Enter the date it is due by"
    )

    problem_fields = ("action", "owner", "due_on")

    def __init__(self, *args, button: str, current_due_on: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # An action already overdue may keep its due date; a new one is today or later.
        self.current_due_on = current_due_on
        self.fields["action"].error_messages["required"] = support.ACTION_REQUIRED
        self.fields["owner"].error_messages["required"] = support.OWNER_REQUIRED
        self.helper = _helper(
            Field.textarea("action", label_size=Size.SMALL, rows=3),
            Field.text("owner", label_size=Size.SMALL),
            _support_date_layout("due_on"),
            Field("version"),
            Submit("save", button),
        )

    def problems(self, data, today):
        problems = support.action_problems(
            action=data["action"], owner=data["owner"], due_on=data["due_on"], today=today
        )
        if data["due_on"] == self.current_due_on:
            problems.pop("due_on", None)
        return problems


class ActionDoneForm(RuleCheckedForm):
    done_on = _support_date(
        "When was it done?",
        required=True,
        help_text="For example, 3 1 2027",
        required_message="Enter the date it was done",
    )
    done_note = forms.CharField(
        label="What was done",
        help_text="Optional: anything the panel should know",
        widget=forms.Textarea,
        required=False,
    )

    problem_fields = ("done_on",)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.helper = _helper(
            _support_date_layout("done_on"),
            Field.textarea("done_note", label_size=Size.SMALL, rows=3),
            Submit("save", "Mark as done"),
        )

    def problems(self, data, today):
        return support.action_done_problems(referral=self.referral, done_on=data["done_on"], today=today)


class ActionReopenForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label="Why is the action being reopened?", widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = support.REOPEN_REASON_REQUIRED
        self.helper = _helper(
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
            Submit("save", "Reopen the action", css_class="govuk-button--secondary"),
        )


class TransitionPlanForm(RuleCheckedForm):
    plan = forms.CharField(
        label="Transition plan",
        widget=forms.Textarea,
        help_text="How support carries on after 18: who leads, what continues, and what the young person wants",
    )
    adult_services_referred_on = _support_date(
        "Date of the referral to adult services",
        required=False,
        help_text="Leave blank if they have not been referred yet. For example, 2 12 2026",
    )
    adult_services_team = forms.CharField(
        label="Adult services team",
        max_length=200,
        required=False,
        help_text="For example, Lewisham Adult Social Care, Transitions Team",
    )
    adult_services_contact = forms.CharField(
        label="Contact at adult services", max_length=200, required=False, help_text="A name, telephone or email"
    )

    problem_fields = ("plan", "adult_services_referred_on", "adult_services_team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].error_messages["required"] = support.PLAN_REQUIRED
        self.helper = _helper(
            Field.textarea("plan", label_size=Size.SMALL, rows=8),
            _support_date_layout("adult_services_referred_on"),
            Field.text("adult_services_team", label_size=Size.SMALL),
            Field.text("adult_services_contact", label_size=Size.SMALL),
            Field("version"),
            Submit("save", "Save the transition plan"),
        )

    def problems(self, data, today):
        return support.transition_plan_problems(
            plan=data["plan"],
            adult_services_referred_on=data["adult_services_referred_on"],
            adult_services_team=data["adult_services_team"],
            today=today,
        )

    @staticmethod
    def initial_from(transition_plan) -> dict:
        if transition_plan is None:
            return {"version": 0}
        return {
            "plan": transition_plan.plan,
            "adult_services_referred_on": transition_plan.adult_services_referred_on,
            "adult_services_team": transition_plan.adult_services_team,
            "adult_services_contact": transition_plan.adult_services_contact,
            "version": history_version(transition_plan),
        }
