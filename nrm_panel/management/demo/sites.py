"""Demo panels with their partner agencies and one login per role, found again by name or email on a later run."""

from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history

from nrm_panel.management.demo import CHANGE_REASON, content
from nrm_panel.models import Agency, AgencyKind, Membership, Panel, Role, User

SUPERUSER_EMAIL = "admin@nrm-panel.example"
AGENCY_NAMES = {
    AgencyKind.SOCIAL_CARE: "{town} Children's Social Care",
    AgencyKind.POLICE: "{town} Constabulary",
    AgencyKind.HEALTH: "{town} Integrated Care Board",
    AgencyKind.EDUCATION: "{town} Education Service",
    AgencyKind.YOUTH_JUSTICE: "{town} Youth Justice Service",
}
# Only the agency roles must name an agency (Membership's check constraint).
ROLE_AGENCIES = {Role.PANEL_MEMBER: AgencyKind.POLICE, Role.DESIGNATED_NURSE: AgencyKind.HEALTH}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    label: str
    email: str


@dataclass
class DemoSite:
    """One demo panel and the people the referrals need: its referrers and its coordinator."""

    place: content.PlaceName
    panel: Panel
    referrers: list
    coordinator: User


def demo_logins(place: content.PlaceName) -> list[DemoLogin]:
    """The demo logins of a panel, one per role; the first panel has a second referrer."""
    logins = [DemoLogin(role, _label(role), f"{role.value.replace('_', '-')}@{place.slug}.example") for role in Role]
    if place == content.place_names(1)[0]:
        logins.insert(1, DemoLogin(Role.REFERRER, "Referrer (a second one)", f"referrer2@{place.slug}.example"))
    return logins


def _label(role: Role) -> str:
    if role in ROLE_AGENCIES:
        return f"{role.label} ({AgencyKind(ROLE_AGENCIES[role]).label.lower()})"
    return role.label


def sites_ensure(places, *, password_hash: str, rng) -> list[DemoSite]:
    panels = panels_ensure(places)
    agencies = agencies_ensure(places, panels)
    users = users_ensure(places, password_hash=password_hash, rng=rng)
    memberships_ensure(places, panels, agencies, users)
    return [
        DemoSite(
            place=place,
            panel=panel,
            referrers=[users[login.email] for login in demo_logins(place) if login.role == Role.REFERRER],
            coordinator=users[f"coordinator@{place.slug}.example"],
        )
        for place, panel in zip(places, panels, strict=True)
    ]


def panels_ensure(places) -> list[Panel]:
    existing = {panel.name: panel for panel in Panel.objects.filter(name__in=[p.panel_name for p in places])}
    taken_codes = set(Panel.objects.values_list("code", flat=True))
    new = []
    for place in places:
        if place.panel_name in existing:
            continue
        code = next(code for code in content.candidate_codes(place) if code not in taken_codes)
        taken_codes.add(code)
        new.append(Panel(name=place.panel_name, code=code, local_authorities=f"{place.town} Council"))
    for panel in bulk_create_with_history(new, Panel, default_change_reason=CHANGE_REASON):
        existing[panel.name] = panel
    return [existing[place.panel_name] for place in places]


def agencies_ensure(places, panels) -> dict:
    """The five partner agencies of each panel, keyed by (panel id, kind)."""
    existing = {(a.panel_id, a.name): a for a in Agency.objects.filter(panel__in=panels)}
    wanted = {
        (panel.id, template.format(town=place.town)): kind
        for place, panel in zip(places, panels, strict=True)
        for kind, template in AGENCY_NAMES.items()
    }
    new = [
        Agency(panel_id=panel_id, name=name, kind=kind)
        for (panel_id, name), kind in wanted.items()
        if (panel_id, name) not in existing
    ]
    for agency in bulk_create_with_history(new, Agency, default_change_reason=CHANGE_REASON):
        existing[(agency.panel_id, agency.name)] = agency
    return {(panel_id, kind): existing[(panel_id, name)] for (panel_id, name), kind in wanted.items()}


def users_ensure(places, *, password_hash: str, rng) -> dict:
    """Every demo login and the superuser, keyed by email, all with the demo password."""
    emails = [login.email for place in places for login in demo_logins(place)] + [SUPERUSER_EMAIL]
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    # One hash for everyone: hashing is slow on purpose (about a third of a second each), and
    # it is the same password.
    User.objects.filter(email__in=list(existing)).update(password=password_hash)
    new = [
        User(
            email=email,
            password=password_hash,
            first_name=rng.choice(content.STAFF_FIRST_NAMES),
            last_name=rng.choice(content.STAFF_LAST_NAMES),
            is_staff=email == SUPERUSER_EMAIL,
            is_superuser=email == SUPERUSER_EMAIL,
        )
        for email in emails
        if email not in existing
    ]
    existing.update({user.email: user for user in User.objects.bulk_create(new)})
    return existing


def memberships_ensure(places, panels, agencies, users) -> None:
    existing = set(Membership.objects.filter(panel__in=panels).values_list("user_id", "panel_id", "role"))
    new = []
    for place, panel in zip(places, panels, strict=True):
        for login in demo_logins(place):
            user = users[login.email]
            if (user.id, panel.id, login.role) in existing:
                continue
            agency = agencies[(panel.id, ROLE_AGENCIES[login.role])] if login.role in ROLE_AGENCIES else None
            new.append(Membership(user=user, panel=panel, role=login.role, agency=agency))
    bulk_create_with_history(new, Membership, default_change_reason=CHANGE_REASON)
