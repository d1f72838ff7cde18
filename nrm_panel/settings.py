"""NRM Panel settings, read from environment variables.

Defaults are safe for a local run (DEBUG off unless asked for); a production start
(`NRM_ENVIRONMENT=production`) refuses to run with DEBUG on, the local secret key or no
allowed hosts. See README.md for every variable.
"""

import datetime
from pathlib import Path

import csp.constants
import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

NRM_ENVIRONMENT = env.str("NRM_ENVIRONMENT", default="local")
IS_PRODUCTION = NRM_ENVIRONMENT == "production"
IS_TEST = NRM_ENVIRONMENT == "test"

# Only for a laptop: production refuses it (check_production_settings below).
LOCAL_SECRET_KEY = "local-only-insecure-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=LOCAL_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where the app is served, for the links in emails (which carry nothing else).
SITE_URL = env.str("SITE_URL", default="" if IS_PRODUCTION else "http://127.0.0.1:8000")
# Everyone signs in with a password and a code from an authenticator app. Only `make run` sets this,
# so that the demo logins work without one; production refuses to start with it.
SIGN_IN_WITHOUT_SECOND_FACTOR = env.bool("SIGN_IN_WITHOUT_SECOND_FACTOR", default=False)


def check_production_settings() -> None:
    problems = []
    if DEBUG:
        problems.append("DEBUG must be off")
    if SECRET_KEY == LOCAL_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a long random value")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the host(s) the app is served on")
    if not SITE_URL.startswith("https://"):
        problems.append("SITE_URL must be the app's https:// address, for the links in emails")
    if SIGN_IN_WITHOUT_SECOND_FACTOR:
        problems.append("SIGN_IN_WITHOUT_SECOND_FACTOR is for a local demonstration only")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if IS_PRODUCTION:
    check_production_settings()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_forms_gds",
    "guardian",
    "simple_history",
    "nrm_panel",
    "referrals",
    "decisions",
    "notifications",
    "safeguarding",
    "reporting",
    "access_log",
    "records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "nrm_panel.two_factor.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "access_log.middleware.AccessLogMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nrm_panel.urls"
WSGI_APPLICATION = "nrm_panel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nrm_panel.context_processors.navigation",
            ],
        },
    },
]

# The local run and the tests set DATABASE_URL to the embedded PostgreSQL they start.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///nrm_panel")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "nrm_panel.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked-out person before their password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in failures: after 5 for one email address from one place, that pair is locked out for
# 30 minutes (an administrator can unlock it sooner). Counting the pair, not the address alone,
# stops a stranger from locking a colleague out by typing their email.
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "nrm_panel.requester.client_address"
AXES_USERNAME_CALLABLE = "nrm_panel.requester.sign_in_email"
AXES_DISABLE_ACCESS_LOG = True  # successes are in the app's own access log
AXES_VERBOSE = False
# Authenticator apps show this name beside the six-digit code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="NRM Panel")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # nothing here is public: no guardian anonymous user

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules/govuk-frontend/dist/govuk"),
    ("moj", BASE_DIR / "node_modules/@ministryofjustice/frontend/moj"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or IS_TEST
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Locally and in tests, static files are served straight from their sources.
WHITENOISE_AUTOREFRESH = DEBUG or IS_TEST
WHITENOISE_USE_FINDERS = DEBUG or IS_TEST

# Uploaded evidence lives outside the web root and is only ever served by a view that
# checks the user may see the case (referrals.views.attachment_download).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "uploads"))
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# How long a health provider's link to answer a request works (it works once, and chasing replaces it).
HEALTH_PROVIDER_LINK_DAYS = env.int("HEALTH_PROVIDER_LINK_DAYS", default=14)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Celery: the broker is Redis. REDIS_URL may be redis://host:port/db or, for the embedded
# Redis of a local run, unix:///path/to/redis.sock.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1) if REDIS_URL.startswith("unix://") else REDIS_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The cache is the same Redis: rate limits (on health providers' links) count across every web process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "nrm"}
}
# Behind a proxy, the request header that holds the caller's address (for example HTTP_X_FORWARDED_FOR):
# rate limits, sign-in lockouts and the access log use it (nrm_panel.requester).
CLIENT_ADDRESS_META_KEY = env.str("CLIENT_ADDRESS_META_KEY", default="REMOTE_ADDR")
RATELIMIT_IP_META_KEY = "nrm_panel.requester.client_address"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A change reason is what a person typed (a return reason, a decision's reasons): never cut it short.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

CELERY_BEAT_SCHEDULE: dict = {
    "meetings-schedule-all": {"task": "decisions.tasks.meetings_schedule_all", "schedule": 24 * 60 * 60},
    # The outbox: whatever a down broker or worker left unsent goes out within the minute.
    # A run not started within its minute is dropped: the next one does the same work.
    "emails-send": {"task": "notifications.tasks.emails_send", "schedule": 60, "options": {"expires": 55}},
    "letters-pending": {"task": "decisions.tasks.letters_pending", "schedule": 60, "options": {"expires": 55}},
    # The 45-day clock's thresholds: idempotent, so hourly rather than daily catches "due tomorrow" early.
    "clock-sweep-all": {"task": "decisions.tasks.clock_sweep_all", "schedule": 60 * 60},
    # Health providers' links (an outbox too), and reminders of requests past their due date.
    "health-provider-emails-send": {
        "task": "safeguarding.tasks.provider_emails_send",
        "schedule": 60,
        "options": {"expires": 55},
    },
    "health-requests-remind-overdue": {"task": "safeguarding.tasks.health_requests_remind_overdue", "schedule": 3600},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# With EMAIL_BACKEND=django_gov_notify.backends.NotifyEmailBackend, email goes through GOV.UK Notify.
GOVUK_NOTIFY_API_KEY = env.str("GOVUK_NOTIFY_API_KEY", default="")
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = env.str("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="nrm-panel@localhost")

# A session ends after SESSION_IDLE_MINUTES without a request (each request starts the count
# again; pages warn a few minutes before), when the browser closes, and on signing out.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts and styles come from the app's own files only; a script written into the page needs the
# page's nonce (templates: nonce="{{ request.csp_nonce }}"). Nothing may frame the app.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF, csp.constants.NONCE],
        "style-src": [csp.constants.SELF],
        "img-src": [csp.constants.SELF, "data:"],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "form-action": [csp.constants.SELF],
        "frame-ancestors": [csp.constants.NONE],
        "base-uri": [csp.constants.NONE],
        "object-src": [csp.constants.NONE],
    }
}
# The browser features no page here uses, switched off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix: browsers keep these cookies only if sent over HTTPS for this exact host.
    SESSION_COOKIE_NAME = "__Host-nrm_session"
    CSRF_COOKIE_NAME = "__Host-nrm_csrftoken"
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Browsers' preload list takes only a whole registrable domain (the council's), sending
    # the header from its apex; that is the domain owner's decision, not this app's. So no
    # preload, and no warning about it from `check --deploy`.
    SECURE_HSTS_PRELOAD = False
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Production sends real email (invitations carry a link to set a password, which the
    # local console backend would write to the logs) through an SMTP relay unless told otherwise.
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each layout step at INFO: a line per page of every PDF.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
