"""Stored scripts, in Chromium: every free-text answer of a panel holds a script (tests/browser/stored_script_world.py),
and every page that shows those answers is opened by a person who may see it. On no page may a script run
(window.__xss stays undefined, no dialog opens, no element carries an event handler or a javascript: link), and
no page may break its Content-Security-Policy: a violation means either the page's own markup needs what the
policy forbids or a payload became markup. Each text must also be on the page, as text (or, on a form, as an
answer's value), so that a page that stopped showing a field fails rather than passes."""

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import Page

from decisions import letters
from decisions.models import AgencyInput, Decision
from nrm_panel.models import AgencyKind, Membership
from safeguarding.services import court
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import fill, sign_in, watch_for_problems
from tests.browser.stored_script_world import ATTRIBUTE, LINK, SCRIPT, SVG, World, build_world
from tests.safeguarding.court_helpers import decided_case, proceeding_fields

pytestmark = pytest.mark.browser

# A person's browser can send anything as its user agent, and anyone can type anything as an email address
# on the sign-in page: both end up in the access log that the auditor reads.
USER_AGENT = f"USERAGENT {SCRIPT} {ATTRIBUTE} {SVG}"
SIGN_IN_EMAIL = f"signinemail {SCRIPT}{ATTRIBUTE}{SVG} {LINK}"

REFERRAL_ANSWERS = (
    "CHILDFIRST",
    "CHILDLAST",
    "ALIASES",
    "NATIONALITY",
    "SECONDNATIONALITY",
    "LANGUAGES",
    "COMMUNICATION",
    "CURRENTADDRESS",
    "RESPONSIBLELA",
    "SCHOOL",
    "FRORG",
    "FRNAME",
    "FRROLE",
    "ALTCONTACT",
    "LEGALNAME",
    "LEGALORG",
    "LEGALADDRESS",
    "EXPLOITATIONOTHER",
    "EXPLOITATIONPLACES",
    "EXPLOITATIONADDRESSES",
    "ACCOUNT",
    "POLICEREF",
    "POLICEFORCE",
    "WISHES",
    "OTHERAGENCIES",
)
# The case's answers as the panel reads them: its safe address was changed after the letters went.
CASE_ANSWERS = (*REFERRAL_ANSWERS, "NEWSAFEADDRESS", "EVIDENCENAME", "EVIDENCEDESCRIPTION")
RETURNED_ANSWERS = tuple(f"RET{tag}" for tag in (*REFERRAL_ANSWERS, "SAFEADDRESS"))
DECISIONS = ("RGREASONS", "RGEVIDENCE", "RGDISSENT", "CGREASONS", "CGEVIDENCE", "CGDISSENT")
SAFEGUARDING = (
    "SUPPORTSERVICE",
    "SUPPORTCONTACT",
    "SUPPORTPHONE",
    "SUPPORTNOTES",
    "ACTION",
    "ACTIONOWNER",
    "DONEACTION",
    "DONEOWNER",
    "DONENOTE",
    "TRANSITIONPLAN",
    "ADULTTEAM",
    "ADULTCONTACT",
    "COURT",
    "CASENUMBER",
    "HEARING",
)
INPUTS = tuple(f"INPUT{part}{kind}" for kind in ("POLICE", "SOCIAL_CARE") for part in ("KNOWLEDGE", "RISKS", "REASONS"))
MEMBERS = tuple(
    f"{who}{part}"
    for who in ("CHAIR", "DEPUTY", "SOCIALCARE", "POLICE", "NURSE", "EDUCATION")
    for part in ("FIRST", "LAST")
)  # the people at the meeting
PANEL_PEOPLE = (*MEMBERS, "COORDINATORFIRST", "COORDINATORLAST")
AGENCIES = ("AGENCYSOCIAL_CARE", "AGENCYPOLICE", "AGENCYHEALTH", "AGENCYEDUCATION")

# Anything a payload would be if it had become markup, or a script the page did not mean to have.
FIND_INJECTED = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const value = attribute.value.trim().toLowerCase();
      if (attribute.name.startsWith("on")) found.push(`<${element.localName} ${attribute.name}>`);
      const isLink = ["href", "src", "action", "formaction", "xlink:href"].includes(attribute.name);
      if (isLink && value.startsWith("javascript:"))
        found.push(`<${element.localName} ${attribute.name}="${value}">`);
    }
  }
  for (const script of document.scripts) if (!script.src) found.push(`inline <script>: ${script.text.slice(0, 60)}`);
  return found;
}"""


@dataclass
class Visit:
    url: str
    shows: tuple[str, ...] = ()  # tags whose text is on the page, as text
    fills: tuple[str, ...] = ()  # tags whose text is the value of one of the page's answers (a form)
    anywhere: tuple[str, ...] = ()  # either (the Django admin, which shows some values as text, some in fields)
    titles: tuple[str, ...] = ()  # texts (not tags) that are an element's title
    status: int = 200


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def journeys(w: World) -> list[tuple[str, object, dict, list[Visit]]]:
    """Who opens which pages, in order: (who, the person or None, their browser's options, their visits)."""
    s, case, meeting = w.sitting, w.case, w.meeting
    police = s.agencies[AgencyKind.POLICE]
    search = {"search": w.texts["CHILDFIRST"]}
    admin_objects = [
        w.superuser,
        s.chair,
        s.panel,
        police,
        Membership.objects.filter(user=s.chair).first(),
        case,
        w.attachment,
        meeting,
        w.later,
        Decision.objects.filter(item=w.item, kind="rg").get(),
        AgencyInput.objects.filter(referral=w.late, agency=police).get(),
        w.letter,
    ]

    def change_page(obj) -> str:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])

    def changelist(model) -> str:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    return [
        (
            "someone signing in",
            None,
            {"user_agent": USER_AGENT},
            [Visit(w.provider_path, shows=("CHILDFIRST", "CHILDLAST", "OPENPROVIDER", "OPENQUESTIONS", "PANELNAME"))],
        ),
        (
            "coordinator",
            s.coordinator,
            {"user_agent": USER_AGENT},
            [
                Visit(
                    url("referrals:case", case.public_id),
                    shows=(*CASE_ANSWERS, *DECISIONS, *SAFEGUARDING, "PANELNAME", "REFERRERFIRST", "REFERRERLAST"),
                ),
                Visit(
                    url("referrals:history", case.public_id), shows=("SAFEADDRESS", "NEWSAFEADDRESS", "EVIDENCENAME")
                ),
                Visit(
                    url("referrals:list"),
                    shows=("CHILDFIRST", "CHILDLAST", "NEGATIVEFIRST", "NEGATIVELAST", "RETCHILDFIRST", "LATEFIRST"),
                ),
                Visit(
                    f"{url('referrals:list')}?{urlencode(search)}",
                    shows=("CHILDFIRST", "CHILDLAST"),
                    fills=("CHILDFIRST",),
                ),
                Visit(
                    url("referrals:case", w.negative.public_id),
                    shows=("NEGATIVEFIRST", "NEGATIVEREASONS", "REQUESTERNAME", "REFUSALREASON"),
                ),
                Visit(url("referrals:case", w.late.public_id), shows=("LATEFIRST", "DELAYREASON")),
                Visit(url("decisions:meeting_list"), shows=("MEETINGPLACE", "RESCHEDULEDPLACE", "CALLEDPLACE")),
                Visit(
                    url("decisions:meeting", meeting.public_id),
                    shows=("MEETINGPLACE", "CHILDFIRST", "NEGATIVEFIRST", *MEMBERS, *AGENCIES),
                ),
                Visit(url("decisions:agenda", meeting.public_id), shows=("REMOVEDFIRST",)),
                Visit(
                    url("decisions:pack", meeting.public_id),
                    shows=("CHILDFIRST", "NATIONALITY", "FRORG", "EXPLOITATIONPLACES", "WISHES", "LATEFIRST", *INPUTS),
                ),
                Visit(
                    url("decisions:minutes", meeting.public_id),
                    shows=(
                        "MEETINGPLACE",
                        "REMOVALREASON",
                        "CONFLICTREASON",
                        "RGREASONS",
                        "RGDISSENT",
                        "CGREASONS",
                        "CGDISSENT",
                        "NEGATIVEREASONS",
                        *MEMBERS,
                    ),
                ),
                Visit(url("decisions:meeting", w.later.public_id), shows=("RESCHEDULEDPLACE", "RESCHEDULEREASON")),
                Visit(url("decisions:meeting_change", w.later.public_id), fills=("RESCHEDULEDPLACE",)),
                Visit(url("decisions:meeting", w.called.public_id), shows=("CALLEDPLACE", "CALLEDREASON")),
                Visit(url("decisions:meeting", w.cancelled.public_id), shows=("CANCELREASON",)),
                Visit(url("decisions:inputs_outstanding"), shows=("LATEFIRST",)),
                Visit(url("decisions:letters")),
                Visit(
                    url("decisions:letter", w.letter.public_id),
                    shows=(
                        "FRORG",
                        "FRNAME",
                        "SAFEADDRESS",
                        "LEGALNAME",
                        "LEGALORG",
                        "LEGALADDRESS",
                        "CORRECTIONREASON",
                    ),
                ),
                Visit(
                    url("decisions:letter_recipients", case.public_id),
                    fills=("NEWSAFEADDRESS", "LEGALNAME", "LEGALORG", "LEGALADDRESS", "EXPLOITATIONADDRESSES"),
                ),
                Visit(url("decisions:at_risk"), shows=("DELAYREASON",)),
                Visit(url("decisions:sca_return"), shows=("CHAIRFIRST", "CHAIRLAST")),
                Visit(url("safeguarding:turning_18"), shows=("CHILDFIRST", "CHILDLAST")),
                Visit(
                    url("safeguarding:transition_plan", case.public_id),
                    shows=("CHILDFIRST",),
                    fills=("TRANSITIONPLAN", "ADULTTEAM", "ADULTCONTACT"),
                ),
                Visit(
                    url("safeguarding:proceeding_change", w.proceeding.public_id),
                    fills=("CHARGE", "COURT", "CASENUMBER", "SOLICITORNAME", "SOLICITORFIRM", "SOLICITORADDRESS"),
                ),
                Visit(
                    url("safeguarding:support_referral_change", w.support_referral.public_id),
                    fills=("SUPPORTSERVICE", "SUPPORTCONTACT", "SUPPORTPHONE", "SUPPORTNOTES"),
                ),
                Visit(url("safeguarding:action_change", w.action.public_id), fills=("ACTION", "ACTIONOWNER")),
                Visit(url("notifications:list"), shows=("NOTIFICATION",)),
                Visit(url("reporting:dashboard"), shows=("PANELNAME", "DELAYREASON")),
                Visit(url("records:retention_review")),
                Visit(url("records:subject_access", case.public_id), shows=("CHILDFIRST",)),
            ],
        ),
        (
            "chair",
            s.chair,
            {},
            [
                Visit(
                    url("decisions:item", meeting.public_id, w.item.pk),
                    shows=("CHILDFIRST", "CONFLICTREASON", *DECISIONS, *MEMBERS),
                ),
                Visit(url("decisions:item", meeting.public_id, w.late_item.pk), shows=("LATEFIRST", *INPUTS)),
                Visit(url("decisions:decision_record", meeting.public_id, w.late_item.pk, "rg"), shows=("LATEFIRST",)),
                Visit(url("decisions:attendance", meeting.public_id), shows=(*MEMBERS, *AGENCIES)),
                Visit(url("decisions:case_inputs", w.late.public_id), shows=("LATEFIRST", *INPUTS)),
                # The coordinator's view of this page (with the form to record a letter sent) is
                # test_the_proceedings_page_shows_the_solicitor_to_the_coordinator_as_text.
                Visit(
                    url("safeguarding:proceeding", w.proceeding.public_id),
                    shows=(
                        "CHILDFIRST",
                        "CHARGE",
                        "COURT",
                        "CASENUMBER",
                        "SOLICITORNAME",
                        "SOLICITORFIRM",
                        "SOLICITORADDRESS",
                        "SOLICITORPHONE",
                        "HEARING",
                        "SENTTO",
                    ),
                ),
            ],
        ),
        (
            "police member",
            s.police,
            {},
            [
                Visit(
                    url("decisions:agency_input", w.late.public_id, police.pk),
                    shows=("LATEFIRST", "AGENCYPOLICE"),
                    fills=INPUTS[:3],
                ),
                Visit(url("decisions:inputs_outstanding")),
            ],
        ),
        (
            "designated nurse",
            w.nurse,
            {},
            [
                Visit(
                    url("safeguarding:health_requests"),
                    shows=("CHILDFIRST", "HEALTHPROVIDER", "WITHDRAWNPROVIDER", "OPENPROVIDER"),
                ),
                Visit(
                    url("safeguarding:health_request", w.health_request.public_id),
                    shows=(
                        "CHILDFIRST",
                        "HEALTHPROVIDER",
                        "HEALTHCONTACT",
                        "HEALTHQUESTIONS",
                        "RESPONDEDBY",
                        "RESPONSETEXT",
                        "RESPONSEDOC",
                    ),
                ),
                Visit(
                    url("safeguarding:health_request", w.withdrawn_request.public_id),
                    shows=("WITHDRAWNPROVIDER", "WITHDRAWNCONTACT", "WITHDRAWNQUESTIONS", "WITHDRAWNREASON"),
                ),
                Visit(
                    url("safeguarding:health_request", w.open_request.public_id),
                    shows=("OPENPROVIDER", "OPENCONTACT", "OPENQUESTIONS"),
                ),
                Visit(
                    url("safeguarding:health_request_change", w.open_request.public_id),
                    fills=("OPENPROVIDER", "OPENCONTACT", "OPENQUESTIONS"),
                ),
                Visit(
                    url("referrals:case", case.public_id),
                    shows=(*CASE_ANSWERS, "HEALTHPROVIDER", "WITHDRAWNPROVIDER", "OPENPROVIDER"),
                ),
                Visit(url("records:health_subject_access", case.public_id), shows=("CHILDFIRST",)),
            ],
        ),
        (
            "referrer",
            w.referrer,
            {},
            [
                Visit(url("referrals:list"), shows=("CHILDFIRST", "RETCHILDFIRST", "RETCHILDLAST")),
                Visit(url("referrals:case", w.returned.public_id), shows=(*RETURNED_ANSWERS, "RETURNREASON")),
                Visit(url("referrals:check", w.returned.public_id), shows=RETURNED_ANSWERS),
                *(
                    Visit(
                        url("referrals:section", w.returned.public_id, section), shows=("RETURNREASON",), fills=answers
                    )
                    for section, answers in (
                        ("child", ("RETCHILDFIRST", "RETALIASES", "RETCURRENTADDRESS", "RETSCHOOL")),
                        ("first-responder", ("RETFRORG", "RETFRNAME", "RETSAFEADDRESS", "RETLEGALADDRESS")),
                        ("exploitation", ("RETEXPLOITATIONOTHER", "RETEXPLOITATIONADDRESSES", "RETACCOUNT")),
                        ("voice-of-the-child", ("RETWISHES",)),
                        ("other-agencies", ("RETOTHERAGENCIES",)),
                    )
                ),
                Visit(url("referrals:evidence", w.returned.public_id)),
                Visit(url("referrals:case", case.public_id), shows=CASE_ANSWERS),
                Visit(url("notifications:list"), shows=("NOTIFICATION",)),
            ],
        ),
        (
            "administrator",
            w.administrator,
            {},
            [
                Visit(
                    url("panel_people", s.panel.pk),
                    shows=(
                        "PANELNAME",
                        *AGENCIES,
                        *PANEL_PEOPLE,
                        "REFERRERFIRST",
                        "AUDITORFIRST",
                        "AUDITORLAST",
                        "ADMINISTRATORFIRST",
                    ),
                )
            ],
        ),
        (
            "auditor",
            w.auditor,
            {},
            [
                Visit(url("access_log:search"), titles=(USER_AGENT,)),
                Visit(url("referrals:case", case.public_id), shows=CASE_ANSWERS),
            ],
        ),
        (
            "superuser",
            w.superuser,
            {},
            [
                # A sign-in that names no panel is in the access log of the instance's administrators only.
                Visit(
                    f"{url('access_log:search')}?{urlencode({'person': SIGN_IN_EMAIL})}",
                    shows=("SIGNINEMAIL",),
                    fills=("SIGNINEMAIL",),
                    titles=(USER_AGENT,),
                ),
                Visit(url("admin:index")),
                *(Visit(changelist(model)) for model in admin.site._registry),
                Visit(changelist(type(s.chair)), anywhere=(*PANEL_PEOPLE, "SUPERFIRST")),
                Visit(changelist(type(s.panel)), anywhere=("PANELNAME",)),
                Visit(changelist(type(police)), anywhere=AGENCIES),
                Visit(changelist(type(w.attachment)), anywhere=("EVIDENCENAME",)),
                *(Visit(change_page(obj)) for obj in admin_objects),
                Visit(change_page(s.panel), anywhere=("PANELNAME", "LOCALAUTHORITIES", "PANELPLACE")),
                Visit(change_page(case), anywhere=CASE_ANSWERS[:-2]),
                Visit(change_page(w.attachment), anywhere=("EVIDENCENAME", "EVIDENCEDESCRIPTION")),
                Visit(change_page(meeting), anywhere=("MEETINGPLACE",)),
                Visit(change_page(w.later), anywhere=("RESCHEDULEDPLACE", "RESCHEDULEREASON")),
                Visit(change_page(admin_objects[9]), anywhere=("RGREASONS", "RGEVIDENCE", "RGDISSENT")),
                Visit(change_page(admin_objects[10]), anywhere=INPUTS[:3]),
                Visit(change_page(w.letter), anywhere=("CORRECTIONREASON",)),
            ],
        ),
    ]


def normalised(text: str) -> str:
    return " ".join(text.split())


def problems_on(page: Page, visit: Visit, texts: dict) -> list[str]:
    """What is wrong with the page now open: a script that ran, markup a payload became, a text not shown
    (after opening every "details", as a person reading all of the page would)."""
    found = []
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
    if page.evaluate("typeof window.__xss") != "undefined":
        found.append("a stored script ran (window.__xss is set)")
    found += [f"injected markup: {each}" for each in page.evaluate(FIND_INJECTED)]
    shown = normalised(page.locator("body").inner_text())
    values = normalised(" | ".join(page.locator("input, textarea").evaluate_all("all => all.map(e => e.value)")))
    for tag in visit.shows:
        if normalised(texts[tag]) not in shown:
            found.append(f"{tag} is not shown as text")
    for tag in visit.fills:
        if normalised(texts[tag]) not in values:
            found.append(f"{tag} is not an answer's value")
    for tag in visit.anywhere:
        if normalised(texts[tag]) not in shown and normalised(texts[tag]) not in values:
            found.append(f"{tag} is not on the page")
    titles = page.locator("[title]").evaluate_all("all => all.map(e => e.title)")
    found += [f"{title[:20]}… is no element's title" for title in visit.titles if title not in titles]
    return found


def test_no_stored_script_runs_and_no_page_breaks_its_content_security_policy(browser, live_server, transactional_db):
    w = build_world()
    texts = {**w.texts.values, "SIGNINEMAIL": SIGN_IN_EMAIL}
    failures = []
    for who, person, options, visits in journeys(w):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        problems = watch_for_problems(context)
        page = context.new_page()
        if person is None:
            # A stranger types a script as their email address: the page shows it back, the access log keeps it.
            page.goto("/sign-in/")
            fill(page, "Email address", SIGN_IN_EMAIL)
            fill(page, "Password", "not the password")
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="There is a problem").wait_for()
            failures += [
                f"{who}, /sign-in/: {each}" for each in problems_on(page, Visit("", fills=("SIGNINEMAIL",)), texts)
            ]
        else:
            sign_in(page, person)
        for visit in visits:
            response = page.goto(visit.url)
            where = f"{who}, {visit.url}"
            if response.status != visit.status:
                failures.append(f"{where}: answered {response.status}, not {visit.status}")
            failures += [f"{where}: {each}" for each in problems_on(page, visit, texts)]
        page.wait_for_timeout(200)  # the last page's violations are reported asynchronously
        context.close()
        failures += [f"{who}: {each}" for each in problems.lines()]
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_the_proceedings_page_shows_the_solicitor_to_the_coordinator_as_text(
    browser, live_server, transactional_db, sitting, steps
):
    name, firm = f"SOLICITOR {SCRIPT}", f"FIRM {ATTRIBUTE}{SVG}"
    case = decided_case(sitting, steps)
    proceeding = court.proceeding_record(
        referral=case, user=sitting.coordinator, **proceeding_fields(solicitor_name=name, solicitor_firm=firm)
    )
    letters.letter_render(court.defence_summary_issue(proceeding=proceeding, user=sitting.coordinator).pk)
    context = browser.new_context(base_url=live_server.url)
    problems = watch_for_problems(context)
    page = context.new_page()
    sign_in(page, sitting.coordinator)

    page.goto(url("safeguarding:proceeding", proceeding.public_id))

    found = problems_on(page, Visit(""), {})
    shown = normalised(page.locator("body").inner_text())
    page.wait_for_timeout(200)
    context.close()
    assert found == []
    assert problems.lines() == []
    assert f"Leave blank for {name}, {firm}" in shown
