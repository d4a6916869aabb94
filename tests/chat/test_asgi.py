"""The ASGI assembly and the policy that lets pages open the chat's sockets."""

from cohortnet.settings import _websocket_sources


def test_pages_may_open_sockets_to_their_own_hosts_only(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    (connect,) = [part.strip() for part in policy.split(";") if part.strip().startswith("connect-src")]
    assert connect.startswith("connect-src 'self' ")
    assert "ws://127.0.0.1:*" in connect
    assert "*" not in connect.replace(":*", "")


def test_production_names_wss_on_each_allowed_host_and_no_plain_ws():
    assert _websocket_sources(["cohortnet.example.org", ".example.net", "*", "[::1]"], debug=False) == [
        "wss://cohortnet.example.org",
        "wss://*.example.net",
    ]
    assert _websocket_sources(["localhost"], debug=True) == ["ws://localhost:*", "wss://localhost:*"]


def test_the_asgi_application_routes_pages_and_sockets():
    from cohortnet.asgi import application

    assert set(application.application_mapping) == {"http", "websocket"}
