import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from closedloop.org import demo


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo organisation: 7 regions, ~30 stores, the default "
        "departments and people of every role, all with one demo password, and a few "
        "hundred issues over the last six months. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="if the demo is already loaded, change nothing and only print the logins",
        )
        parser.add_argument(
            "--issues",
            type=int,
            default=320,
            help="how many demo issues to generate over the last six months (default 320)",
        )

    def handle(self, *args, if_empty=False, issues=320, **options):
        if if_empty and demo.is_loaded():
            self.stdout.write(_("演示数据已存在，未做修改。"))
        else:
            org = demo.load_org()
            self.stdout.write(
                self.style.SUCCESS(
                    _("演示数据已加载：%(r)d 个区域、%(s)d 家门店、%(d)d 个部门、%(u)d 个用户。")
                    % {
                        "r": len(org.regions),
                        "s": len(org.stores),
                        "d": len(org.departments),
                        "u": len(org.users),
                    }
                )
            )
            from issues.demo import load_issues

            created = load_issues(count=issues) if issues > 0 else 0
            self.stdout.write(_("演示问题：新增 %(n)d 条（已有问题时不再生成）。") % {"n": created})
            from integrations.demo import load_metrics

            readings = load_metrics() if issues > 0 else 0
            self.stdout.write(
                _("演示门店指标：新增 %(n)d 条（已有数据时不再生成）。") % {"n": readings}
            )
        self.print_logins(demo.logins())

    def print_logins(self, logins):
        header = (_("用户名"), _("角色"), _("范围"), _("密码"))
        rows = [(x.username, x.role, x.scope, x.password) for x in logins]
        widths = [max(_width(str(row[i])) for row in [header, *rows]) for i in range(4)]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            line = "  ".join(_pad(str(cell), widths[i]) for i, cell in enumerate(row))
            self.stdout.write(line.rstrip())
