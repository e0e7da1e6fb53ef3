"""Every test: the shared helpers in tests/support get pytest's assertion messages, as test modules do."""

import pytest

pytest.register_assert_rewrite("tests.support")
