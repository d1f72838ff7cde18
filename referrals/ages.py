"""Ages and birthdays, on a given date: small functions so no view does date arithmetic."""

import datetime


def age_on(date_of_birth: datetime.date, on: datetime.date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def eighteenth_birthday(date_of_birth: datetime.date) -> datetime.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + 18)
    except ValueError:  # born on 29 February: the birthday is taken as 1 March
        return datetime.date(date_of_birth.year + 18, 3, 1)


def days_until_18(date_of_birth: datetime.date, on: datetime.date) -> int:
    return (eighteenth_birthday(date_of_birth) - on).days
