"""Fixtures the applications tests share."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def staff(client):
    """A signed-in superuser with a name, as staff appear in histories and messages."""
    user = UserFactory(is_staff=True, is_superuser=True, name="Ada Lovelace")
    client.force_login(user)
    return user
