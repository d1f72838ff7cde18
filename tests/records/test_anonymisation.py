"""Anonymising a case reviewed "anonymise": every name, address, free text and file about the child and the
people around them goes, from the records and from their history; the reference, dates and coded answers
stay; the access log is untouched; a case that is open, not past its retention period or not reviewed so is
refused; running again does nothing twice."""

import datetime

import pytest
from django.apps import apps

from access_log.models import AccessEvent
from decisions.models import Decision, Letter, LetterExport, LetterExportStatus, PanelMeeting
from records import anonymisation
from records.anonymisation import ANONYMISED, case_anonymise, minutes_without_case, stand_in_date_of_birth
from records.models import Anonymisation, KeepReason, RetentionDecision
from records.services import RecordsError
from referrals.ages import age_on
from referrals.models import Attachment, PrivateUploadStorage, Referral, State
from safeguarding.models import HealthInformationRequest, HealthResponseDocument
from tests.records.helpers import SECRETS, closed_case, review, today, years_ago

pytestmark = pytest.mark.django_db


def everything_stored() -> str:
    """Every row of every table but the access log (which names no one), history tables included, as text."""
    rows = []
    for model in apps.get_models():
        if model is AccessEvent or model._meta.app_label in ("sessions", "axes", "otp_totp", "otp_static"):
            continue
        for row in model.objects.values_list():
            rows.append("\t".join(str(value) for value in row))
    return "\n".join(rows)


def anonymise(full, capture):
    review(full.case, full.coordinator, details=SECRETS["review_details"])
    with capture(execute=True):
        return case_anonymise(referral=full.case)


def test_nothing_written_about_the_child_is_left_anywhere_history_included(
    full_case, django_capture_on_commit_callbacks
):
    before = everything_stored().lower()
    assert [name for name, secret in SECRETS.items() if secret.lower() not in before] == ["review_details"]
    assert str(full_case.date_of_birth) in before

    anonymise(full_case, django_capture_on_commit_callbacks)

    after = everything_stored().lower()
    left = [name for name, secret in SECRETS.items() if secret.lower() in after]
    assert left == []
    assert str(full_case.date_of_birth) not in after


def test_the_history_rows_are_cleared_too(full_case, django_capture_on_commit_callbacks):
    anonymise(full_case, django_capture_on_commit_callbacks)

    for record in Referral.history.filter(id=full_case.case.pk):
        assert (record.first_name, record.last_name, record.account, record.state_reason) == ("", "", "", "")
        assert record.date_of_birth != full_case.date_of_birth
    for record in Decision.history.filter(referral_id=full_case.case.pk):
        assert record.reasons == ANONYMISED
        assert all(each["reasons"] == "" for each in record.agency_recommendations)
    for record in HealthInformationRequest.history.filter(referral_id=full_case.case.pk):
        assert (record.questions, record.response_text, record.contact_email) == (ANONYMISED, "", "")
    reasons = set(Referral.history.filter(id=full_case.case.pk).values_list("history_change_reason", flat=True))
    assert "Case closed" in reasons  # what happened stays, what was written goes


def test_the_stored_files_are_deleted_and_their_hashes_kept(full_case, django_capture_on_commit_callbacks):
    storage = PrivateUploadStorage()
    names = full_case.stored_files()
    assert all(storage.exists(name) for name in names)

    done = anonymise(full_case, django_capture_on_commit_callbacks)

    assert not any(storage.exists(name) for name in names)
    done.refresh_from_db()
    assert done.files_deleted_at is not None
    assert sorted(entry["name"] for entry in done.removed_files) == sorted(names)
    assert all(len(entry["sha256"]) == 64 and not entry["missing"] for entry in done.removed_files)
    letter = Letter.objects.get(pk=full_case.letter.pk)
    assert letter.sha256 == full_case.letter.sha256 and letter.size == full_case.letter.size
    document = HealthResponseDocument.objects.get(request=full_case.health_request)
    assert len(document.sha256) == 64
    export = LetterExport.objects.get(pk=full_case.export.pk)
    assert export.status == LetterExportStatus.FAILED and export.sha256 == full_case.export.sha256
    assert "anonymised" in export.error


def test_what_the_figures_need_stays(full_case, django_capture_on_commit_callbacks):
    case = full_case.case
    anonymise(full_case, django_capture_on_commit_callbacks)

    kept = Referral.objects.get(pk=case.pk)
    for name in (
        "reference",
        "panel_id",
        "state",
        "referral_date",
        "submitted_at",
        "gender",
        "nationality",
        "exploitation_types",
        "exploited_in",
        "first_responder_organisation_type",
        "looked_after_status",
        "is_age_disputed",
        "days_to_rg",
        "days_to_cg",
        "indicators",
    ):
        assert getattr(kept, name) == getattr(case, name), name
    assert age_on(kept.date_of_birth, kept.referral_date) == age_on(case.date_of_birth, case.referral_date)
    decisions = Decision.objects.filter(referral=case)
    assert {(d.kind, d.outcome, d.decided_on) for d in decisions} == {
        (d.kind, d.outcome, d.decided_on) for d in Decision.objects.filter(pk__in=decisions)
    }
    assert Attachment.objects.filter(referral=case).count() == 1


def test_the_minutes_keep_the_other_cases_and_lose_what_was_said_of_this_one(
    full_case, steps, django_capture_on_commit_callbacks
):
    meeting = PanelMeeting.objects.get(pk=full_case.meeting.pk)
    assert SECRETS["decision_reasons"].split()[2] in meeting.minutes_html

    anonymise(full_case, django_capture_on_commit_callbacks)

    minutes = PanelMeeting.objects.get(pk=meeting.pk).minutes_html
    assert full_case.case.reference in minutes
    assert "Conclusive grounds: positive." in minutes
    assert "Teaches" not in minutes and "satisfied" not in minutes
    assert "removed when the case was anonymised" in minutes
    for record in PanelMeeting.history.filter(id=meeting.pk).exclude(minutes_html=""):
        assert "satisfied" not in record.minutes_html


def test_minutes_of_other_cases_are_left_exactly_as_approved():
    minutes = (
        '<div class="nrm-minutes">\n<h2 class="govuk-heading-m">Minutes</h2>\n'
        '<h3 class="govuk-heading-s">Item 1: LEW-2019-0001 (reasonable grounds)</h3>\n'
        '<p class="govuk-body"><strong>Reasonable grounds: positive.</strong> Signed off by Sam.</p>\n'
        '<p class="govuk-body nrm-pre-wrap">Ours: Amara&#x27;s account.</p>\n'
        '<h3 class="govuk-heading-s">Item 2: LEW-2019-00010 (reasonable grounds)</h3>\n'
        '<p class="govuk-body"><strong>Reasonable grounds: negative.</strong> Signed off by Sam.</p>\n'
        '<p class="govuk-body nrm-pre-wrap">Theirs: no indicators.</p>\n'
        '<p class="govuk-body">LEW-2019-0001 was taken off the agenda: Amara moved away.</p>\n'
        '<p class="govuk-body">LEW-2019-0002 was taken off the agenda: duplicate.</p>\n</div>'
    )

    scrubbed = minutes_without_case(minutes, reference="LEW-2019-0001", texts={"Ours: Amara's account."})

    assert "Amara" not in scrubbed
    assert "Theirs: no indicators." in scrubbed and "LEW-2019-0002 was taken off the agenda: duplicate." in scrubbed
    assert "Reasonable grounds: positive." in scrubbed
    assert "LEW-2019-0001 was taken off the agenda." in scrubbed


def test_the_access_log_is_not_touched(full_case, client, django_capture_on_commit_callbacks):
    client.force_login(full_case.coordinator)
    client.get(f"/referrals/{full_case.case.public_id}/")
    logged = list(AccessEvent.objects.values())
    assert logged

    anonymise(full_case, django_capture_on_commit_callbacks)

    assert list(AccessEvent.objects.values()) == logged


def test_running_again_does_nothing_twice(full_case, django_capture_on_commit_callbacks):
    first = anonymise(full_case, django_capture_on_commit_callbacks)
    stored = everything_stored()

    with django_capture_on_commit_callbacks(execute=True):
        again = case_anonymise(referral=full_case.case)

    assert again.pk == first.pk
    assert Anonymisation.objects.count() == 1
    assert everything_stored() == stored


@pytest.mark.parametrize("state", [State.RG_PENDING, State.CG_POSITIVE, State.RECONSIDERATION])
def test_an_open_case_is_refused(panel, coordinator, state):
    case = closed_case(panel, closed_on=years_ago(8), state=state)
    review(case, coordinator)

    with pytest.raises(RecordsError, match="only a closed"):
        case_anonymise(referral=case)

    assert Referral.objects.get(pk=case.pk).first_name == case.first_name
    assert not Anonymisation.objects.exists()


def test_a_case_not_past_its_retention_period_is_refused(panel, coordinator):
    panel.retention_years = 6
    panel.save()
    case = closed_case(panel, closed_on=years_ago(6) + datetime.timedelta(days=1))
    review(case, coordinator)

    with pytest.raises(RecordsError, match="not due for review"):
        case_anonymise(referral=case)


def test_a_case_kept_or_never_reviewed_is_refused(panel, coordinator):
    never = closed_case(panel, closed_on=years_ago(8))
    kept = closed_case(panel, closed_on=years_ago(8))
    review(
        kept,
        coordinator,
        decision=RetentionDecision.KEEP,
        keep_until=today() + datetime.timedelta(days=30),
        keep_reason=KeepReason.COMPLAINT,
    )

    for case in (never, kept):
        with pytest.raises(RecordsError, match="not been reviewed"):
            case_anonymise(referral=case)


def test_ongoing_proceedings_stop_it(full_case):
    full_case.proceeding.status = "ongoing"
    full_case.proceeding.save()
    review(full_case.case, full_case.coordinator)

    with pytest.raises(RecordsError, match="ongoing"):
        case_anonymise(referral=full_case.case)
    assert Referral.objects.get(pk=full_case.case.pk).first_name == SECRETS["first_name"]


def test_it_is_undone_if_the_figures_would_change(panel, coordinator, monkeypatch):
    case = closed_case(panel, closed_on=years_ago(8), first_name="Zainab")
    review(case, coordinator)
    figures = iter([("before",), ("after",)])
    monkeypatch.setattr(anonymisation, "case_figures", lambda referral: next(figures))

    with pytest.raises(RecordsError, match="figures"):
        case_anonymise(referral=case)

    assert Referral.objects.get(pk=case.pk).first_name == "Zainab"
    assert not Anonymisation.objects.exists()


@pytest.mark.parametrize(
    ("date_of_birth", "referral_date"),
    [
        (datetime.date(2008, 5, 20), datetime.date(2024, 1, 10)),  # 15
        (datetime.date(2008, 1, 10), datetime.date(2024, 1, 10)),  # 16 on the day: the stand-in is another day
        (datetime.date(2006, 3, 1), datetime.date(2024, 1, 10)),  # within 100 days of 18
        (datetime.date(2006, 2, 28), datetime.date(2024, 2, 27)),  # 18 tomorrow
        (datetime.date(2008, 2, 29), datetime.date(2024, 2, 29)),  # born and referred on 29 February
        (datetime.date(2005, 2, 28), datetime.date(2024, 2, 29)),  # 19
        (datetime.date(2024, 6, 1), datetime.date(2024, 1, 10)),  # after the referral: age not known
    ],
)
def test_the_stand_in_date_of_birth_answers_every_question_the_reports_ask(date_of_birth, referral_date):
    stand_in = stand_in_date_of_birth(date_of_birth, referral_date)

    assert stand_in != date_of_birth
    assert anonymisation._date_of_birth_answers(stand_in, referral_date) == anonymisation._date_of_birth_answers(
        date_of_birth, referral_date
    )


def test_every_text_of_a_record_anonymised_is_cleared_or_kept_on_purpose():
    """A text field added later to a record that holds case data fails here until it is cleared or kept."""
    for scrub in anonymisation.SCRUBS:
        kept = set(anonymisation.KEPT.get(scrub.model, ()))
        for model_field in scrub.model._meta.concrete_fields:
            is_text = model_field.get_internal_type() in ("CharField", "TextField", "JSONField")
            if not is_text or model_field.choices or model_field.name in ("file",):
                continue
            cleared = model_field.name in scrub.fields or (scrub.model, model_field.name) in (
                anonymisation.DECISION_RECOMMENDATIONS,
                anonymisation.LETTER_ADDRESSEES,
            )
            assert cleared or model_field.name in kept, f"{scrub.model.__name__}.{model_field.name}"
