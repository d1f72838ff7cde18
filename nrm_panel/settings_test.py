"""Settings for the test suite: the real settings, run as NRM_ENVIRONMENT=test."""

import os

os.environ.setdefault("NRM_ENVIRONMENT", "test")

from nrm_panel.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
CELERY_TASK_ALWAYS_EAGER = True
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-uploads"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests may run in parallel (pytest-xdist): each worker counts rate limits under its own
# prefix, which the root conftest empties before every test.
CACHES["default"]["KEY_PREFIX"] = f"nrm-{os.environ.get('PYTEST_XDIST_WORKER', 'tests')}"  # noqa: F405
