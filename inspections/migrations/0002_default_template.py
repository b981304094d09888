"""Ship the default checklist (门店标准巡检表: hardware, process, people, data)."""

from django.db import migrations


def seed(apps, schema_editor):
    from inspections.defaults import DEFAULT_CHECKLIST

    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    if Template.objects.filter(code="store-standard").exists():
        return
    template = Template.objects.create(
        code="store-standard",
        name="门店标准巡检表",
        version=1,
        description="覆盖硬件设施、流程执行、人员能力、数据变化四个维度。",
    )
    order = 0
    for section, area, items in DEFAULT_CHECKLIST:
        for key, text, kind, max_score, weight, photo, guidance in items:
            order += 10
            Item.objects.create(
                template=template,
                section=section,
                area=area,
                order=order,
                key=key,
                text=text,
                kind=kind,
                max_score=max_score,
                weight=weight,
                photo_required=photo,
                guidance=guidance,
            )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
