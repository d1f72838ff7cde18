"""Subject access exports: the coordinator's zip holds a PDF of everything held about the child on the case (but
health detail, which it only counts), the evidence and the letters; the designated nurse's zip holds the
health part. Who may export, the download's headers, and that it is in the access log."""

import io
import time
import zipfile

import pytest
from django.urls import reverse

from access_log.models import AccessEvent, AccessKind
from nrm_panel.models import Role
from records.anonymisation import case_anonymise
from records.subject_access import case_export, export_zip, safe_filename
from tests.decisions.http_helpers import TO_LOGIN, outcome, request_as
from tests.factories import PanelFactory, member
from tests.records.helpers import SECRETS, pdf_text, review

pytestmark = pytest.mark.django_db

HEALTH_DETAIL = ("provider_name", "contact_name", "contact_email", "questions", "response_text", "responded_by_name")


def download(client, user, name: str, case):
    client.force_login(user)
    return client.post(reverse(f"records:{name}", args=[case.public_id]))


def unzipped(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_coordinators_zip_holds_the_summary_the_evidence_and_the_letters(client, full_case):
    response = download(client, full_case.coordinator, "subject_access_download", full_case.case)

    assert response.status_code == 200
    reference = full_case.case.reference
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{reference}-subject-access-')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    files = unzipped(response)
    folder = response["Content-Disposition"].split('"')[1].removesuffix(".zip")
    assert set(files) == {
        f"{folder}/summary.pdf",
        f"{folder}/evidence/01-Statement-of-Amara-Okafor.pdf",
        f"{folder}/letters/{full_case.letter.filename}",
        f"{folder}/letters/{full_case.summary_letter.filename}",
    }
    with full_case.letter.file.open("rb") as stored:
        assert files[f"{folder}/letters/{full_case.letter.filename}"] == stored.read()
    with full_case.attachment.file.open("rb") as stored:
        assert files[f"{folder}/evidence/01-Statement-of-Amara-Okafor.pdf"] == stored.read()


def test_the_summary_says_everything_held_but_the_health_detail(client, full_case):
    response = download(client, full_case.coordinator, "subject_access_download", full_case.case)

    (summary,) = [data for name, data in unzipped(response).items() if name.endswith("/summary.pdf")]
    text = pdf_text(summary)
    for name in (
        "first_name",
        "last_name",
        "aliases",
        "account",
        "police_reference",
        "child_wishes_and_feelings",
        "input_knowledge",
        "decision_reasons",
        "conflict_reason",
        "attachment_description",
        "support_contact",
        "action",
        "plan",
        "charge",
        "solicitor_name",
        "court_outcome",
        "hearing",
        "close_reason",
    ):
        assert " ".join(SECRETS[name].split()) in text, name
    assert "Positive conclusive grounds decision signed off" in text  # the state history
    for name in HEALTH_DETAIL:
        assert SECRETS[name] not in text, name
    assert "1 health information request held, 1 answered, with 1 document" in text
    assert "designated nurse or doctor provides that part" in text


def test_the_nurses_health_part_holds_the_requests_answers_and_documents(client, full_case):
    response = download(client, full_case.nurse, "health_subject_access_download", full_case.case)

    assert response.status_code == 200
    assert "-health-subject-access-" in response["Content-Disposition"]
    files = unzipped(response)
    (summary,) = [data for name, data in files.items() if name.endswith("/summary.pdf")]
    text = pdf_text(summary)
    for name in HEALTH_DETAIL:
        assert SECRETS[name] in text, name
    assert SECRETS["account"] not in text  # the rest of the case is the coordinator's export
    (document,) = [name for name in files if "/health/" in name]
    assert document.endswith("/health/01-Brockley-GP-summary.pdf")


def test_each_download_is_in_the_access_log(client, full_case):
    download(client, full_case.coordinator, "subject_access_download", full_case.case)
    download(client, full_case.nurse, "health_subject_access_download", full_case.case)

    logged = AccessEvent.objects.filter(kind=AccessKind.RECORDS, referral_id=full_case.case.pk)
    assert set(logged.values_list("url_name", "user_id", "panel_id")) == {
        ("records:subject_access_download", full_case.coordinator.pk, full_case.case.panel_id),
        ("records:health_subject_access_download", full_case.nurse.pk, full_case.case.panel_id),
    }


PAGES = [
    ("subject_access", "get", "coordinator"),
    ("subject_access_download", "post", "coordinator"),
    ("health_subject_access", "get", "designated_nurse"),
    ("health_subject_access_download", "post", "designated_nurse"),
]


@pytest.mark.parametrize(
    "actor",
    ["coordinator", "chair", "panel_member", "designated_nurse", "auditor", "administrator", "referrer", "other_panel"]
    + ["anonymous"],
)
def test_only_the_coordinator_and_the_designated_nurse_export_and_another_panel_gets_a_404(actor, client, full_case):
    s = full_case.sitting
    other_panel = PanelFactory(code="OTH")
    actors = {
        "coordinator": s.coordinator,
        "chair": s.chair,
        "panel_member": s.police,
        "designated_nurse": s.health,
        "auditor": member(s.panel, Role.AUDITOR),
        "administrator": member(s.panel, Role.ADMINISTRATOR),
        "referrer": full_case.case.referrer,
        "other_panel": member(other_panel, Role.COORDINATOR, user=member(other_panel, Role.DESIGNATED_NURSE)),
        "anonymous": None,
    }
    statuses = {}
    for name, method, _ in PAGES:
        url = reverse(f"records:{name}", args=[full_case.case.public_id])
        statuses[name] = outcome(request_as(client, actors[actor], method, url))

    if actor == "anonymous":
        expected = dict.fromkeys(statuses, TO_LOGIN)
    elif actor in ("administrator", "referrer", "other_panel"):
        expected = dict.fromkeys(statuses, 404)
    else:
        expected = {name: 200 if actor == allowed else 403 for name, _, allowed in PAGES}
    assert statuses == expected


def test_a_get_of_a_download_is_refused(client, full_case):
    client.force_login(full_case.coordinator)

    response = client.get(reverse("records:subject_access_download", args=[full_case.case.public_id]))

    assert response.status_code == 405


def test_an_anonymised_case_has_nothing_to_export(client, full_case, django_capture_on_commit_callbacks):
    review(full_case.case, full_case.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        case_anonymise(referral=full_case.case)

    for name, user in (("subject_access", full_case.coordinator), ("subject_access_download", full_case.coordinator)):
        client.force_login(user)
        url = reverse(f"records:{name}", args=[full_case.case.public_id])
        response = client.get(url) if name == "subject_access" else client.post(url)
        assert response.status_code == 409
        assert "anonymised" in response.content.decode()


def test_a_file_missing_from_storage_is_listed_not_a_failure(client, full_case):
    full_case.attachment.file.storage.delete(full_case.attachment.file.name)

    response = download(client, full_case.coordinator, "subject_access_download", full_case.case)

    assert response.status_code == 200
    files = unzipped(response)
    assert not any("/evidence/" in name for name in files)
    (summary,) = [data for name, data in files.items() if name.endswith("/summary.pdf")]
    assert "Files missing from storage" in pdf_text(summary)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Statement of Amara Okafor.pdf", "Statement-of-Amara-Okafor.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\évidence (1).docx", "evidence-1.docx"),
        (".hidden", "file.hidden"),
        ("..", "file"),
        ("名前.pdf", "file.pdf"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * 90 + ".pdf"),
    ],
)
def test_file_names_in_the_zip_are_safe(name, safe):
    assert safe_filename(name) == safe


def test_one_case_is_exported_within_a_few_seconds(full_case):
    started = time.monotonic()
    file, _ = export_zip(case_export(referral=full_case.case, user=full_case.coordinator), user=full_case.coordinator)
    file.close()
    assert time.monotonic() - started < 5
