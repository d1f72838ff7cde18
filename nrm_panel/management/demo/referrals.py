"""Demo referrals: planned (panel, state, date, reference), then built and inserted in batches.

Built for scale (100,000 referrals in a few minutes): rows, their history and their referrers'
object permissions go in with bulk inserts, never one save() per case.
"""

import datetime
from collections import defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from nrm_panel.management.demo import CHANGE_REASON, content
from nrm_panel.management.demo.sites import DemoSite
from nrm_panel.models import User
from referrals.ages import age_on, days_until_18
from referrals.models import (
    ChildKnowsAboutReferral,
    ExploitedIn,
    OrganisationType,
    ReferenceCounter,
    Referral,
    ReferralUserObjectPermission,
    State,
)
from referrals.scope import DAYS_BEFORE_18_OUT_OF_SCOPE
from referrals.state_machine import EDITABLE_STATES

BATCH_SIZE = 5_000
# One referral in DUPLICATE_EVERY of each panel is a child referred before, again (same date of
# birth, name spelt differently), so the likely-duplicate check has something to find. The first
# comes half-way through, not last: a panel's last referrals are drafts.
DUPLICATE_EVERY = 20

# States a case can be in before the panel has had it in front of a meeting.
UNDECIDED_STATES = [State.SUBMITTED, State.RETURNED, State.RG_PENDING, State.TRANSFERRED, State.WITHDRAWN, State.DRAFT]
# States a case reaches through decisions the panel made and signed; their dates come from the
# panel's past meetings and their rows are inserted by decisions.history_create.
DECIDED_STATES = [State.CG_POSITIVE, State.CLOSED, State.RG_NEGATIVE, State.CG_NEGATIVE]
# After a panel's first cases (its meeting cycle, then one in each state above), the rest follow
# roughly a live panel's mix. Cases on an agenda, awaiting conclusive grounds or reconsidered are
# only those of the meeting cycle: each needs meetings still to come.
SHARES = {
    State.DRAFT: 4,
    State.SUBMITTED: 5,
    State.RETURNED: 3,
    State.RG_PENDING: 8,
    State.RG_NEGATIVE: 3,
    State.CG_POSITIVE: 28,
    State.CG_NEGATIVE: 6,
    State.TRANSFERRED: 7,
    State.WITHDRAWN: 5,
    State.CLOSED: 26,
}
STATE_SHARES = content.Weighted(SHARES)
# A panel's decided cases each bring meetings, inputs and decisions (and a share of the minutes):
# past this many, a large load (to try the app at scale) keeps its cases before the decision.
DECIDED_PER_PANEL = 60
UNDECIDED_SHARES = content.Weighted({state: share for state, share in SHARES.items() if state in UNDECIDED_STATES})
# Days from the referral to today, by state, for cases the panel has not yet decided: open cases
# are recent, so their 45-day clocks show green, amber and red.
REFERRAL_AGE_DAYS = {
    State.SUBMITTED: (0, 12),
    State.RETURNED: (2, 35),
    State.RG_PENDING: (3, 50),
    State.TRANSFERRED: (2, 540),
    State.WITHDRAWN: (5, 540),
}
# States a case reaches only after the coordinator accepted it as in the panel's scope.
ACCEPTED_STATES = frozenset(
    {
        State.RG_PENDING,
        State.ON_AGENDA,
        State.RG_POSITIVE,
        State.RG_NEGATIVE,
        State.CG_PENDING,
        State.CG_POSITIVE,
        State.CG_NEGATIVE,
        State.RECONSIDERATION,
        State.CLOSED,
    }
)
STATE_REASONS = {
    State.RETURNED: [
        "Please add the police crime reference and the force.",
        "The account is too brief: please say what the child had to do, and for whom.",
        "Please give a safe address for the decision letter.",
        "Please add the child's date of birth, or an estimated age.",
    ],
    State.WITHDRAWN: [
        "Duplicate of an earlier referral for the same child.",
        "The family moved away; the new local authority has referred the child to its own panel.",
        "Made in error: the first responder meant to refer a different young person.",
    ],
    State.CLOSED: [content.CLOSE_REASON],
}
NEAR_18, AGE_DISPUTED, OUT_OF_AREA = "near_18", "age_disputed", "out_of_area"
TRANSFER_REASONS = {
    NEAR_18: "Within 100 days of their 18th birthday: the Single Competent Authority decides.",
    AGE_DISPUTED: "Age disputed: an age assessment is under way.",
    OUT_OF_AREA: "Lives in {town}, outside the panel's area: the Single Competent Authority decides.",
}
YOUNGEST_DAYS, OLDEST_DAYS = 12 * 366, 18 * 365 - DAYS_BEFORE_18_OUT_OF_SCOPE - 15


@dataclass
class Child:
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    nationality: str
    exploitation_types: list
    gender: str


@dataclass
class Plan:
    """One referral to make: what is decided before its content (so references follow the dates).

    A case of the panel's meeting cycle has a `story` (decisions.Story), run through the services
    once the referral exists; a case decided before the cycle has `decided` (decisions.Decided),
    whose rows are inserted in bulk.
    """

    site: DemoSite
    state: str
    referrer: User
    referral_date: datetime.date | None
    reference: str | None = None
    story: object = None
    decided: object = None
    last_changed_on: datetime.date | None = None  # when the case last changed, if not a few days after referral
    lead_social_worker: User | None = None
    days_to_rg: int | None = None  # a case loaded in bulk with its reasonable grounds decision already signed
    referral_id: int | None = None  # once created


def referrals_plan(sites, count, *, rng, today, cycles) -> list[Plan]:
    """Which panel, state, referrer and date each referral gets, oldest first, drafts last.

    A panel's first referrals are the cases of its meeting cycle (`cycles`, from
    decisions.cycles_plan), then one in each other state; the rest follow STATE_SHARES, with at
    most DECIDED_PER_PANEL decided cases a panel.
    """
    plans = []
    for index, (site, cycle) in enumerate(zip(sites, cycles, strict=True)):
        wanted = count // len(sites) + (1 if index < count % len(sites) else 0)
        panel_plans = cycle.story_plans(rng=rng)[:wanted]
        first_states = UNDECIDED_STATES + DECIDED_STATES
        decided = 0
        for number in range(wanted - len(panel_plans)):
            state = first_states[number] if number < len(first_states) else STATE_SHARES.pick(rng)
            if state in DECIDED_STATES and decided >= DECIDED_PER_PANEL:
                state = UNDECIDED_SHARES.pick(rng)
            plan = Plan(site=site, state=state, referrer=rng.choice(site.referrers), referral_date=None)
            if state in DECIDED_STATES:
                decided += 1
                cycle.decided_plan(plan, rng=rng)
            elif state != State.DRAFT:
                plan.referral_date = today - datetime.timedelta(days=rng.randint(*REFERRAL_AGE_DAYS[state]))
            panel_plans.append(plan)
        plans += panel_plans
    plans.sort(key=lambda plan: plan.referral_date or today + datetime.timedelta(days=1))
    return plans


def references_assign(plans) -> None:
    """Number submitted referrals per panel and year in date order, carrying on from the counters.

    The counters are then left at the highest number used, so the next real submission
    (referrals.services._next_reference) does not take a reference that is already in use.
    """
    panel_ids = {plan.site.panel.id for plan in plans}
    last_numbers = defaultdict(int)
    for counter in ReferenceCounter.objects.filter(panel_id__in=panel_ids):
        last_numbers[(counter.panel_id, counter.year)] = counter.last_number
    for plan in plans:
        if plan.referral_date is None:
            continue
        key = (plan.site.panel.id, plan.referral_date.year)
        last_numbers[key] += 1
        plan.reference = f"{plan.site.panel.code}-{key[1]}-{last_numbers[key]:04d}"
    for (panel_id, year), last_number in last_numbers.items():
        ReferenceCounter.objects.update_or_create(panel_id=panel_id, year=year, defaults={"last_number": last_number})


def referrals_create(plans, *, rng):
    """Build and insert the referrals, their history and their referrers' permissions, in batches.

    Yields how many are done after each batch, for progress.
    """
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(Referral)
    permissions = {p.codename: p for p in Permission.objects.filter(content_type=content_type)}
    recent_children = defaultdict(lambda: deque(maxlen=30))
    referral_counts = defaultdict(int)
    duplicates = []
    with keeping_given_timestamps(Referral, "created_at", "updated_at"):
        for start in range(0, len(plans), BATCH_SIZE):
            batch = []
            for plan in plans[start : start + BATCH_SIZE]:
                panel_id = plan.site.panel.id
                referral_counts[panel_id] += 1
                original = None
                is_duplicate = referral_counts[panel_id] % DUPLICATE_EVERY == DUPLICATE_EVERY // 2
                if is_duplicate and recent_children[panel_id]:
                    original = rng.choice(recent_children[panel_id])
                referral = referral_build(plan, rng=rng, now=now, like=original)
                if original is not None and referral.date_of_birth == original.date_of_birth:
                    duplicates.append((referral, original))
                recent_children[panel_id].append(referral)
                batch.append(referral)
            bulk_create_with_history(batch, Referral, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON)
            for plan, referral in zip(plans[start : start + BATCH_SIZE], batch, strict=True):
                plan.referral_id = referral.pk
            ReferralUserObjectPermission.objects.bulk_create(_referrer_permissions(batch, permissions))
            _possible_duplicates_link(duplicates)
            duplicates.clear()
            yield start + len(batch)


def statistics_refresh(more_models=()) -> None:
    """Bring the query planner's row counts up to date after a bulk load.

    Until autovacuum notices (minutes later, or never for a load that fits under its threshold),
    the planner takes the tables for nearly empty: a referrer's case list then took 9 s instead of
    under one on 100,000 referrals.
    """
    models = [Referral, Referral.history.model, ReferralUserObjectPermission, Referral.possible_duplicates.through]
    models += [each for model in more_models for each in (model, model.history.model)]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def keeping_given_timestamps(model, *field_names):
    """Let bulk_create keep the timestamps we set: a demo case was created months ago, not now."""
    fields = [model._meta.get_field(name) for name in field_names]
    saved = [(field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _referrer_permissions(referrals, permissions) -> list[ReferralUserObjectPermission]:
    """What referrals.services.referral_create grants: view always, change while the referrer may edit."""
    rows = []
    for referral in referrals:
        codenames = ["view_referral"] + (["change_referral"] if referral.state in EDITABLE_STATES else [])
        rows += [
            ReferralUserObjectPermission(
                content_object_id=referral.pk, permission=permissions[codename], user_id=referral.referrer_id
            )
            for codename in codenames
        ]
    return rows


def _possible_duplicates_link(duplicates: list[tuple[Referral, Referral]]) -> None:
    # As referral_submit does: both submitted cases of the same child point at each other.
    through = Referral.possible_duplicates.through
    pairs = [(later.pk, earlier.pk) for later, earlier in duplicates if State.DRAFT not in (later.state, earlier.state)]
    through.objects.bulk_create(
        through(from_referral_id=one, to_referral_id=other)
        for later, earlier in pairs
        for one, other in ((later, earlier), (earlier, later))
    )


def referral_build(plan: Plan, *, rng, now, like: Referral | None = None) -> Referral:
    """One referral with its content, timestamps and history attributes; `like` is a child referred before."""
    site, state = plan.site, plan.state
    on = plan.referral_date or timezone.localdate(now)
    transfer_reason = rng.choice(list(TRANSFER_REASONS)) if state == State.TRANSFERRED else None
    child = _child_again(like, on=on, state=state, rng=rng) if like else None
    child = child or _child_new(on=on, near_18=transfer_reason == NEAR_18, rng=rng)
    referral = Referral(
        panel=site.panel,
        referrer=plan.referrer,
        state=state,
        reference=plan.reference,
        referral_date=plan.referral_date,
        is_adult=False,
        first_name=child.first_name,
        last_name=child.last_name,
        date_of_birth=child.date_of_birth,
        gender=child.gender,
        nationality=child.nationality,
        exploitation_types=child.exploitation_types,
        **_child_details(child, site.place.town, on=on, rng=rng),
        **_exploitation(child, site.place.town, on=on, rng=rng),
        **_first_responder(site.place, plan.referrer, on=on, rng=rng),
        lead_social_worker=plan.lead_social_worker,
        days_to_rg=plan.days_to_rg,
    )
    _timestamps_set(referral, plan, now=now, rng=rng)
    _triage_set(referral, plan, transfer_reason, rng=rng)
    if state == State.DRAFT and rng.random() < 0.5:
        _leave_unfinished(referral)
    referral._history_user = plan.referrer
    return referral


def _child_new(*, on, near_18, rng) -> Child:
    nationality = content.NATIONALITIES.pick(rng)
    background = content.BACKGROUNDS[nationality]
    types = content.exploitation_types_for(background, rng)
    gender = content.gender_for(types, rng)
    first_names = background.girls if gender == "female" else background.boys
    age_days = 18 * 365 - rng.randint(20, 90) if near_18 else rng.randint(YOUNGEST_DAYS, OLDEST_DAYS)
    return Child(
        first_name=rng.choice(first_names),
        last_name=rng.choice(background.surnames),
        date_of_birth=on - datetime.timedelta(days=age_days),
        nationality=nationality,
        exploitation_types=types,
        gender=gender,
    )


def _child_again(like: Referral, *, on, state, rng) -> Child | None:
    """The same child referred again with the name spelt differently, or None if now too old to be in scope."""
    too_old = days_until_18(like.date_of_birth, on) <= DAYS_BEFORE_18_OUT_OF_SCOPE
    if too_old and state != State.TRANSFERRED:
        return None
    return Child(
        first_name=content.name_variant(like.first_name, rng),
        last_name=like.last_name,
        date_of_birth=like.date_of_birth,
        nationality=like.nationality,
        exploitation_types=list(like.exploitation_types),
        gender=like.gender,
    )


def _child_details(child: Child, town, *, on, rng) -> dict:
    background = content.BACKGROUNDS[child.nationality]
    placement, looked_after = rng.choice(content.PLACEMENTS)
    is_british = child.nationality == "British"
    speaks_some_english = not is_british and rng.random() < 0.5
    if age_on(child.date_of_birth, on) >= 16:
        school = rng.choice([f"{town} College", "Not in education"])
    else:
        school = rng.choice([f"{town} Academy", f"{town} High School", f"Pupil referral unit, {town}"])
    return {
        "aliases": f"Known as '{rng.choice(content.STREET_NAMES)}'" if rng.random() < 0.15 else "",
        "languages": f"{background.language} and some English" if speaks_some_english else background.language,
        "needs_interpreter": not is_british and rng.random() < 0.8,
        "is_age_disputed": False,
        "communication_needs": "Dyslexia: needs written information read aloud." if rng.random() < 0.05 else "",
        "current_address": placement.format(town=rng.choice(content.OTHER_TOWNS)),
        "looked_after_status": looked_after,
        "responsible_local_authority": f"{town} Council",
        "school": school,
        "has_children": False if rng.random() < 0.9 else None,
        "child_wishes_and_feelings": rng.choice(content.WISHES_AND_FEELINGS),
        "child_knows_about_referral": rng.choice(
            [ChildKnowsAboutReferral.YES] * 4 + [ChildKnowsAboutReferral.NO, ChildKnowsAboutReferral.NOT_SURE]
        ),
        "other_agencies_involved": ", ".join(rng.sample(content.OTHER_AGENCIES, rng.randint(1, 3))),
    }


def _exploitation(child: Child, town, *, on, rng) -> dict:
    background = content.BACKGROUNDS[child.nationality]
    elsewhere = rng.choice(content.OTHER_TOWNS)
    if background.countries:
        exploited_in = rng.choice([ExploitedIn.BOTH] * 7 + [ExploitedIn.UK] * 2 + [ExploitedIn.OVERSEAS])
    else:
        exploited_in = ExploitedIn.UK
    places = {
        ExploitedIn.UK: f"{town}; {elsewhere}",
        ExploitedIn.OVERSEAS: background.countries,
        ExploitedIn.BOTH: f"{background.countries}; {town}",
    }[exploited_in]
    # Where the exploitation happened is sometimes known to the door: no letter may ever go there.
    known_address = exploited_in != ExploitedIn.OVERSEAS and rng.random() < 0.5
    addresses = f"Flat {rng.randint(1, 12)}, {rng.randint(2, 180)} Station Road, {town}" if known_address else ""
    started = on - datetime.timedelta(days=rng.randint(30, 500))
    is_ongoing = rng.random() < 0.3
    ended = None if is_ongoing else min(on, started + datetime.timedelta(days=rng.randint(10, 300)))
    return {
        "exploited_in": exploited_in,
        "exploitation_places": places,
        "exploitation_addresses": addresses,
        "exploitation_started_on": started,
        "exploitation_ended_on": ended,
        "is_exploitation_ongoing": is_ongoing,
        "indicators": content.indicators_for(child.exploitation_types, rng),
        "account": content.account_for(child.exploitation_types, rng.choice([town, elsewhere]), rng),
    }


def _first_responder(place: content.PlaceName, referrer: User, *, on, rng) -> dict:
    """Who made the referral: the demo referrer when it came from the council, someone else otherwise."""
    kind = content.FIRST_RESPONDER_TYPES.pick(rng)
    organisation, domain = content.organisation(kind, place.town, rng)
    if kind == OrganisationType.LOCAL_AUTHORITY:
        name, email, role = referrer.get_full_name(), referrer.email, "Social worker"
    else:
        first, last = rng.choice(content.STAFF_FIRST_NAMES), rng.choice(content.STAFF_LAST_NAMES)
        name, email = f"{first} {last}", f"{first}.{last}@{domain}".lower()
        role = rng.choice(content.FIRST_RESPONDER_ROLES[kind])
    has_crime_reference = kind == OrganisationType.POLICE or rng.random() < 0.6
    solicitor = rng.choice(content.STAFF_LAST_NAMES) if rng.random() < 0.3 else ""
    return {
        "first_responder_organisation": organisation,
        "first_responder_organisation_type": kind,
        "first_responder_name": name,
        "first_responder_role": role,
        "first_responder_email": email,
        "first_responder_phone": content.phone_number(rng),
        "alternative_contact": f"Duty desk, {organisation}: {content.phone_number(rng)}",
        "decision_safe_address": f"For the attention of {name}, {organisation}, {place.town}",
        "legal_representative_name": f"{rng.choice(content.STAFF_FIRST_NAMES)} {solicitor}" if solicitor else "",
        "legal_representative_organisation": f"{solicitor} & Co Solicitors" if solicitor else "",
        "legal_representative_address": f"{rng.randint(1, 90)} Chancery Row, {place.town}" if solicitor else "",
        "police_reference": f"{place.code}/{on:%y}/{rng.randint(1, 99999):05d}" if has_crime_reference else "",
        "police_force": f"{place.town} Constabulary" if has_crime_reference else "",
    }


def _timestamps_set(referral: Referral, plan: Plan, *, now, rng) -> None:
    """Created before the referral date, last changed some days after, never in the future."""
    if plan.referral_date is None:
        referral.created_at = now - datetime.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
        last_change = referral.created_at + datetime.timedelta(hours=rng.randint(0, 48))
    else:
        day = datetime.datetime.combine(plan.referral_date, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
        referral.submitted_at = min(now, timezone.make_aware(day))
        started_writing = datetime.timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 5))
        referral.created_at = referral.submitted_at - started_writing
        days_since = (now - referral.submitted_at).days
        last_change = referral.submitted_at + datetime.timedelta(days=rng.randint(0, min(days_since, 60)))
        if plan.story:
            # Accepted within a day or two; what happens next is recorded by the services.
            last_change = referral.submitted_at + datetime.timedelta(hours=rng.randint(1, 40))
        elif plan.last_changed_on:
            last_change = timezone.make_aware(datetime.datetime.combine(plan.last_changed_on, datetime.time(16, 0)))
    referral.updated_at = min(now, last_change)
    referral._history_date = referral.updated_at


def _triage_set(referral: Referral, plan: Plan, transfer_reason, *, rng) -> None:
    """The coordinator's scope answers, police notification and the reason for the last move."""
    if plan.state in ACCEPTED_STATES:
        referral.is_in_panel_area = True
        referral.is_public_order_disqualification_considered = False
        if plan.site.panel.notifies_police and not referral.is_referred_by_police:
            notified_on = plan.referral_date + datetime.timedelta(days=rng.randint(0, 3))
            referral.police_notified_on = min(notified_on, timezone.localdate(referral.updated_at))
            referral.police_notified_by = plan.site.coordinator
    if transfer_reason:
        referral.is_age_disputed = transfer_reason == AGE_DISPUTED
        referral.is_in_panel_area = transfer_reason != OUT_OF_AREA
        referral.state_reason = TRANSFER_REASONS[transfer_reason].format(town=rng.choice(content.OTHER_TOWNS))
    elif plan.state in STATE_REASONS:
        referral.state_reason = rng.choice(STATE_REASONS[plan.state])
    elif plan.decided:
        referral.state_reason = plan.decided.state_reason


def _leave_unfinished(referral: Referral) -> None:
    """A draft the referrer has not finished: the exploitation and voice-of-the-child sections are empty."""
    referral.account = ""
    referral.indicators = []
    referral.exploitation_started_on = referral.exploitation_ended_on = referral.is_exploitation_ongoing = None
    referral.child_wishes_and_feelings = ""
    referral.child_knows_about_referral = ""
