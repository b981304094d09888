"""Chinese search through an index (issue 9): the characters and character pairs of each
issue's number, title and description in a GIN index, so that a one- or two-character
term (卡, 缺货) — which a trigram index cannot serve — is an index lookup, rechecked by the
substring test. Only stock PostgreSQL (no extension); built concurrently."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations

import issues.models

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION issue_search_grams(number text, title text, description text)
RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 200 AS $$
DECLARE
    chars text[] := regexp_split_to_array(lower(number || ' ' || title || ' ' || description), '');
    grams text[] := chars;
BEGIN
    -- Every character, then every pair of neighbours (GIN drops the duplicates).
    FOR i IN 1 .. coalesce(array_length(chars, 1), 0) - 1 LOOP
        grams := grams || (chars[i] || chars[i + 1]);
    END LOOP;
    RETURN grams;
END
$$;

CREATE OR REPLACE FUNCTION issue_search_terms(term text)
RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    chars text[] := regexp_split_to_array(lower(term), '');
    grams text[] := '{}';
BEGIN
    -- A term's pairs imply its characters: only a single character is looked up alone.
    IF coalesce(array_length(chars, 1), 0) <= 1 THEN
        RETURN chars;
    END IF;
    FOR i IN 1 .. array_length(chars, 1) - 1 LOOP
        grams := grams || (chars[i] || chars[i + 1]);
    END LOOP;
    RETURN grams;
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS issue_search_terms(text);
DROP FUNCTION IF EXISTS issue_search_grams(text, text, text);
"""


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY: the issue table stays writable

    dependencies = [
        ("issues", "0006_systemicevent"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, DROP),
        AddIndexConcurrently(
            model_name="issue",
            index=GinIndex(issues.models.SearchGrams(), name="issue_search_grams"),
        ),
    ]
