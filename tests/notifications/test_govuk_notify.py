"""The GOV.UK Notify email backend, as a council would configure it: the plain template gets the
subject and the body, and the body holds the link and nothing about the case."""

import pytest
from notifications_python_client.notifications import NotificationsAPIClient

from notifications.models import EmailState, Kind, Notification
from notifications.services import notify, send_pending_emails
from nrm_panel.models import Role

pytestmark = pytest.mark.django_db


def test_notifications_go_through_govuk_notify_when_configured(settings, monkeypatch, coordinator, panel):
    settings.EMAIL_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = "test_key-" + "0" * 36 + "-" + "1" * 36
    settings.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = "11111111-2222-3333-4444-555555555555"
    settings.SITE_URL = "https://nrm.example.gov.uk"
    sent = []
    monkeypatch.setattr(NotificationsAPIClient, "send_email_notification", lambda self, **kwargs: sent.append(kwargs))
    notify(
        recipients=[coordinator],
        roles={Role.COORDINATOR},
        panel_id=panel.pk,
        kind=Kind.DECISION_SIGNED,
        text="LEW-2026-0001: reasonable grounds positive, signed off",
        link="/referrals/x/",
        key="test",
    )
    assert send_pending_emails() == 1
    notification = Notification.objects.get()
    assert notification.email_state == EmailState.SENT
    (email,) = sent
    assert email["email_address"] == coordinator.email
    assert email["template_id"] == settings.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID
    personalisation = email["personalisation"]
    assert personalisation["subject"] == "NRM Panel: Decision signed off"
    assert f"https://nrm.example.gov.uk/notifications/{notification.public_id}/" in personalisation["body"]
    assert "LEW-2026-0001" not in personalisation["body"] + personalisation["subject"]
