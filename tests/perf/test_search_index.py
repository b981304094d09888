"""Chinese search through the character-pair GIN index (``Issue.objects.search``): the
same issues as a substring test over number, title, description and store, found through
the index on generated data — one- and two-character terms included."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q

from issues import loadgen
from issues.models import Issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

NOW = dt.datetime(2026, 6, 3, 7, 30, tzinfo=dt.UTC)


@pytest.fixture
def issues(db):
    loadgen.generate(stores=20, issues=4000, people=100, seed=9, now=NOW, say=str)


def _substring(text):
    """What the search promises, spelled as a plain substring filter (no index)."""
    return set(
        Issue.objects.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(store__name__icontains=text)
            | Q(store__code__iexact=text)
        ).values_list("pk", flat=True)
    )


def test_search_finds_exactly_the_substring_matches(issues):
    some = Issue.objects.order_by("pk")[123]
    terms = [
        "缺货",  # two characters
        "卡",  # one character
        "系统卡顿",  # pairs that must be neighbours
        "顿卡",  # both characters occur, never in this order
        "等待时间",
        "dms 工单",  # Latin, case-insensitive, with a space
        "MS",  # two Latin characters: the index alone, case-insensitive
        "d",
        "货 ",  # stripped: one character
        "单 缺",  # a space inside: the substring test, not the pairs alone
        some.number,
        some.number[-6:],
        some.store.code,
        some.store.name[:4],
        "%",
        "不存在的词",
    ]
    for term in terms:
        found = set(Issue.objects.search(term).values_list("pk", flat=True))
        assert found == _substring(term.strip()), term
    assert Issue.objects.search("缺货").exists() and Issue.objects.search("卡").exists()
    assert not Issue.objects.search("顿卡").exists()
    assert Issue.objects.search("  ").count() == Issue.objects.count()


def _plan(queryset) -> str:
    return queryset.explain()


@pytest.mark.parametrize("term", ["缺货", "卡", "发错配件"])
def test_search_uses_the_gram_index(issues, term):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE issues_issue")
    plan = _plan(Issue.objects.search(term).order_by("-submitted_at")[:25])
    assert "Bitmap Index Scan on issue_search_grams" in plan, plan
    assert "Seq Scan on issues_issue" not in plan, plan


def test_grams_are_characters_and_neighbour_pairs(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT issue_search_grams('ISS-1', 'DMS 工单', '缺货')")
        grams = set(cursor.fetchone()[0])
        cursor.execute(
            "SELECT issue_search_terms('缺货'), issue_search_terms('卡'), "
            "issue_search_terms('系统卡顿')"
        )
        pair, single, longer = cursor.fetchone()
    assert {"工", "单", "工单", "缺货", "dm", "ms", "s ", "iss", "ss"} - grams == {"iss"}
    assert pair == ["缺货"] and single == ["卡"] and longer == ["系统", "统卡", "卡顿"]
