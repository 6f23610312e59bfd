"""The incident fixtures: promoted files need an incident to belong to."""

from tests.incidents.conftest import facebook, file_report  # noqa: F401
