"""Demo data for `manage.py demo_data`: invented panels, logins, referrals in every state, and the panel's
meetings, agency inputs and decisions behind them."""

# The reason shown on every history record the demo data writes (the case timeline shows it).
CHANGE_REASON = "Demo data"
