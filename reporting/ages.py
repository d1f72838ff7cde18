"""Ages on the referral date, and the bands the dashboard and the data return count them in: the date of birth
gives the age, else the estimated age; a case with neither (or a date of birth after the referral) is "Not known"."""

from django.db.models import Case, DateField, Expression, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

# Age on the referral date, in the bands the data return and the dashboard count: (label, first age, last age).
AGE_BANDS = [
    ("Under 12", 0, 11),
    ("12 to 13", 12, 13),
    ("14 to 15", 14, 15),
    ("16 to 17", 16, 17),
    ("18 or over", 18, None),
]
AGE_NOT_KNOWN = "Not known"


def age_band(age: int | None) -> str:
    """The band of an age in whole years; "Not known" for no age (or a date of birth after the referral)."""
    if age is None or age < 0:
        return AGE_NOT_KNOWN
    for label, first, last in AGE_BANDS:
        if first <= age and (last is None or age <= last):
            return label
    return AGE_NOT_KNOWN


class _YearsBetween(Func):
    """Whole years from the second date to the first, counted as referrals.ages.age_on counts them."""

    template = "EXTRACT(YEAR FROM AGE(%(expressions)s))::integer"
    output_field = IntegerField()


class EighteenthBirthday(Func):
    """The date a child born on `date_of_birth` turns 18, as referrals.ages.eighteenth_birthday has it: a child
    born on 29 February turns 18 on 1 March (PostgreSQL's `+ interval '18 years'` says 28 February)."""

    template = (
        "((%(expressions)s + interval '18 years')::date"
        " + CASE WHEN to_char(%(expressions)s, 'MM-DD') = '02-29' THEN 1 ELSE 0 END)"
    )
    output_field = DateField()


def age_at_referral() -> Expression:
    """The child's age on the referral date from the date of birth, else the estimated age, else null; null too
    for a date of birth after the referral (AGE() would call a few weeks "0 years")."""
    return Case(
        When(date_of_birth__gt=F("referral_date"), then=Value(None)),
        default=Coalesce(
            _YearsBetween(F("referral_date"), F("date_of_birth")), F("estimated_age"), output_field=IntegerField()
        ),
        output_field=IntegerField(),
    )


class _YearsBefore(Func):
    """The date `years` years before a date, as PostgreSQL counts (29 February less a year is 28 February)."""

    template = "(%(expressions)s - make_interval(years => %(years)s))::date"
    output_field = DateField()


def age_band_conditions() -> list[tuple[str, Q]]:
    """(band, the condition on a case for it), the same bands as `age_band`, by comparing dates rather than
    working out ages: a dashboard counts every band in one pass, and these cost the database little per case.
    Aged N on the referral date is born on or before the referral date less N years."""
    by_date_of_birth = Q(date_of_birth__isnull=False, date_of_birth__lte=F("referral_date"))
    by_estimate = Q(date_of_birth__isnull=True, estimated_age__isnull=False)
    conditions = []
    for label, first, last in AGE_BANDS:
        born = by_date_of_birth & Q(date_of_birth__lte=_YearsBefore(F("referral_date"), years=first))
        estimated = by_estimate & Q(estimated_age__gte=first)
        if last is not None:
            born &= Q(date_of_birth__gt=_YearsBefore(F("referral_date"), years=last + 1))
            estimated &= Q(estimated_age__lte=last)
        conditions.append((label, born | estimated))
    not_known = Q(date_of_birth__gt=F("referral_date")) | Q(date_of_birth__isnull=True, estimated_age__isnull=True)
    conditions.append((AGE_NOT_KNOWN, not_known))
    return conditions
