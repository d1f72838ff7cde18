"""The retention review form: the coordinator's decision on one case. It checks only the answers' types; the
rules (a date in the future, a reason to keep) are the service's, shown next to the answer they are about."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from records.models import KeepReason, RetentionDecision
from referrals.forms import GovukDateField, GovukFormMixin

DETAILS_MAX = 2_000


class RetentionReviewForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="What should happen to the case?", choices=RetentionDecision.choices, widget=forms.RadioSelect
    )
    keep_until = GovukDateField(
        label="If the case is kept: until when?",
        help_text="It is listed for review again on this date. For example, 27 3 2031",
        required=False,
        require_all_fields=False,
    )
    keep_reason = forms.ChoiceField(
        label="If the case is kept: why?", choices=KeepReason.choices, widget=forms.RadioSelect, required=False
    )
    details = forms.CharField(
        label="Details",
        widget=forms.Textarea,
        max_length=DETAILS_MAX,
        required=False,
        help_text="Needed for another reason. Name no one: the details are removed when the case is anonymised",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["details"].widget.attrs["rows"] = 3
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM),
            # Not nested in a fieldset of their own (GOV.UK advises against fieldsets in fieldsets): their
            # questions say they are for a kept case.
            Field("keep_until", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.radios("keep_reason", legend_size=Size.SMALL),
            Field.textarea("details", label_size=Size.SMALL),
            Submit("save", "Record the decision"),
        )
