"""Records fixtures. The decisions tests' `sitting` and `steps` (tests/decisions/conftest.py) are made available
here too."""

import pytest

from tests.decisions.conftest import sitting, steps  # noqa: F401  (fixtures)
from tests.records.helpers import FullCase, build_full_case


@pytest.fixture
def full_case(sitting, steps) -> FullCase:  # noqa: F811  (the fixtures imported above)
    return build_full_case(sitting, steps)
