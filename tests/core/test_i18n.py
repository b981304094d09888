"""The interface speaks Simplified Chinese by default and English on request, and the
English catalogue is complete.

The msgids in code and templates are the Chinese text; ``locale/en/LC_MESSAGES/django.po``
holds their English. The rendering tests need the compiled catalogue
(``manage.py compilemessages``; ``make`` does it before the tests).
"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
EN_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


# --- a small .po reader (no polib dependency) ------------------------------------------


def read_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags,
    obsolete. The header entry (empty msgid) is left out."""
    entries = []
    entry, field = _new_entry(), None

    def finish():
        if entry["msgid"]:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#"):
            if field is not None:  # a comment after a msgstr starts the next entry
                finish()
                entry, field = _new_entry(), None
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest.strip())
            starts_entry = keyword == "msgctxt" or (keyword == "msgid" and field != "msgctxt")
            if starts_entry and field is not None:
                finish()
                entry = _new_entry()
            field = keyword
            if keyword.startswith("msgstr"):
                entry["msgstr"].append("")
            else:
                entry[keyword] = ""
        entry["obsolete"] = entry["obsolete"] or obsolete
        if field.startswith("msgstr"):
            entry["msgstr"][-1] += value
        else:
            entry[field] += value
    finish()
    return entries


def _new_entry():
    return {
        "msgctxt": None,
        "msgid": "",
        "msgid_plural": None,
        "msgstr": [],
        "flags": set(),
        "obsolete": False,
    }


def _label(entry):
    return repr(entry["msgid"]) + (f" (context {entry['msgctxt']!r})" if entry["msgctxt"] else "")


# --- the catalogue ----------------------------------------------------------------------


def test_the_po_reader_understands_the_format(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "共 %(n)d 家"\nmsgid_plural "共 %(n)d 家"\n'
        'msgstr[0] "%(n)d store"\nmsgstr[1] "%(n)d stores"\n\n'
        '#, fuzzy\nmsgctxt "动作"\nmsgid "关闭"\nmsgstr ""\n"Close "\n"it"\n\n'
        '#~ msgid "旧"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    plural, fuzzy, old = read_po(po)
    assert plural["msgid_plural"] == "共 %(n)d 家"
    assert plural["msgstr"] == ["%(n)d store", "%(n)d stores"]
    assert "python-format" in plural["flags"]
    assert (fuzzy["msgctxt"], fuzzy["msgstr"], fuzzy["flags"]) == ("动作", ["Close it"], {"fuzzy"})
    assert old["obsolete"] and old["msgstr"] == ["old"]


def test_every_english_message_is_translated_and_not_fuzzy():
    entries = [e for e in read_po(EN_PO) if not e["obsolete"]]
    assert len(entries) > 100, "the English catalogue looks empty"
    untranslated = [_label(e) for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [_label(e) for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, "untranslated in locale/en: " + ", ".join(untranslated)
    assert not fuzzy, "fuzzy (needs review) in locale/en: " + ", ".join(fuzzy)


def test_english_translations_keep_the_placeholders():
    wrong = []
    for entry in read_po(EN_PO):
        if entry["obsolete"]:
            continue
        wanted = set(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"]:
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"{entry['msgid']!r} → {text!r}")
    assert not wrong, "placeholders differ: " + "; ".join(wrong)


@pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge")),
    reason="GNU gettext (xgettext, msgmerge) is not installed",
)
def test_the_english_catalogue_covers_every_message_in_the_code(tmp_path):
    """makemessages on a copy of the tree finds no msgid that locale/en lacks."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "var",
            "vendor",
            "staticfiles",
            "test-artifacts",
            "media",
            "node_modules",
            "__pycache__",
            "*.mo",
            ".ruff_cache",
            ".pytest_cache",
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            "--ignore=tests",
            "--verbosity=0",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    known = {(e["msgctxt"], e["msgid"]) for e in read_po(EN_PO) if not e["obsolete"]}
    fresh = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    found = {(e["msgctxt"], e["msgid"]) for e in read_po(fresh)}
    missing = sorted(msgid for ctx, msgid in found - known)
    assert not missing, (
        "new messages without English; run `make messages`, translate them in "
        "locale/en/LC_MESSAGES/django.po and `make compile-messages`: "
        + ", ".join(map(repr, missing))
    )


# --- rendering ---------------------------------------------------------------------------


@pytest.fixture
def compiled_catalogue():
    if not EN_MO.exists() or EN_MO.stat().st_mtime < EN_PO.stat().st_mtime:
        pytest.fail(
            "locale/en/LC_MESSAGES/django.mo is missing or older than django.po: "
            "run `make compile-messages` (or `manage.py compilemessages --ignore=.venv`)"
        )


def _html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_home_is_chinese_by_default(client, cast, compiled_catalogue):
    client.force_login(cast.manager)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert _html_lang(response) == "zh-hans"
    for text in ("可见门店", "我的门店", "退出登录", "界面语言", "店长"):
        assert text in html
    assert "Visible stores" not in html


def test_home_is_english_for_a_user_who_chose_english(client, cast, compiled_catalogue):
    cast.manager.language = "en"
    cast.manager.save(update_fields=["language"])
    client.force_login(cast.manager)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert _html_lang(response) == "en"
    for text in ("Visible stores", "My store", "Sign out", "Language", "Store manager", "Home"):
        assert text in html, text
    for text in ("可见门店", "退出登录", "界面语言"):
        assert text not in html, text
    # The language list shows each language in its own name, whatever the current one.
    assert ">简体中文</option>" in html and ">English</option>" in html


def test_switching_language_through_the_form(client, cast, compiled_catalogue):
    client.force_login(cast.manager)
    response = client.post(
        reverse("org:set_language"), {"language": "en", "next": reverse("org:store_list")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("org:store_list")
    cast.manager.refresh_from_db()
    assert cast.manager.language == "en"
    assert "Code, name or city" in client.get(reverse("org:store_list")).content.decode()

    client.post(reverse("org:set_language"), {"language": "zh-hans"})
    assert "编码、名称或城市" in client.get(reverse("org:store_list")).content.decode()


def test_login_page_is_chinese_by_default(client, db, compiled_catalogue):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert _html_lang(response) == "zh-hans"
    assert "请使用用户名和密码登录" in html and "用户名" in html


@pytest.mark.parametrize(
    "how",
    [
        {"headers": {"accept-language": "en-US,en;q=0.9"}},
        {"cookie": "en"},
    ],
    ids=["accept-language", "language-cookie"],
)
def test_login_page_is_english_when_the_browser_asks(client, db, compiled_catalogue, how):
    if "cookie" in how:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = how["cookie"]
    response = client.get(reverse("login"), headers=how.get("headers", {}))
    html = response.content.decode()
    assert _html_lang(response) == "en"
    for text in ("Sign in", "Sign in with your username and password", "Username", "Password"):
        assert text in html, text
    assert "请使用用户名和密码登录" not in html


def test_a_chinese_browser_gets_chinese(client, db, compiled_catalogue):
    response = client.get(reverse("login"), headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert _html_lang(response) == "zh-hans"
