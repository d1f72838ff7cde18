"""Shared fixtures: a panel with one person in each role, and a second panel to prove separation."""

import importlib
import shutil

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from nrm_panel.models import Role
from tests.factories import PASSWORD, PanelFactory, ReferralFactory, member


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "uploads"
    yield
    shutil.rmtree(tmp_path / "uploads", ignore_errors=True)


@pytest.fixture(autouse=True)
def _rate_limits_start_at_zero():
    """Rate limits count in Redis, which outlives a test: each test starts with none counted."""
    from django.core.cache import cache

    # Not cache.clear(): that empties the whole Redis database, the Celery broker's queues with it.
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _threshold_wordings_outlive_flushes(request, django_db_blocker):
    """Tests on the transactional database (browser tests, the real Celery worker) and the worlds some
    modules build once end by emptying every table, the threshold wordings a data migration added with
    them: each test that uses the database starts with them back."""
    if "django_db_setup" not in request.fixturenames:
        return  # no test database here (yet)
    from django.apps import apps

    with django_db_blocker.unblock():
        if not apps.get_model("decisions", "ThresholdWording").objects.exists():
            importlib.import_module("decisions.migrations.0002_threshold_wordings").add_wordings(apps, None)


@pytest.fixture(autouse=True)
def _celery_may_wait_for_results():
    """Celery refuses result.get() in a process it believes is a worker's, a global flag. A test can leave
    it set for the next tests on its pytest worker (seen after the concurrent sweeps of
    tests/decisions/test_clock_sweep.py): each test starts with it cleared."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture
def panel(db):
    return PanelFactory(name="Lewisham NRM Panel", code="LEW")


@pytest.fixture
def other_panel(db):
    return PanelFactory(name="Other Borough NRM Panel", code="OTH")


@pytest.fixture
def people(panel):
    """One person per role on `panel`, keyed by role."""
    return {role: member(panel, role) for role in Role}


@pytest.fixture
def referrer(people):
    return people[Role.REFERRER]


@pytest.fixture
def coordinator(people):
    return people[Role.COORDINATOR]


@pytest.fixture
def draft(panel, referrer):
    return ReferralFactory(panel=panel, referrer=referrer)


_force_login = Client.force_login


def _force_login_with_second_factor(self, user, backend=None, *, second_factor=True):
    """As Django's force_login (which skips the password), also past the second step of signing in:
    the session holds a confirmed authenticator of the person's, as after typing its code. Pass
    second_factor=False for a session that has given only its password."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _force_login(self, user, backend)
    if second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


Client.force_login = _force_login_with_second_factor


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


def pytest_configure(config):
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "tests run on PostgreSQL only"
