"""make bench's chat fan-out at a tiny size: both servers start in production mode, every socket gets every message.

The same code as the 200-socket run (bench/chat_fanout.py), with 5 sockets and 2 messages,
on the test database and REDIS_URL.
"""

import json
import os

import pytest

from bench import chat_fanout
from chat.models import ChatMessage


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_chat_fan_out_benchmark_times_every_delivery_to_every_socket(settings, tmp_path):
    settings.SECRET_KEY = "chat-bench-test-" + "k" * 60  # production mode refuses the development key
    result = chat_fanout.measure(clients=5, messages=2, rounds=2, redis_url=os.environ["REDIS_URL"], logs=tmp_path)

    for name in (chat_fanout.OURS, chat_fanout.BASELINE):
        figures = result[name]
        assert (figures["deliveries"], figures["lost"], figures["unexpected_frames"]) == (10, 0, 0), figures
        assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"] < 30_000
    assert result["ratio_p50"] > 0
    assert result["ratio_p99"] > 0
    # Both warm-up posts and both measured ones went through the room's consumer into the database, once each:
    # messages 1-2 warm the baseline, 3-4 ours, then each round sends one to the baseline and one to ours.
    bodies = list(ChatMessage.objects.order_by("pk").values_list("body", flat=True))
    assert bodies == [f"Fan-out check fanout-{n}-end" for n in (3, 4, 6, 8)]
    assert result["stored_in_room"] == result["expected_stored"] == 4


def test_the_results_join_the_latest_ones_and_replace_an_earlier_chat_section(tmp_path):
    (tmp_path / "latest.md").write_text("| page | req/s S |\n| --- | --- |\n| baseline | 826 |\n")
    (tmp_path / "latest.json").write_text(json.dumps({"pages": {"baseline": 1}}))
    figures = {"p50_ms": 2.0, "p99_ms": 3.0, "max_ms": 4.0, "deliveries": 10, "lost": 0}
    result = {
        "clients": 5, "messages": 2, chat_fanout.OURS: figures, chat_fanout.BASELINE: figures,
        "ratio_p50": 0.5, "ratio_p99": 0.25,
    }  # fmt: skip

    chat_fanout.write(result, tmp_path)
    chat_fanout.write(result, tmp_path)

    text = (tmp_path / "latest.md").read_text()
    assert text.startswith("| page | req/s S |\n| --- | --- |\n| baseline | 826 |\n\nChat fan-out: 5 sockets")
    assert text.count("Chat fan-out:") == 1
    assert f"| {chat_fanout.OURS} | 2.0 | 3.0 | 4.0 | 10 | 0 | 0.5 | 0.25 |" in text
    assert json.loads((tmp_path / "latest.json").read_text()) == {"pages": {"baseline": 1}, "chat_fanout": result}
    assert json.loads((tmp_path / "chat_fanout.json").read_text()) == result
