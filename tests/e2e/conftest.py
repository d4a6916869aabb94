# Migration data for transactional tests is restored by tests/conftest.py.
