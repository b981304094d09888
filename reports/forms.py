from django import forms
from django.utils.translation import gettext_lazy as _

from .services import PROSE_MAX

LABELS = {
    "highlights": _("本月亮点"),
    "root_causes": _("根本原因"),
    "short_term": _("短期行动（本月完成）"),
    "mid_term": _("中期规划（下月启动）"),
    "next_focus": _("下月重点"),
}


class ProseForm(forms.Form):
    """The monthly effect report's prose, one text per section (the quality lead's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in LABELS.items():
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=PROSE_MAX,
                widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
            )
