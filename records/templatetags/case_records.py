"""The records part of the case page: that the case was anonymised (the page then shows nothing else of it),
its retention review when due, and the subject access exports the person may make.

A simple tag, so the referrals app's case page shows it without importing this app's code.
"""

from django import template
from django.utils import timezone

from records import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def case_records(context, referral):
    return selectors.case_records(context["request"].user, referral, today=timezone.localdate())
