import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from closedloop.core import registry
from closedloop.org import demo


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo organisation: 7 regions, ~30 stores, the default "
        "departments and people of every role, all with one demo password, then each "
        "app's demo data (its ``demo.py``). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="if the demo is already loaded, change nothing and only print the logins",
        )
        for module in registry.discover("demo"):
            if hasattr(module, "add_demo_arguments"):
                module.add_demo_arguments(parser)

    def handle(self, *args, if_empty=False, **options):
        if if_empty and demo.is_loaded():
            self.stdout.write(_("演示数据已存在，未做修改。"))
        else:
            steps = [m for m in registry.discover("demo") if hasattr(m, "load_demo")]
            for module in sorted(steps, key=lambda m: getattr(m, "DEMO_ORDER", 100)):
                message = module.load_demo(options)
                if message:
                    self.stdout.write(self.style.SUCCESS(message))
        self.print_logins(demo.logins())

    def print_logins(self, logins):
        header = (_("用户名"), _("角色"), _("范围"), _("密码"))
        rows = [(x.username, x.role, x.scope, x.password) for x in logins]
        widths = [max(_width(str(row[i])) for row in [header, *rows]) for i in range(4)]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            line = "  ".join(_pad(str(cell), widths[i]) for i, cell in enumerate(row))
            self.stdout.write(line.rstrip())
