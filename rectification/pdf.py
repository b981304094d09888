"""The printable kick-off form (整改项目启动表) as PDF, laid out like the source's tool 1:
基本信息, 问题分析 (level, symptoms, the 5-Why chain, root causes), 整改方案 (goals,
measures), 时间计划, 跟踪计划, 验收标准, 签字确认. WeasyPrint with the Noto CJK fonts."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from .choices import Level, SignRole, TrackingMethod

EXECUTION_OPTIONS = (1, 2, 3)
OBSERVATION_OPTIONS = (7, 14, 30)


def _days(a, b):
    return (b - a).days + 1 if a and b else None


def kickoff_context(project) -> dict:
    signoffs = {s.role: s for s in project.signoffs.all()}
    methods = set(project.tracking_methods)
    return {
        "project": project,
        "levels": [(level, level.value == project.level) for level in Level],
        "symptoms": list(project.symptoms.all()),
        "whys": list(project.whys.all()),
        "root_causes": list(project.root_causes.all()),
        "goals": list(project.goals.all()),
        "measures": list(project.measures.all()),
        "execution_days": _days(project.execution_from, project.execution_to),
        "observation_days": _days(project.observation_from, project.observation_to),
        "execution_options": [(n, n == project.execution_every_days) for n in EXECUTION_OPTIONS],
        "execution_custom": project.execution_every_days not in EXECUTION_OPTIONS,
        "observation_options": [
            (n, n == project.observation_every_days) for n in OBSERVATION_OPTIONS
        ],
        "observation_custom": project.observation_every_days not in OBSERVATION_OPTIONS,
        "methods": [(m, m.value in methods) for m in TrackingMethod],
        "signatures": [(role, signoffs.get(role.value)) for role in SignRole],
        "printed_at": timezone.localtime(),
    }


def kickoff_html(project) -> str:
    return render_to_string("rectification/kickoff_pdf.html", kickoff_context(project))


def kickoff_pdf(project) -> bytes:
    """The PDF bytes. Nothing is fetched: the template carries its own styles."""
    from weasyprint import HTML

    return HTML(string=kickoff_html(project)).write_pdf()


# --- 整改验收评分表 (tool 3) ----------------------------------------------------------------


def scorecard_context(project, acceptance) -> dict:
    """The scorecard laid out like tool 3: each rubric with its bands ticked (☑) where
    the score lies, each core goal with its achievement rate and band, the feedback bands,
    total, rating and conclusion, the two signatures."""
    from . import scoring
    from .acceptance_views import PROCESS_ROWS, SUSTAINABILITY_RUBRIC
    from .choices import Conclusion, GoalBand, Rating, RubricBand

    def rubric(score, texts):
        band = scoring.rubric_band(score)
        return [
            {
                "label": RubricBand(b.code).label,
                "range": b.range_label,
                "text": gettext(texts[i]) if texts else "",
                "on": band is not None and band.code == b.code,
            }
            for i, b in enumerate(scoring.RUBRIC)
        ]

    goal_lines = list(acceptance.goals.all())
    count = max(len(goal_lines), 1)
    bands = scoring.goal_bands(count)
    goals = [
        {
            "line": line,
            "rate": f"{(line.achievement_rate * 100).quantize(scoring.ONE_DECIMAL).normalize():f}",
            "bands": [
                {"label": GoalBand(b.code).label, "range": b.range_label, "on": b.code == line.band}
                for b in bands
            ],
        }
        for line in goal_lines
    ]
    satisfaction = scoring.satisfaction_band(acceptance.satisfaction_value)
    interviews = scoring.interview_band(
        acceptance.interviews_positive,
        acceptance.interviews_neutral,
        acceptance.interviews_negative,
    )
    share = scoring.interview_share(
        acceptance.interviews_positive,
        acceptance.interviews_neutral,
        acceptance.interviews_negative,
    )
    return {
        "project": project,
        "a": acceptance,
        "process": [
            {
                "label": gettext(label),
                "score": getattr(acceptance, name),
                "rubric": rubric(getattr(acceptance, name), texts),
            }
            for name, label, texts in PROCESS_ROWS
        ],
        "goals": goals,
        "goals_total": sum((line.score for line in goal_lines), scoring.Decimal(0)),
        "satisfaction_on": satisfaction.code if satisfaction else None,
        "interviews_on": interviews.code if interviews else None,
        "interview_share": scoring.percent(share),
        "sustainability": rubric(acceptance.sustainability_score, SUSTAINABILITY_RUBRIC),
        "ratings": [(r, r.value == acceptance.rating) for r in Rating],
        "conclusions": [(c, c.value == acceptance.conclusion) for c in Conclusion],
        "printed_at": timezone.localtime(),
    }


def scorecard_html(project, acceptance) -> str:
    return render_to_string(
        "rectification/scorecard_pdf.html", scorecard_context(project, acceptance)
    )


def scorecard_pdf(project, acceptance) -> bytes:
    from weasyprint import HTML

    return HTML(string=scorecard_html(project, acceptance)).write_pdf()


# --- the closure checklist (闭环确认检查表, tool 4) -------------------------------------------


def closure_context(project, result) -> dict:
    from .choices import ClosureVerdict, StepState

    return {
        "project": project,
        "result": result,
        "states": list(StepState),
        "verdicts": list(ClosureVerdict),
        "printed_at": timezone.localtime(),
    }


def closure_html(project, result) -> str:
    return render_to_string("rectification/closure_pdf.html", closure_context(project, result))


def closure_pdf(project, result) -> bytes:
    """The checklist laid out like tool 4: the seven steps with ☑/☐ items and their
    blanks filled, each step's 完成度, then 闭环判定 and the checker."""
    from weasyprint import HTML

    return HTML(string=closure_html(project, result)).write_pdf()
