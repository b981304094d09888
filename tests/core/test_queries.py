"""``closedloop.core.queries``: shapes of query the apps share."""

from django.db.models import Count, Value

from closedloop.core.queries import ids_first_page, ids_of_each
from closedloop.org.models import Store


def test_ids_first_page_keeps_the_order_and_loads_only_the_page(org, django_assert_num_queries):
    ordered = Store.objects.order_by("-code", "-pk")
    codes = list(ordered.values_list("code", flat=True))
    assert len(codes) >= 3
    loaded = []

    def load(rows):
        loaded.append(rows)
        return rows.select_related("region").annotate(marked=Value(1), staff_n=Count("staff"))

    with django_assert_num_queries(3):  # the count, the page's ids, its rows
        page = ids_first_page(ordered, 1, 2, load)
        assert [s.code for s in page] == codes[:2]
        assert all(s.marked == 1 and s.region.code for s in page)
    assert page.paginator.count == len(codes) and page.has_next()
    last = ids_first_page(ordered, 99, 2, load)  # past the end: the last page, as Django's
    assert [s.code for s in last] == codes[(last.number - 1) * 2 :]
    assert set(loaded[0].values_list("code", flat=True)) == set(codes[:2])


def test_ids_of_each_is_one_round_trip(org, django_assert_num_queries):
    stores = Store.objects.order_by("code").values_list("pk", flat=True)
    with django_assert_num_queries(1):
        found = ids_of_each({"first": stores[:1], "all": stores[:100], "none": stores.none()})
    assert found["first"] == list(stores[:1])
    assert found["all"] == list(stores)
    assert found["none"] == []
    # Nothing to ask the database (a person who sees nothing): no query at all.
    with django_assert_num_queries(0):
        assert ids_of_each({"none": stores.none()}) == {"none": []}
