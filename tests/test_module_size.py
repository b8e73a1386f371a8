"""The house keeps its rooms small: no module of the app over 400 lines (issue 13).

A module that grows past it is split by concept (as okrs/models/, okrs/services/,
checkins/views/ were), not by size. Migrations and tests are not counted."""

from tests.helpers import ROOT

LIMIT = 400
FOLDERS = ("config", "core", "teams", "okrs", "checkins", "dashboard", "bench", "scripts")


def test_no_module_of_the_app_is_over_400_lines():
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for folder in FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert len(sizes) > 50  # the folders were found
    assert {name: lines for name, lines in sizes.items() if lines > LIMIT} == {}
