"""Request parsers for the API."""

import codecs
import json
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

#: No body of the API nests deeper than a handful of levels (a closure checklist is 5).
MAX_JSON_DEPTH = 32

# A JSON string (escapes included), or one bracket outside strings.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def json_depth(text: str, limit: int) -> int:
    """How deep ``text`` nests arrays and objects, counted up to ``limit + 1`` (brackets
    inside strings do not count). Linear, without recursion."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing what would fail later with a 500:

    - nesting deeper than :data:`MAX_JSON_DEPTH`: Python's decoder recurses and a body
      nested 100 000 deep raised ``RecursionError``; it is refused before decoding;
    - strings that are not valid Unicode. JSON may spell a lone surrogate
      (``"\\ud800"``); Python decodes it, but it cannot be encoded as UTF-8, so it
      would fail later, in the database or while rendering the reply (an error message
      echoing the input).

    Both are the same 400 as any other malformed JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON 嵌套过深（最多 %(n)d 层）。") % {"n": MAX_JSON_DEPTH})
        try:
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        return data
