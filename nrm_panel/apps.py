from django.apps import AppConfig


class NrmPanelConfig(AppConfig):
    name = "nrm_panel"
    verbose_name = "Panels, agencies and people"
