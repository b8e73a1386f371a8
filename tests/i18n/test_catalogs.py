"""The translation catalogs: every string of the code is in them, translated and not
fuzzy, and the committed .mo files are the .po files compiled (docs/translations.md)."""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
# What makemessages reads: the apps, the templates and the settings (not tests, bench).
SOURCES = [
    "config", "core", "teams", "okrs", "checkins", "dashboard", "api", "webhooks", "templates",
    "manage.py",
]  # fmt: skip


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"GNU gettext's {name} is missing: apt-get install gettext")
        pytest.skip(f"GNU gettext's {name} is not installed")
    return path


def statistics(po: Path) -> str:
    """msgfmt's count, e.g. "1037 translated messages." (fuzzy and untranslated named)."""
    done = subprocess.run(
        [gettext_tool("msgfmt"), "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip()


def entries(po: Path) -> set[tuple[str, str]]:
    """(context, msgid) of every message of a .po file, as msgcat reads it."""
    done = subprocess.run(
        [gettext_tool("msgcat"), "--no-wrap", "--sort-output", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    found, context = set(), ""
    for line in done.stdout.splitlines():
        if line.startswith("msgctxt "):
            context = line[8:]
        elif line.startswith("msgid ") and line != 'msgid ""':
            found.add((context, line[6:]))
            context = ""
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    counts = statistics(BASE / "locale" / language / "LC_MESSAGES" / "django.po")
    assert "fuzzy" not in counts and "untranslated" not in counts, f"{language}: {counts}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_files_are_the_po_files_compiled(language, tmp_path):
    folder = BASE / "locale" / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [gettext_tool("msgfmt"), "-o", str(fresh), str(folder / "django.po")], check=True
    )
    with (folder / "django.mo").open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        ), f"locale/{language}: run `make messages` and commit the .mo files"


@pytest.mark.slow
def test_makemessages_finds_no_new_string(tmp_path):
    """makemessages over a copy of the code finds exactly the catalogs' strings: a string
    marked since (or changed) fails here until `make messages` and its translation."""
    gettext_tool("xgettext")
    for source in SOURCES:
        if (BASE / source).is_dir():
            shutil.copytree(
                BASE / source, tmp_path / source, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(BASE / source, tmp_path / source)
    shutil.copytree(BASE / "locale", tmp_path / "locale")
    subprocess.run(
        [
            str(Path(os.sys.executable)),
            "manage.py",
            "makemessages",
            "--no-obsolete",
            "--no-location",
            *[f"--locale={language}" for language in LANGUAGES],
        ],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        name = Path("locale") / language / "LC_MESSAGES" / "django.po"
        new = entries(tmp_path / name) - entries(BASE / name)
        gone = entries(BASE / name) - entries(tmp_path / name)
        assert not new and not gone, (
            f"{name}: new strings {sorted(new)[:10]}, strings no longer in the code "
            f"{sorted(gone)[:10]}: run `make messages` and translate"
        )
        counts = statistics(tmp_path / name)
        assert "fuzzy" not in counts and "untranslated" not in counts, f"{language}: {counts}"
