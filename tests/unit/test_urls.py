import pytest

from quizapp.urls import local_path


@pytest.mark.parametrize("target, expected", [
    ("/study/", "/study/"),
    ("/quiz/3/1?x=1", "/quiz/3/1?x=1"),
    (None, "/"),
    ("", "/"),
    ("https://evil.example/", "/"),
    ("//evil.example", "/"),
    ("/\t/evil.example", "/"),  # Werkzeug drops the tab: it would become //evil.example
    ("/\n/evil.example", "/"),
    ("/\\evil.example", "/"),
    ("evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_only_local_paths_are_followed(target, expected):
    assert local_path(target, "/") == expected
