"""Checklist templates: the product ships a default one (hardware, process, people,
data); templates are versioned — the quality lead edits them in the admin, and editing a
version that inspections used saves a new version while those inspections keep theirs."""

import pytest

from closedloop.org.services import upsert_user
from inspections import services
from inspections.models import ChecklistItem, ChecklistTemplate

from .helpers import perform, start

pytestmark = pytest.mark.django_db


def test_the_default_checklist_is_shipped_by_a_migration():
    template = ChecklistTemplate.objects.get(code="store-standard")
    assert (template.version, template.name) == (1, "门店标准巡检表")
    titles = [title for title, _items in services.sections(template.items.all())]
    assert titles == ["硬件设施", "流程执行", "人员能力", "数据变化"]
    items = template.items.all()
    assert {i.area for i in items} == {"hardware", "process", "people", "data"}
    assert {i.kind for i in items} == {"score", "pass_fail"}
    assert sorted(i.key for i in items if i.photo_required) == ["hw_display", "hw_lounge"]
    assert all(i.max_score is None for i in items if i.kind == "pass_fail")
    assert services.ensure_default_template() == template  # never a second copy


def test_the_api_lists_current_templates_with_sections_and_items(cast, api):
    body = api.as_(cast.manager).get("/api/v1/inspection-templates/").json()
    (template,) = body["results"]
    assert (template["code"], template["name"], template["version"]) == (
        "store-standard",
        "门店标准巡检表",
        1,
    )
    first = template["sections"][0]
    assert first["title"] == "硬件设施"
    assert first["items"][0] == {
        "key": "hw_display",
        "text": "进度显示屏运行正常，显示实时工单进度",
        "kind": "pass_fail",
        "max_score": None,
        "weight": 2.0,
        "guidance": "拍下显示屏当前画面；请服务顾问说明显示内容。",
        "photo_required": True,
        "area": "hardware",
    }
    assert first["items"][1]["max_score"] == 10.0


def _admin_post(client, template, **changes):
    """The admin change form as the page posts it, with ``changes`` applied."""
    items = list(template.items.order_by("order", "pk"))
    data = {
        "code": template.code,
        "name": template.name,
        "description": template.description,
        "active": "on",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for n, item in enumerate(items):
        prefix = f"items-{n}-"
        data.update(
            {
                prefix + "id": str(item.pk),
                prefix + "template": str(template.pk),
                prefix + "order": str(item.order),
                prefix + "section": item.section,
                prefix + "area": item.area,
                prefix + "key": item.key,
                prefix + "text": item.text,
                prefix + "kind": item.kind,
                prefix + "max_score": "" if item.max_score is None else str(item.max_score),
                prefix + "weight": str(item.weight),
                prefix + "guidance": item.guidance,
            }
        )
        if item.photo_required:
            data[prefix + "photo_required"] = "on"
    data.update(changes)
    return client.post(f"/admin/inspections/checklisttemplate/{template.pk}/change/", data)


@pytest.fixture
def lead_client(client):
    lead, _created = upsert_user(
        username="qlead", display_name="周敏", role="quality_lead", password="Xk9!pq7#Lm2$"
    )
    client.force_login(lead)
    return client


def test_editing_a_used_template_saves_a_new_version(cast, lead_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    v1 = services.ensure_default_template()
    used = perform(cast)
    response = _admin_post(
        lead_client, v1, **{"items-3-text": "开单到派工不超过 8 分钟", "items-3-weight": "3"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = ChecklistTemplate.objects.get(code="store-standard", version=2)
    assert v2.created_by.username == "qlead"
    # The old version is untouched and still the one the inspection used.
    assert v1.items.get(order=40).text == "接待区与车间标识清晰"
    used.refresh_from_db()
    assert used.template == v1 and used.score is not None
    # The new version has every item, with the edit.
    assert v2.items.count() == v1.items.count() == 14
    edited = v2.items.get(order=40)
    assert (edited.text, edited.weight) == ("开单到派工不超过 8 分钟", 3)
    # New inspections take the current version; the API lists only it.
    assert list(ChecklistTemplate.objects.current()) == [v2]
    assert start(cast).template == v2
    assert services.current_template("store-standard") == v2


def test_editing_an_unused_template_edits_it_in_place(lead_client):
    v1 = services.ensure_default_template()
    response = _admin_post(lead_client, v1, name="门店标准巡检表（2026 版）")
    assert response.status_code == 302
    assert ChecklistTemplate.objects.count() == 1
    v1.refresh_from_db()
    assert v1.name == "门店标准巡检表（2026 版）" and v1.version == 1


def test_a_score_item_needs_a_maximum(lead_client):
    v1 = services.ensure_default_template()
    response = _admin_post(lead_client, v1, **{"items-1-max_score": ""})  # hw_lounge, a score item
    assert response.status_code == 200
    assert "评分项必须填写满分。" in response.content.decode()
    assert ChecklistItem.objects.get(template=v1, key="hw_lounge").max_score == 10


def test_a_used_template_cannot_be_deleted(cast, lead_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    v1 = services.ensure_default_template()
    perform(cast)
    response = lead_client.get(f"/admin/inspections/checklisttemplate/{v1.pk}/delete/")
    assert response.status_code == 403
