"""One place that turns domain errors and database refusals into API replies."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied


def exception_handler(exc, context):
    if isinstance(exc, InvalidTransition):
        return Response(
            {"detail": str(exc.message), "code": exc.code}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, PermissionDenied):
        return Response(
            {"detail": str(exc.message), "code": exc.code}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, DomainError):
        if exc.errors:
            body = {k: [str(m) for m in v] for k, v in exc.errors.items()}
        elif exc.field:
            body = {exc.field: [str(exc.message)]}
        else:
            body = {"detail": str(exc.message)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            body = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            body = {"detail": [str(m) for m in exc.messages]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": _("该对象仍被其他数据引用，无法删除。"), "code": "protected"},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
