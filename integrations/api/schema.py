"""The OpenAPI document tells the DMS everything it relies on: the token scheme with its
scopes, the ``Idempotency-Key`` header of every POST and its 422, and the 401 and 429
(with ``Retry-After``) any operation may answer."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from closedloop.org.choices import ApiScope

from ..services.idempotency import HEADER, REPLAYED_HEADER


def token_description() -> str:
    return _(
        "请求头 `Authorization: Token <key>`。令牌带有接口权限（%(scopes)s；`x:write` 包含 "
        "`x:read`），并可限定门店或区域：此时所有列表和查询只涉及这些门店（其他一律 404）。"
        "已吊销或已过期的令牌返回 401。按令牌限流（429，带 `Retry-After`）。"
    ) % {"scopes": ", ".join(f"`{s}`" for s in ApiScope.values)}


DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
}


def idempotency_parameter() -> dict:
    return {
        "in": "header",
        "name": HEADER,
        "required": False,
        "description": _(
            "任意唯一字符串（建议 UUID）。24 小时内同一个键、同样的请求体，原样返回第一次成功的"
            "回复（状态码和内容相同，带 %(h)s: true），不会重复执行；同一个键换了请求体返回 422。"
            "同一个键的并发请求只执行一次。"
        )
        % {"h": REPLAYED_HEADER},
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    }


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.auth.ApiTokenAuthentication"
    name = "knoxApiToken"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header("")
        )
        scheme["description"] = token_description()
        return scheme


def _json(description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": DETAIL}},
    }
    if headers:
        response["headers"] = headers
    return response


def document_integration_conventions(result, generator, request, public):
    """drf-spectacular post-processing hook (SPECTACULAR_SETTINGS)."""
    retry_after = {
        "Retry-After": {"description": _("多少秒后再试。"), "schema": {"type": "integer"}}
    }
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", _json(_("未登录，或令牌错误、已过期、已吊销。")))
            # A token narrowed to other scopes (or a role that may not) is refused anywhere.
            responses.setdefault("403", _json(_("无权访问")))
            responses.setdefault("429", _json(_("请求过于频繁（按令牌限流）。"), retry_after))
            if method != "post":
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == HEADER and p.get("in") == "header" for p in parameters):
                parameters.append(idempotency_parameter())
            responses.setdefault("400", {"description": _("输入有误")})
            responses.setdefault("422", _json(_("这个 Idempotency-Key 已用于另一个请求体。")))
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {})[REPLAYED_HEADER] = {
                        "description": _("按 Idempotency-Key 原样返回的第一次回复时为 true。"),
                        "schema": {"type": "string", "enum": ["true"]},
                    }
    return result
