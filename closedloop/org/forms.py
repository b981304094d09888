from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("工作表“门店”和/或“用户”，第一行为列名。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件不能超过 5 MB。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        return upload


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]
