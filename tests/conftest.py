import numpy as np
import pytest

import autograd_kit as ak


@pytest.fixture(autouse=True)
def _seeded():
    ak.manual_seed(0)
    yield
