"""The cache's key prefix follows the release: a changed template or module is a new prefix (cohortnet/release.py)."""

from django.core.cache import caches
from django.test import override_settings

from cohortnet.release import code_version
from cohortnet.settings import BASE_DIR, redis_cache


def _project(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>{{ name }}</p>")
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / "__init__.py").write_text("")
    (tmp_path / "cohorts" / "views.py").write_text("X = 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / ".venv").mkdir()
    return tmp_path


def test_a_changed_template_or_module_is_a_new_version_and_tests_or_notes_are_not(tmp_path):
    project = _project(tmp_path)
    first = code_version(project)
    assert len(first) == 12
    assert first == code_version(project)

    (project / "tests" / "test_x.py").write_text("def test(): pass\n")
    (project / ".venv" / "x.py").write_text("Y = 2\n")
    (project / "NOTES.md").write_text("not code")
    assert code_version(project) == first

    (project / "templates" / "page.html").write_text("<p>{{ name }}!</p>")
    second = code_version(project)
    assert second != first
    (project / "cohorts" / "views.py").write_text("X = 2\n")
    assert code_version(project) not in {first, second}


def test_a_file_moved_between_folders_is_a_new_version(tmp_path):
    project = _project(tmp_path)
    before = code_version(project)
    (project / "templates" / "page.html").rename(project / "templates" / "other.html")
    assert code_version(project) != before


def test_the_redis_cache_prefixes_every_key_with_this_releases_version():
    settings = redis_cache("redis://127.0.0.1:6379/0")
    assert settings["KEY_PREFIX"] == code_version(BASE_DIR)
    with override_settings(CACHES={"default": settings}):
        key = caches.create_connection("default").make_key("call_page")
    assert key == f"{code_version(BASE_DIR)}:1:call_page"
