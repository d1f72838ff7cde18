"""Every page of the app, and what the access log records of a request to it.

A page added to the URL configuration without a line here fails a test
(tests/security/test_access_log.py): a new page is logged, or said here not to need it.
"""

from dataclasses import dataclass

from django.apps import apps

from access_log.models import AccessKind


@dataclass(frozen=True)
class Subject:
    """How to find the panel (and case) a page is about from its address: the model the address's id
    names, that id's keyword and field, and the paths from that model to the panel and the referral."""

    model: str
    kwarg: str
    field: str = "public_id"
    panel: str = "referral__panel_id"
    referral: str | None = "referral_id"

    def panel_and_referral(self, kwargs: dict) -> tuple[int | None, int | None]:
        if self.kwarg not in kwargs:
            return None, None
        fields = [self.panel, self.referral or self.panel]
        row = apps.get_model(self.model).objects.filter(**{self.field: kwargs[self.kwarg]}).values_list(*fields).first()
        if row is None:
            return None, None
        return row[0], (row[1] if self.referral else None)


@dataclass(frozen=True)
class Entry:
    kind: AccessKind | None  # None: not logged, for a page that shows nobody's personal data
    subject: Subject | None = None
    anonymous: bool = False  # logged even when nobody is signed in (a health provider's link)
    secret_kwarg: str | None = None  # left out of the logged path


CASE = Subject("referrals.Referral", "public_id", panel="panel_id", referral="pk")
CASE_BY_REFERRAL_ID = Subject("referrals.Referral", "referral_id", panel="panel_id", referral="pk")
MEETING = Subject("decisions.PanelMeeting", "public_id", panel="panel_id", referral=None)
LETTER = Subject("decisions.Letter", "public_id")
LETTER_EXPORT = Subject("decisions.LetterExport", "public_id", panel="panel_id", referral=None)
AGENDA_ITEM = Subject("decisions.AgendaItem", "item_id", field="pk")
RECONSIDERATION = Subject("decisions.Reconsideration", "reconsideration_id", field="pk")
HEALTH_REQUEST = Subject("safeguarding.HealthInformationRequest", "public_id")
PROVIDER_REQUEST = Subject("safeguarding.HealthInformationRequest", "request_id")
ACTION = Subject("safeguarding.SafeguardingAction", "public_id")
SUPPORT_REFERRAL = Subject("safeguarding.SupportReferral", "public_id")
PROCEEDING = Subject("safeguarding.CourtProceeding", "public_id")
PANEL = Subject("nrm_panel.Panel", "panel_id", field="pk", panel="pk", referral=None)

NOT_LOGGED = Entry(None)

PAGES: dict[str, Entry] = {
    # Signing in and out are logged by signal (access_log.signals), with what was typed.
    "home": NOT_LOGGED,
    "health": NOT_LOGGED,
    "login": NOT_LOGGED,
    "logout": NOT_LOGGED,
    "password_reset": NOT_LOGGED,
    "password_reset_done": NOT_LOGGED,
    "password_reset_confirm": NOT_LOGGED,
    "password_reset_complete": NOT_LOGGED,
    "session_keep_alive": NOT_LOGGED,
    "second_factor": NOT_LOGGED,
    "second_factor_set_up": Entry(AccessKind.ACCOUNT),
    "second_factor_backup_codes": Entry(AccessKind.ACCOUNT),
    "account": Entry(AccessKind.ACCOUNT),
    "notifications:list": Entry(AccessKind.LIST),
    "notifications:open": Entry(AccessKind.CASE),
    "notifications:mark_all_read": NOT_LOGGED,
    "panel_people": Entry(AccessKind.PEOPLE, PANEL),
    "panel_person_add": Entry(AccessKind.PEOPLE, PANEL),
    "panel_membership_end": Entry(AccessKind.PEOPLE, PANEL),
    "panel_person_sign_in_reset": Entry(AccessKind.PEOPLE, PANEL),
    # Referrals
    "referrals:list": Entry(AccessKind.LIST),
    "referrals:start": Entry(AccessKind.CASE),
    "referrals:case": Entry(AccessKind.CASE, CASE),
    "referrals:check": Entry(AccessKind.CASE, CASE),
    "referrals:section": Entry(AccessKind.CASE, CASE),
    "referrals:submitted": Entry(AccessKind.CASE, CASE),
    "referrals:evidence": Entry(AccessKind.CASE, CASE),
    "referrals:attachment": Entry(AccessKind.ATTACHMENT_DOWNLOAD, CASE),
    "referrals:attachment_remove": Entry(AccessKind.CASE, CASE),
    "referrals:history": Entry(AccessKind.CASE, CASE),
    "referrals:triage": Entry(AccessKind.CASE, CASE),
    "referrals:delay_reason": Entry(AccessKind.CASE, CASE),
    "referrals:police_notification": Entry(AccessKind.CASE, CASE),
    "referrals:duty_to_notify": Entry(AccessKind.CASE, PANEL),
    # Meetings, agency inputs and decisions
    "decisions:meeting_list": Entry(AccessKind.LIST),
    "decisions:meetings_schedule": Entry(AccessKind.DECISION, PANEL),
    "decisions:meeting_call": Entry(AccessKind.DECISION, PANEL),
    "decisions:meeting": Entry(AccessKind.DECISION, MEETING),
    "decisions:meeting_change": Entry(AccessKind.DECISION, MEETING),
    "decisions:meeting_cancel": Entry(AccessKind.DECISION, MEETING),
    "decisions:meeting_open": Entry(AccessKind.DECISION, MEETING),
    "decisions:agenda": Entry(AccessKind.DECISION, MEETING),
    "decisions:agenda_add": Entry(AccessKind.DECISION, MEETING),
    "decisions:agenda_remove": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:agenda_reorder": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:attendance": Entry(AccessKind.DECISION, MEETING),
    "decisions:item": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:conflict_add": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:conflict_remove": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:decision_record": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:decision_remove": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:deputy_set": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:sign_off": Entry(AccessKind.DECISION, AGENDA_ITEM),
    "decisions:minutes": Entry(AccessKind.DECISION, MEETING),
    "decisions:pack": Entry(AccessKind.DECISION, MEETING),
    "decisions:pack_pdf": Entry(AccessKind.EXPORT_DOWNLOAD, MEETING),
    "decisions:pack_send": Entry(AccessKind.DECISION, MEETING),
    "decisions:meeting_letters_issue": Entry(AccessKind.DECISION, MEETING),
    "decisions:meeting_letters_export": Entry(AccessKind.DECISION, MEETING),
    "decisions:inputs_outstanding": Entry(AccessKind.LIST),
    "decisions:case_inputs": Entry(AccessKind.DECISION, CASE_BY_REFERRAL_ID),
    "decisions:agency_input": Entry(AccessKind.DECISION, CASE_BY_REFERRAL_ID),
    "decisions:between_meetings": Entry(AccessKind.DECISION, CASE_BY_REFERRAL_ID),
    "decisions:case_close": Entry(AccessKind.DECISION, CASE_BY_REFERRAL_ID),
    "decisions:lead_social_worker": Entry(AccessKind.CASE, CASE_BY_REFERRAL_ID),
    "decisions:reconsideration_request": Entry(AccessKind.DECISION, CASE_BY_REFERRAL_ID),
    "decisions:reconsideration_accept": Entry(AccessKind.DECISION, RECONSIDERATION),
    "decisions:reconsideration_refuse": Entry(AccessKind.DECISION, RECONSIDERATION),
    "decisions:at_risk": Entry(AccessKind.LIST),
    "decisions:letters": Entry(AccessKind.LIST),
    "decisions:letter": Entry(AccessKind.DECISION, LETTER),
    "decisions:letter_correct": Entry(AccessKind.DECISION, LETTER),
    "decisions:letter_download": Entry(AccessKind.LETTER_DOWNLOAD, LETTER),
    "decisions:letter_recipients": Entry(AccessKind.CASE, CASE_BY_REFERRAL_ID),
    "decisions:case_letter_issue": Entry(AccessKind.DECISION, CASE_BY_REFERRAL_ID),
    "decisions:letters_export": Entry(AccessKind.DECISION),
    "decisions:letters_export_progress": Entry(AccessKind.DECISION, LETTER_EXPORT),
    "decisions:letters_export_download": Entry(AccessKind.EXPORT_DOWNLOAD, LETTER_EXPORT),
    "decisions:sca_return": Entry(AccessKind.REPORT),
    "decisions:sca_export": Entry(AccessKind.EXPORT_DOWNLOAD),
    # Health information and safeguarding
    "safeguarding:health_requests": Entry(AccessKind.HEALTH),
    "safeguarding:health_request": Entry(AccessKind.HEALTH, HEALTH_REQUEST),
    "safeguarding:health_request_create": Entry(AccessKind.HEALTH, CASE_BY_REFERRAL_ID),
    "safeguarding:health_request_change": Entry(AccessKind.HEALTH, HEALTH_REQUEST),
    "safeguarding:health_request_send": Entry(AccessKind.HEALTH, HEALTH_REQUEST),
    "safeguarding:health_request_chase": Entry(AccessKind.HEALTH, HEALTH_REQUEST),
    "safeguarding:health_request_withdraw": Entry(AccessKind.HEALTH, HEALTH_REQUEST),
    "safeguarding:health_response_record": Entry(AccessKind.HEALTH, HEALTH_REQUEST),
    "safeguarding:health_document": Entry(AccessKind.ATTACHMENT_DOWNLOAD, HEALTH_REQUEST),
    "safeguarding:provider_respond": Entry(AccessKind.HEALTH, PROVIDER_REQUEST, anonymous=True, secret_kwarg="token"),
    "safeguarding:action_create": Entry(AccessKind.SAFEGUARDING, CASE_BY_REFERRAL_ID),
    "safeguarding:action_change": Entry(AccessKind.SAFEGUARDING, ACTION),
    "safeguarding:action_done": Entry(AccessKind.SAFEGUARDING, ACTION),
    "safeguarding:action_reopen": Entry(AccessKind.SAFEGUARDING, ACTION),
    "safeguarding:support_referral_create": Entry(AccessKind.SAFEGUARDING, CASE_BY_REFERRAL_ID),
    "safeguarding:support_referral_change": Entry(AccessKind.SAFEGUARDING, SUPPORT_REFERRAL),
    "safeguarding:transition_plan": Entry(AccessKind.SAFEGUARDING, CASE_BY_REFERRAL_ID),
    "safeguarding:turning_18": Entry(AccessKind.LIST),
    "safeguarding:proceeding_create": Entry(AccessKind.SAFEGUARDING, CASE_BY_REFERRAL_ID),
    "safeguarding:proceeding": Entry(AccessKind.SAFEGUARDING, PROCEEDING),
    "safeguarding:proceeding_change": Entry(AccessKind.SAFEGUARDING, PROCEEDING),
    "safeguarding:hearing_add": Entry(AccessKind.SAFEGUARDING, PROCEEDING),
    "safeguarding:hearing_remove": Entry(AccessKind.SAFEGUARDING, PROCEEDING),
    "safeguarding:defence_summary_issue": Entry(AccessKind.DECISION, PROCEEDING),
    "safeguarding:defence_summary_correct": Entry(AccessKind.DECISION, PROCEEDING),
    "safeguarding:letter_sent_record": Entry(AccessKind.SAFEGUARDING, PROCEEDING),
    # Reports
    "reporting:dashboard": Entry(AccessKind.REPORT),
    "reporting:data_return": Entry(AccessKind.EXPORT_DOWNLOAD),
    "reporting:data_dictionary": NOT_LOGGED,
    # Records management: the retention review, and subject access exports of one case
    "records:retention_review": Entry(AccessKind.RECORDS),
    "records:case_review": Entry(AccessKind.RECORDS, CASE),
    "records:subject_access": Entry(AccessKind.RECORDS, CASE),
    "records:subject_access_download": Entry(AccessKind.RECORDS, CASE),
    "records:health_subject_access": Entry(AccessKind.RECORDS, CASE),
    "records:health_subject_access_download": Entry(AccessKind.RECORDS, CASE),
    # The access log itself
    "access_log:search": Entry(AccessKind.ACCESS_LOG),
}

# Django's admin: every page of it is logged, as administration.
ADMIN = Entry(AccessKind.ADMINISTRATION)


def entry_for(view_name: str) -> Entry | None:
    if view_name.startswith("admin:"):
        return ADMIN
    return PAGES.get(view_name)
