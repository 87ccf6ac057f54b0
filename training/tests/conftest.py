import sys
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TRAINING))


@pytest.fixture(scope="session")
def small_cases():
    from psychohistory import synthetic

    return synthetic.generate(synthetic.SyntheticConfig(n_cases=60, seed=11))
