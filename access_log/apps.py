from django.apps import AppConfig


class AccessLogConfig(AppConfig):
    name = "access_log"
    verbose_name = "Access log"

    def ready(self):
        from access_log import signals  # noqa: F401  (sign-in, sign-out and failures are recorded by signal)
