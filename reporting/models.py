"""What the reporting app stores: only the log of its exports (the figures are read, never kept)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ReportExport(models.Model):
    """One download of the data return: who, when, which panels and which dates (DESIGN.md: exports are logged)."""

    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(auto_now_add=True, db_index=True)
    panel_ids = ArrayField(models.PositiveIntegerField(), help_text="The panels whose cases it holds")
    date_from = models.DateField()
    date_to = models.DateField()
    format = models.CharField(max_length=5, choices=ExportFormat.choices)
    row_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-exported_at", "-id"]

    def __str__(self):
        return f"Data return {self.date_from}–{self.date_to} by {self.exported_by}"
