from __future__ import annotations

from django.contrib import admin

from cqp.models import Block, Certification, CertificationVersion, Certifier, Competency, TrainingOrganisation


class CompetencyInline(admin.TabularInline):
    model = Competency
    extra = 0
    fields = ["code", "label", "label_is_draft", "order", "is_mandatory"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "version", "threshold_percent"]
    list_filter = ["version__certification"]
    inlines = [CompetencyInline]


class BlockInline(admin.TabularInline):
    model = Block
    extra = 0
    fields = ["code", "rncp_code", "title", "order", "threshold_percent"]
    show_change_link = True


@admin.register(CertificationVersion)
class CertificationVersionAdmin(admin.ModelAdmin):
    list_display = ["rncp_code", "short_title", "number", "status", "certifier"]
    list_filter = ["status", "certifier"]
    search_fields = ["rncp_code", "title"]
    inlines = [BlockInline]


admin.site.register(Certification)
admin.site.register(Certifier)
admin.site.register(TrainingOrganisation)
