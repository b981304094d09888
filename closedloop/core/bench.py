"""The benchmark harness behind ``manage.py benchmark`` (and ``make bench``).

Each app lists what to measure in ``<app>/bench.py``::

    CASES = [
        Case("issues.list.priority", role="lead", path="/issues/?view=priority"),
        Case("issues.create.api", role="api", method="POST", path="/api/v1/issues/",
             data=lambda ctx: {...}, json=True, expect=201, budget_ms=None),
        Case("issues.sla_sweep", role="lead", run=sweep, budget_ms=5000),
    ]

and may define ``facts(ctx) -> dict`` (what the data looks like: row counts …) for the
report. Modules are found with :func:`closedloop.core.registry.discover`.

How a page case is measured:

- through the real WSGI application — Django's ``WSGIHandler`` with every middleware and
  the ``request_started``/``request_finished`` signals, so database connections are
  opened and closed as in production (``CONN_MAX_AGE``) — with ``DEBUG`` off, signed in
  as the case's role (a session cookie; API clients with a token);
- ``warmup`` requests first, then one that records the page's SQL
  (``CaptureQueriesContext``), then ``runs`` timed requests, each body read to the end;
  p50 and p95 (nearest rank) of those;
- the bare SQL: every ``SELECT`` the page ran is executed again directly on an open
  connection; the slowest is the page's *main query*, timed ``runs`` times; its p50 and
  the page's p50 give the ratio (page ÷ main query). The sum of all the page's SELECTs is
  reported too;
- ``memory`` cases run once more under ``tracemalloc`` (Python's peak) and with the
  process's peak RSS reset (Linux), untimed.

Writes (``method`` POST) are committed like real ones, so each run adds a row; jobs
(``run``) are rolled back after each run, so every run sees the same data."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import re
import statistics
import subprocess
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.test.client import ClientMixin, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from .registry import discover

#: Targets of issue 9: every list view, search and the issue page.
PAGE_BUDGET_MS = 150.0
MAX_RATIO = 3.0


@dataclass(frozen=True)
class Case:
    """One thing to measure: a request as ``role`` (``path`` and ``data`` may be callables
    of the :class:`Context`), or a job (``run(ctx)``, rolled back after each run)."""

    name: str
    role: str = "lead"
    path: str | Callable[[Context], str] = ""
    method: str = "GET"
    data: dict | Callable[[Context], dict] | None = None
    json: bool = False
    headers: dict | None = None
    expect: int = 200
    #: p95 target in ms (None: reported, not judged).
    budget_ms: float | None = PAGE_BUDGET_MS
    #: judge the page ÷ main-query ratio against MAX_RATIO
    ratio: bool = True
    run: Callable[[Context], dict | None] | None = None
    memory: bool = False
    #: timed runs (None: the command's --runs)
    runs: int | None = None
    #: a page to GET first, once (a form's CSRF cookie)
    prime: str | None = None
    #: facts about what was measured, for the report (e.g. the rows an export wrote)
    describe: Callable[[Context], dict] | None = None
    note: str = ""


@dataclass
class Result:
    name: str
    role: str
    target: str
    status: int | None = None
    runs: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    queries: int | None = None
    main_sql_ms: float | None = None
    all_sql_ms: float | None = None
    ratio: float | None = None
    budget_ms: float | None = None
    ok: bool | None = None
    main_sql: str = ""
    extra: dict = field(default_factory=dict)
    error: str = ""


# --------------------------------------------------------------------------- people


def _first(queryset):
    user = queryset.filter(is_active=True).order_by("pk").first()
    if user is None:
        raise LookupError(str(queryset.query))
    return user


def _pick_lead():
    from closedloop.org.choices import Role
    from closedloop.org.models import User

    return _first(User.objects.filter(role=Role.QUALITY_LEAD))


def _pick_executive():
    from closedloop.org.choices import Role
    from closedloop.org.models import User

    return _first(User.objects.filter(role=Role.EXECUTIVE))


def _pick_director():
    """The director of the region with the most stores."""
    from django.db.models import Count

    from closedloop.org.choices import Role
    from closedloop.org.models import User

    users = User.objects.filter(role=Role.REGIONAL_DIRECTOR, region__isnull=False)
    return _first(users.annotate(n=Count("region__stores")).order_by("-n", "pk"))


def _pick_ops():
    """The ops specialist with the most stores (a whole region)."""
    from django.db.models import Count

    from closedloop.org.choices import Role
    from closedloop.org.models import User

    users = User.objects.filter(role=Role.OPS_SPECIALIST).annotate(n=Count("stores"))
    return _first(users.filter(n__gt=0).order_by("-n", "pk"))


def _biggest_department():
    from django.db.models import Count

    from closedloop.org.models import Department

    return Department.objects.annotate(n=Count("members")).order_by("-n", "pk").first()


def _pick_head():
    """The head of the department with the most people."""
    from closedloop.org.choices import Role
    from closedloop.org.models import User

    users = User.objects.filter(role=Role.DEPARTMENT_HEAD, department=_biggest_department())
    return _first(users)


def _pick_member():
    from closedloop.org.choices import Role
    from closedloop.org.models import User

    users = User.objects.filter(role=Role.DEPARTMENT_MEMBER, department=_biggest_department())
    return _first(users)


def _pick_manager():
    """The first manager of the store with the highest throughput (the busiest)."""
    from closedloop.org.choices import Role
    from closedloop.org.models import Store, User

    store = Store.objects.filter(active=True, staff__role=Role.STORE_MANAGER)
    store = store.order_by("-monthly_throughput", "pk").first()
    return _first(User.objects.filter(role=Role.STORE_MANAGER, store=store))


def _pick_api():
    from closedloop.org.choices import Role
    from closedloop.org.models import User

    return _first(User.objects.filter(role=Role.API_CLIENT))


#: role key -> who plays it (org-level choices, the same for every app's cases).
ROLES: dict[str, Callable] = {
    "lead": _pick_lead,
    "executive": _pick_executive,
    "director": _pick_director,
    "ops": _pick_ops,
    "head": _pick_head,
    "member": _pick_member,
    "manager": _pick_manager,
    "api": _pick_api,
}
#: Roles that authenticate with an API token rather than a session.
TOKEN_ROLES = frozenset({"api"})


# --------------------------------------------------------------------------- the client


class BenchClient(ClientMixin, RequestFactory):
    """Requests through Django's own ``WSGIHandler`` (what gunicorn calls): middleware,
    signals, connection handling as in production. ``ClientMixin`` only lends
    ``force_login`` (a session row and its cookie). POSTs carry the CSRF cookie's token as
    a browser's form would."""

    def __init__(self, **defaults):
        super().__init__(**defaults)
        with warnings.catch_warnings():
            # WhiteNoise's note that STATIC_ROOT was not collected: static files are not
            # what is measured.
            warnings.filterwarnings("ignore", message="No directory at")
            self.handler = WSGIHandler()

    def request(self, **request):
        environ = self._base_environ(**request)
        # Without ``wsgi.file_wrapper`` in the environ, the handler returns the response
        # object itself: the caller reads it to the end and closes it, as a server does.
        response = self.handler(environ, lambda status, headers, exc_info=None: None)
        if response.cookies:
            self.cookies.update(response.cookies)
        return response

    def post(self, path, data=None, content_type=None, **extra):
        token = self.cookies.get(settings.CSRF_COOKIE_NAME)
        if token is not None:
            extra.setdefault("HTTP_X_CSRFTOKEN", token.value)
        if content_type is None:
            return super().post(path, data or {}, **extra)
        return super().post(path, data, content_type=content_type, **extra)


def _read(response) -> int:
    """Read the body to the end (a streaming response is produced here) and close it."""
    size = 0
    try:
        for chunk in response:
            size += len(chunk)
    finally:
        response.close()  # request_finished: closes the connection as a server would
    return size


# --------------------------------------------------------------------------- context


class Context:
    """What cases share: the people per role, their signed-in clients, memoised facts."""

    def __init__(self, say: Callable[[str], None] = print):
        self.say = say
        self._users: dict = {}
        self._clients: dict = {}
        self._tokens: list = []
        self._memo: dict = {}
        self.host = next(
            (h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")),
            "localhost",
        )

    def user(self, role: str):
        if role not in self._users:
            if role not in ROLES:
                raise KeyError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
            self._users[role] = ROLES[role]()
        return self._users[role]

    def client(self, role: str) -> BenchClient:
        if role not in self._clients:
            user = self.user(role)
            client = BenchClient(HTTP_HOST=self.host)
            if role in TOKEN_ROLES:
                from knox.models import AuthToken

                instance, token = AuthToken.objects.create(user=user)
                self._tokens.append(instance.pk)
                client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
            else:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            self._clients[role] = client
        return self._clients[role]

    def memo(self, key, compute: Callable):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def close(self) -> None:
        """Remove the API tokens made for the run (sessions simply expire)."""
        if self._tokens:
            from knox.models import AuthToken

            AuthToken.objects.filter(pk__in=self._tokens).delete()
            self._tokens = []


# --------------------------------------------------------------------------- measuring


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (with 10 runs, p95 is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


_READ_ONLY = re.compile(r"^\s*(\(?\s*SELECT|WITH)\b", re.IGNORECASE)
#: ``QuerySet.iterator()`` runs through a server-side cursor, logged as its DECLARE.
_DECLARE = re.compile(
    r"^\s*DECLARE\s+\S+\s+(?:NO\s+)?SCROLL\s+CURSOR\s+WITH(?:OUT)?\s+HOLD\s+FOR\s+", re.I
)


def time_sql(sql: str, runs: int) -> list[float]:
    """Seconds of ``runs`` executions of ``sql`` (rows fetched), after one unmeasured."""
    times = []
    with connection.cursor() as cursor:
        for index in range(runs + 1):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            if index:
                times.append(time.perf_counter() - started)
    return times


def bare_sql(queries: Iterable[dict], runs: int) -> tuple[str, list[float], float]:
    """(the slowest SELECT, its timings, the sum of every SELECT's median) of a page."""
    statements = (_DECLARE.sub("", q["sql"], count=1) for q in queries)
    selects = [sql for sql in statements if _READ_ONLY.match(sql)]
    if not selects:
        return "", [], 0.0
    medians = [(statistics.median(time_sql(sql, 3)), sql) for sql in selects]
    slowest = max(medians)[1]
    return slowest, time_sql(slowest, runs), sum(m for m, _sql in medians)


def _peak_rss_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux ≥ 4.0)
        return True
    except OSError:
        return False


def _rss_kb(field_name: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Runner:
    def __init__(self, *, runs: int = 10, warmup: int = 2, say: Callable[[str], None] = print):
        self.runs, self.warmup, self.say = runs, warmup, say
        self.ctx = Context(say)

    # ---------------------------------------------------------------- one request

    def _request(self, case: Case, target: str, data):
        client = self.ctx.client(case.role)
        headers = {
            f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (case.headers or {}).items()
        }
        if case.method == "GET":
            response = client.get(target, data or None, **headers)
        elif case.json:
            response = client.post(target, data, content_type="application/json", **headers)
        else:
            response = client.post(target, data, **headers)
        size = _read(response)
        if response.status_code != case.expect:
            raise AssertionError(
                f"{case.name}: {case.method} {target} answered {response.status_code}, "
                f"expected {case.expect}"
            )
        return response.status_code, size

    def _page(self, case: Case, result: Result, runs: int) -> None:
        ctx = self.ctx
        target = case.path(ctx) if callable(case.path) else case.path
        result.target = target
        if case.prime:
            _read(ctx.client(case.role).get(case.prime))
        data = case.data(ctx) if callable(case.data) else case.data
        for _ in range(self.warmup):
            self._request(case, target, data)
        # One more, untimed, recording its SQL (a slice of the connection's log, which the
        # next request's ``request_started`` clears: copied at once).
        if callable(case.data):
            data = case.data(ctx)
        with CaptureQueriesContext(connection) as captured:
            result.status, size = self._request(case, target, data)
        queries = list(captured.captured_queries)
        result.queries = len(queries)
        result.extra["bytes"] = size
        times = []
        for _ in range(runs):
            if callable(case.data):  # fresh input per run (e.g. unique references)
                data = case.data(ctx)
            started = time.perf_counter()
            self._request(case, target, data)
            times.append(time.perf_counter() - started)
        self._stats(result, times)
        if case.method == "GET":
            sql, sql_times, all_sql = bare_sql(queries, runs)
            if sql:
                result.main_sql = sql
                result.main_sql_ms = _ms(statistics.median(sql_times))
                result.all_sql_ms = _ms(all_sql)
                result.ratio = round(result.p50_ms / max(result.main_sql_ms, 0.01), 1)
        if case.memory:
            result.extra.update(self._memory(case, target, data))

    def _memory(self, case: Case, target: str, data) -> dict:
        before = _rss_kb("VmRSS")
        reset = _peak_rss_reset()
        tracemalloc.start()
        try:
            self._request(case, target, data)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        found = {"python_peak_mb": round(peak / 2**20, 1)}
        if reset and before is not None:
            found["rss_peak_growth_mb"] = round((_rss_kb("VmHWM") - before) / 1024, 1)
        return found

    # ---------------------------------------------------------------- one job

    def _job(self, case: Case, result: Result, runs: int) -> None:
        result.target = getattr(case.run, "__name__", "job")
        times, outcome = [], None
        for index in range(self.warmup + runs):
            with transaction.atomic():
                started = time.perf_counter()
                outcome = case.run(self.ctx)
                elapsed = time.perf_counter() - started
                transaction.set_rollback(True)
            if index >= self.warmup:
                times.append(elapsed)
        self._stats(result, times)
        if isinstance(outcome, dict):
            result.extra.update(outcome)

    # ---------------------------------------------------------------- all

    @staticmethod
    def _stats(result: Result, times: list[float]) -> None:
        result.runs = len(times)
        result.p50_ms = _ms(statistics.median(times))
        result.p95_ms = _ms(percentile(times, 95))
        result.min_ms, result.max_ms = _ms(min(times)), _ms(max(times))

    def measure(self, case: Case) -> Result:
        runs = case.runs or self.runs
        result = Result(name=case.name, role=case.role, target="", budget_ms=case.budget_ms)
        try:
            if case.run is not None:
                self._job(case, result, runs)
            else:
                self._page(case, result, runs)
        except Exception as exc:  # a failing case is reported, the others still run
            result.error = f"{type(exc).__name__}: {exc}"
            result.ok = False
            return result
        if case.describe is not None:
            result.extra.update(case.describe(self.ctx))
        verdicts = []
        if case.budget_ms is not None:
            verdicts.append(result.p95_ms <= case.budget_ms)
        if case.ratio and result.ratio is not None:
            verdicts.append(result.ratio <= MAX_RATIO)
        result.ok = all(verdicts) if verdicts else None
        return result

    def run(self, cases: list[Case]) -> list[Result]:
        results = []
        with override_settings(DEBUG=False):
            try:
                for case in cases:
                    result = self.measure(case)
                    results.append(result)
                    self.say(format_row(result))
            finally:
                self.ctx.close()
        return results


# --------------------------------------------------------------------------- discovery


def collect() -> tuple[list[Case], list[Callable]]:
    """Every installed app's ``bench.CASES`` and ``bench.facts``, in app order."""
    cases, facts = [], []
    for module in discover("bench"):
        cases.extend(getattr(module, "CASES", ()))
        if callable(getattr(module, "facts", None)):
            facts.append(module.facts)
    return cases, facts


def select(cases: list[Case], only: list[str] | None, roles: list[str] | None) -> list[Case]:
    chosen = [c for c in cases if not only or any(word in c.name for word in only)]
    return [c for c in chosen if not roles or c.role in roles]


# --------------------------------------------------------------------------- report

HEADER = (
    f"{'case':<34} {'role':<9} {'p50 ms':>8} {'p95 ms':>8} {'q':>3} "
    f"{'SQL ms':>8} {'ratio':>6} {'all SQL':>8} {'budget':>7}  ok"
)


def _num(value, width, digits=1) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'–':>{width}}"


def format_row(r: Result) -> str:
    if r.error:
        return f"{r.name:<34} {r.role:<9} ERROR {r.error}"
    mark = {True: "✓", False: "✗", None: " "}[r.ok]
    line = (
        f"{r.name:<34} {r.role:<9} {_num(r.p50_ms, 8)} {_num(r.p95_ms, 8)} "
        f"{r.queries if r.queries is not None else '–':>3} {_num(r.main_sql_ms, 8)} "
        f"{_num(r.ratio, 6)} {_num(r.all_sql_ms, 8)} {_num(r.budget_ms, 7, 0)}  {mark}"
    )
    extra = {k: v for k, v in r.extra.items() if k != "bytes"}
    if extra:
        line += "  " + ", ".join(f"{k}={v}" for k, v in extra.items())
    return line


def _md(value, digits=0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def markdown_table(results: list[Result]) -> str:
    """The results as the Markdown table of ``docs/performance.md``."""
    lines = [
        "| case | role | p50 | p95 | q | SQL | ratio | ok | notes |",
        "|---|---|---:|---:|---:|---:|---:|:-:|---|",
    ]
    for r in results:
        mark = {True: "✓", False: "✗", None: ""}[r.ok]
        notes = r.error or ", ".join(f"{k} {v}" for k, v in r.extra.items() if k not in ("bytes",))
        lines.append(
            f"| {r.name} | {r.role} | {_md(r.p50_ms)} | {_md(r.p95_ms)} | "
            f"{'–' if r.queries is None else r.queries} | {_md(r.main_sql_ms)} | "
            f"{_md(r.ratio, 1)} | {mark} | {notes} |"
        )
    return "\n".join(lines) + "\n"


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=settings.BASE_DIR,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def environment(facts: list[Callable], ctx: Context) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    db = connection.settings_dict
    info = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": version.split(" on ")[0],
        "database": db["NAME"],
        "conn_max_age": db.get("CONN_MAX_AGE"),
        "conn_health_checks": db.get("CONN_HEALTH_CHECKS"),
    }
    for fact in facts:
        info.update(fact(ctx))
    return info


def write_json(path: Path, meta: dict, results: list[Result], options: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "options": options, "results": [asdict(r) for r in results]}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def default_json_path() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "var" / "bench" / f"benchmark-{stamp}.json"


# --------------------------------------------------------------------------- command


def add_harness_arguments(parser) -> None:
    """The options of ``manage.py benchmark`` without a job name."""
    group = parser.add_argument_group("benchmark cases (no job name)")
    group.add_argument("--runs", type=int, default=10, help="timed runs per case (default 10)")
    group.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    group.add_argument(
        "--only", action="append", help="cases whose name contains this (repeatable)"
    )
    group.add_argument("--role", action="append", help="only the cases of this role (repeatable)")
    group.add_argument("--json", help="where to write the JSON (default var/bench/…)")
    group.add_argument("--list", action="store_true", help="list the cases and exit")
    group.add_argument("--markdown", help="also write the results as a Markdown table to this file")
    group.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a case misses its target"
    )


def run_harness(
    command, *, runs, warmup, only, role, json, list, strict, markdown=None, **_options
) -> None:
    from django.core.management.base import CommandError

    say = command.stdout.write
    cases, facts = collect()
    cases = select(cases, only, role)
    if list:
        for case in cases:
            say(f"{case.name:<34} {case.role:<9} {case.method} {case.note}")
        return
    if not cases:
        raise CommandError("No benchmark case matches.")
    if runs < 1 or warmup < 1:
        raise CommandError("--runs and --warmup must be at least 1.")
    if settings.DEBUG:
        say(
            "Note: settings.DEBUG is on; the cases run with DEBUG off, but middleware set up "
            "from DEBUG at start-up (WhiteNoise autorefresh) stays as configured. "
            "Use DJANGO_DEBUG=0 for figures like production's."
        )
    runner = Runner(runs=runs, warmup=warmup, say=say)
    meta = environment(facts, runner.ctx)
    say(
        "Benchmark on "
        + ", ".join(f"{k}={v}" for k, v in meta.items() if k not in ("at", "host"))
        + f"\n{len(cases)} cases, {warmup} warm-up + {runs} timed runs each; "
        "p50/p95 of the whole request through the WSGI app; SQL = the page's slowest SELECT "
        "run alone; ratio = page p50 ÷ SQL p50.\n"
    )
    say(HEADER)
    say("-" * len(HEADER))
    results = runner.run(cases)
    meta["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    path = Path(json) if json else default_json_path()
    write_json(path, meta, results, {"runs": runs, "warmup": warmup, "only": only, "role": role})
    if markdown:
        Path(markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(markdown).write_text(markdown_table(results), encoding="utf-8")
    missed = [r for r in results if r.ok is False]
    say(
        f"\n{len(results)} cases, {len(missed)} missed their target "
        f"(p95 ≤ budget, page ≤ {MAX_RATIO:g}× its SQL). JSON: {path}"
    )
    if strict and missed:
        raise CommandError(f"{len(missed)} case(s) missed their target.")
