"""Labels of choice fields, translated once per language.

Django's ``get_<field>_display()`` rebuilds the field's whole choices dictionary on every
call, hashing each lazy label (which translates it): a list page of 25 rows paid about a
tenth of its time for its badges (issue 9). ``ChoiceLabels`` gives a model the same
method over a dictionary built once per field and language."""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.translation import get_language

_LABELS: dict[tuple[int, str | None], dict] = {}


def field_labels(field) -> dict:
    """``{value: label}`` of a choice field in the active language (cached)."""
    key = (id(field), get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {value: force_str(label) for value, label in field.flatchoices}
        _LABELS[key] = labels
    return labels


class ChoiceLabels:
    """A mixin for models (before ``models.Model``): the same ``get_FOO_display()``, from
    ``field_labels``. A value outside the choices shows as itself, as Django does."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            return field_labels(field).get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)
