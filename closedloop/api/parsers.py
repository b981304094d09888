"""Request parsers for the API."""

import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing strings that are not valid Unicode.

    JSON may spell a lone surrogate (``"\\ud800"``); Python decodes it, but it cannot be
    encoded as UTF-8, so it would fail later, in the database or while rendering the
    reply (an error message echoing the input) — a 500 for bad input. Refuse it here,
    with the same 400 as any other malformed JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        return data
