"""The second step of signing in, announced for whoever keeps a record of it (the access log)."""

from django.dispatch import Signal

second_factor_passed = Signal()  # sender, request, user
second_factor_failed = Signal()  # sender, request, user
