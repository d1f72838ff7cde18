"""NRM Panel project package: settings, the Celery app, panels, agencies, memberships and
the permission mechanism that keeps each panel's cases to itself."""

from nrm_panel.celery import app as celery_app

__all__ = ["celery_app"]
