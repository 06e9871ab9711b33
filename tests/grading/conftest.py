"""Fixtures of the grading tests (builders in grading_fixtures.py)."""
import pytest

from grading_fixtures import source_notebook, write_nb


@pytest.fixture(scope="session")
def adv_source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adv-source")
    write_nb(folder / "adv.ipynb", source_notebook())
    return folder
