"""Template pieces other pages show: the projects of an issue (with the action to start
one) and the ops specialist's block on the home page."""

from django import template

from .. import policy
from ..models import Project

register = template.Library()


@register.inclusion_tag("rectification/includes/issue_projects.html", takes_context=True)
def issue_projects(context, issue):
    """整改项目 of an issue, visible ones only, and 发起整改项目 for the ops."""
    user = context["request"].user
    projects = list(
        Project.objects.visible_to(user)
        .filter(issue=issue)
        .only("number", "title", "status", "health", "progress")
        .order_by("-created_at")
    )
    return {
        "issue": issue,
        "projects": projects,
        "can_start": policy.can_create(user),
    }


@register.inclusion_tag("rectification/includes/home_block.html", takes_context=True)
def my_projects_block(context):
    """我的整改项目 on the home page: what is due, what awaits my signature."""
    user = context["request"].user
    if not policy.can_view_mine(user):
        return {"show": False}
    from ..views import my_projects_context

    data = my_projects_context(user, limit=5)
    data["show"] = bool(data["running"] or data["to_sign"])
    return data


@register.inclusion_tag("rectification/includes/health_badge.html")
def health_badge(project, large=False):
    return {"project": project, "large": large}
