"""Helpers shared by the concurrency tests."""

import threading

from django.db import connection


def race(items, action) -> list[Exception]:
    """Run ``action(item)`` for every item in its own thread, all released at once. Returns the errors."""
    items = list(items)
    barrier = threading.Barrier(len(items))
    errors: list[Exception] = []

    def run(item):
        try:
            barrier.wait(timeout=10)
            action(item)
        except Exception as exc:  # noqa: BLE001 -- returned to the caller, who asserts on them
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
