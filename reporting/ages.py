"""Ages on the referral date, and the bands the dashboard and the data return count them in: the date of birth
gives the age, else the estimated age; a case with neither (or a date of birth after the referral) is "Not known"."""

from django.db.models import Case, CharField, DateField, Expression, F, Func, IntegerField, Q, Value, When
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


def age_band_expression(age: str = "age") -> Expression:
    """age_band() worked out in the database, for counting cases by band: `age` names an annotation holding
    age_at_referral()."""
    whens = [
        When(Q(**{f"{age}__gte": first}) & (Q() if last is None else Q(**{f"{age}__lte": last})), then=Value(label))
        for label, first, last in AGE_BANDS
    ]
    return Case(*whens, default=Value(AGE_NOT_KNOWN), output_field=CharField())
