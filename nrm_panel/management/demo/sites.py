"""Demo panels with their partner agencies and one login per role, found again by name or email on a later run.

Each panel has the people a meeting needs to be quorate: a chair (and a deputy for items the chair
may not take), a voting member of each statutory partner and an advising member from education.
"""

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
# Panel settings that differ from the defaults, by town: one panel decides reasonable grounds
# between meetings, within 5 working days, as the national model allows, one keeps the national 30-day recovery period
# between the reasonable and conclusive grounds decisions. The others keep the pilot's defaults.
PANEL_RULES = {
    "Eastbury": {"allows_rg_between_meetings": True, "rg_target_working_days": 5},
    "Westvale": {"min_days_between_rg_and_cg": 30},
}
# Who sits on every panel's meetings, after the referrers: (role, label, email name, agency kind).
# Only the agency roles name an agency (Membership's check constraint).
PANEL_PEOPLE = [
    (Role.COORDINATOR, "NRM coordinator", "coordinator", None),
    (Role.CHAIR, "Panel chair", "chair", None),
    (Role.CHAIR, "Panel chair (deputy)", "deputy-chair", None),
    (Role.PANEL_MEMBER, "Panel member (children's social care)", "panel-member-social-care", AgencyKind.SOCIAL_CARE),
    (Role.PANEL_MEMBER, "Panel member (police)", "panel-member", AgencyKind.POLICE),
    (Role.DESIGNATED_NURSE, "Designated nurse or doctor (health)", "designated-nurse", AgencyKind.HEALTH),
    (Role.PANEL_MEMBER, "Panel member (education, advising)", "panel-member-education", AgencyKind.EDUCATION),
    (Role.AUDITOR, "Auditor", "auditor", None),
    (Role.ADMINISTRATOR, "Administrator", "administrator", None),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    label: str
    email: str
    agency_kind: str | None = None


@dataclass
class DemoSite:
    """One demo panel and its people: referrers, coordinator, chairs, and a member for each agency kind."""

    place: content.PlaceName
    panel: Panel
    referrers: list
    coordinator: User
    chair: User
    deputy_chair: User
    members: dict  # agency kind -> the member who writes that agency's inputs
    agencies: dict  # agency kind -> Agency


def demo_logins(place: content.PlaceName) -> list[DemoLogin]:
    """The demo logins of a panel, one per seat at the meeting; the first panel has a second referrer."""
    logins = [DemoLogin(Role.REFERRER, Role.REFERRER.label, f"referrer@{place.slug}.example")]
    if place == content.place_names(1)[0]:
        logins.append(DemoLogin(Role.REFERRER, "Referrer (a second one)", f"referrer2@{place.slug}.example"))
    logins += [DemoLogin(role, label, f"{name}@{place.slug}.example", kind) for role, label, name, kind in PANEL_PEOPLE]
    return logins


def sites_ensure(places, *, password_hash: str, rng) -> list[DemoSite]:
    panels = panels_ensure(places)
    agencies = agencies_ensure(places, panels)
    users = users_ensure(places, password_hash=password_hash, rng=rng)
    memberships_ensure(places, panels, agencies, users)
    sites = []
    for place, panel in zip(places, panels, strict=True):
        logins = demo_logins(place)
        sites.append(
            DemoSite(
                place=place,
                panel=panel,
                referrers=[users[login.email] for login in logins if login.role == Role.REFERRER],
                coordinator=users[f"coordinator@{place.slug}.example"],
                chair=users[f"chair@{place.slug}.example"],
                deputy_chair=users[f"deputy-chair@{place.slug}.example"],
                members={login.agency_kind: users[login.email] for login in logins if login.agency_kind},
                agencies={kind: agencies[(panel.id, kind)] for kind in AGENCY_NAMES},
            )
        )
    return sites


def panels_ensure(places) -> list[Panel]:
    existing = {panel.name: panel for panel in Panel.objects.filter(name__in=[p.panel_name for p in places])}
    taken_codes = set(Panel.objects.values_list("code", flat=True))
    new = []
    for place in places:
        if place.panel_name in existing:
            continue
        code = next(code for code in content.candidate_codes(place) if code not in taken_codes)
        taken_codes.add(code)
        new.append(
            Panel(
                name=place.panel_name,
                code=code,
                local_authorities=f"{place.town} Council",
                meeting_place=content.MEETING_PLACE.format(town=place.town),
                letter_contact=f"NRM Panel coordinator, {place.town} Council, Town Hall, {place.town}\n"
                f"nrm-panel@{place.slug}.example",
                **PANEL_RULES.get(place.town, {}),
            )
        )
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
            agency = agencies[(panel.id, login.agency_kind)] if login.agency_kind else None
            new.append(Membership(user=user, panel=panel, role=login.role, agency=agency))
    bulk_create_with_history(new, Membership, default_change_reason=CHANGE_REASON)
