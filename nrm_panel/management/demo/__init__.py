"""Demo data for `manage.py demo_data`: invented panels, logins and referrals in every state."""

# The reason shown on every history record the demo data writes (the case timeline shows it).
CHANGE_REASON = "Demo data"
