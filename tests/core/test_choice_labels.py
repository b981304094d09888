"""``ChoiceLabels``: ``get_FOO_display()`` from a dictionary built once per field and
language (Django's own rebuilds and re-translates the whole choices list on each call)."""

from django.template import Context, Template
from django.utils import translation

from closedloop.core.choices import field_labels
from issues.choices import Priority, Status
from issues.listing import Clock
from issues.models import Issue


def test_the_labels_are_djangos_in_the_active_language():
    issue = Issue(status=Status.IN_PROGRESS, priority=Priority.P1)
    with translation.override("zh-hans"):
        assert issue.get_status_display() == "处理中"
    with translation.override("en"):
        assert issue.get_status_display() == str(Status.IN_PROGRESS.label) == "In progress"
    for status in Status:
        issue.status = status
        with translation.override("zh-hans"):
            assert issue.get_status_display() == str(status.label)


def test_a_value_outside_the_choices_shows_as_itself():
    assert Issue(status="archived").get_status_display() == "archived"
    assert Issue(priority="").get_priority_display() == ""


def test_built_once_per_field_and_language():
    field = Issue._meta.get_field("status")
    with translation.override("zh-hans"):
        first = field_labels(field)
        assert field_labels(field) is first
    with translation.override("en"):
        assert field_labels(field) is not first


def _render(source, **context):
    return Template("{% load issue_badges %}" + source).render(Context(context))


def test_badges():
    issue = Issue(status=Status.TRIAGED, priority=Priority.P0)
    with translation.override("zh-hans"):
        html = _render("{% priority_badge issue %}{% status_badge issue %}", issue=issue)
        assert 'class="badge priority-badge priority-p0" data-testid="priority"' in html
        assert 'title="P0 紧急">P0</span>' in html
        assert 'class="badge status-badge status-triaged" data-testid="status">已分级<' in html
        issue.priority = ""
        assert "待分级" in _render("{% priority_badge issue %}", issue=issue)
        states = {
            "breached": ('data-testid="sla-breached"', "已超时"),
            "soon": ('data-testid="sla-soon"', "即将超时"),
            "paused": ("sla-paused", "计时暂停"),
            "met": ('data-testid="sla-met"', "已达成"),
            "missed": ('data-testid="sla-missed"', "逾期完成"),
        }
        for state, needles in states.items():
            html = _render("{% sla_badge clock %}", clock=Clock(None, state))
            assert all(n in html for n in needles), (state, html)
        assert _render("{% sla_badge clock %}", clock=Clock(None, "running")) == ""
        assert _render("{% sla_badge clock %}", clock=None) == ""
    with translation.override("en"):
        html = _render(
            "{% sla_badge clock %}{% status_badge issue %}",
            clock=Clock(None, "breached"),
            issue=issue,
        )
        assert "> Overdue</span>" in html and ">Triaged</span>" in html
