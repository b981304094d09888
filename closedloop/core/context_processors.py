from .navigation import items_for, menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    items = items_for(user)
    return {"nav_items": items, "nav_menu": menu_for(items, request.path)}
