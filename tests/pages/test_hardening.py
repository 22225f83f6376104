"""Streamlit's own server features, held to the dashboard's rules: no built-in download of
a data grid (it would bypass our exports and hand out the names in the registers), no
cache cleared by any websocket, a short reconnect window, and in local mode no page of
another origin."""

from __future__ import annotations

import streamlit as st
from streamlit import config
from streamlit.proto.NewSession_pb2 import Config
from streamlit.runtime.app_session import AppSession, _populate_config_msg

from tests.apptest import assert_clean, dataframe_with, open_page
from tests.conftest import ROOT
from ui.auth import same_origin


def session_config() -> Config:
    """The configuration Streamlit sends a browser with every new session."""
    message = Config()
    _populate_config_msg(message)
    return message


def test_a_person_table_is_shown_to_a_browser_told_to_offer_no_grid_download(app_db):
    at = open_page("pages/data.py", {"period": "2022/2023"}, timeout=60)
    at.selectbox(key="people_org").set_value(1).run()

    assert_clean(at)
    assert len(dataframe_with(at, "ФИО наставника")) == 4
    assert session_config().disable_data_export is True


def test_the_browser_gets_no_developer_menu():
    assert session_config().toolbar_mode == Config.ToolbarMode.MINIMAL


def test_a_clear_cache_request_leaves_every_cache_as_it_was(app_db):
    open_page("dashboard.py")
    calls: list[int] = []

    @st.cache_data
    def cached(value: int) -> int:
        calls.append(value)
        return value

    cached(1)
    AppSession._handle_clear_cache_request(object())  # type: ignore[arg-type]
    cached(1)

    assert calls == [1]


def test_a_closed_tabs_session_can_be_resumed_for_fifteen_seconds_only():
    assert config.get_option("server.disconnectedSessionTTL") == 15


def test_the_upload_endpoint_takes_no_more_than_the_engines_file_limit():
    assert config.get_option("server.maxUploadSize") == 50


def test_a_page_of_the_dashboards_own_origin_is_same_origin():
    headers = {"Origin": "http://127.0.0.1:8501", "Host": "127.0.0.1:8501"}

    assert same_origin(headers) is True


def test_another_local_servers_page_is_not_same_origin():
    headers = {"Origin": "http://localhost:3000", "Host": "127.0.0.1:8501"}

    assert same_origin(headers) is False


def test_a_client_that_sends_no_origin_is_no_page_of_another_site():
    assert same_origin({"Host": "127.0.0.1:8501"}) is True


def test_the_reverse_proxy_template_closes_the_metrics_and_limits_uploads_as_the_server():
    template = (ROOT / "scripts" / "nginx.conf").read_text(encoding="utf-8")

    assert "location = /_stcore/metrics {\n        return 404;" in template
    assert "limit_req zone=monitoring_upload" in template
    limit = config.get_option("server.maxUploadSize")
    assert f"client_max_body_size {limit}m;" in template


def _locations(template: str) -> dict[str, str]:
    """Each ``location`` of the nginx template: its path and its body."""
    blocks = template.split("    location ")[1:]
    return {b.split("{")[0].strip(): b.split("{")[1].split("}")[0] for b in blocks}


def test_every_proxied_location_of_the_reverse_proxy_sends_the_clients_real_address():
    """nginx drops the server's proxy_set_header in a location that sets its own: a
    websocket location with its own headers once passed neither the port of the Host
    (the Origin check refused the page) nor the client's address (the login backoff)."""
    template = (ROOT / "scripts" / "nginx.conf").read_text(encoding="utf-8")
    server = template.split("server {")[1].split("    location ")[0]

    assert [path for path, body in _locations(template).items() if "proxy_set_header" in body] == []
    assert "proxy_set_header Host $http_host;" in server
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in server
    assert "proxy_set_header X-Real-IP $remote_addr;" in server


def test_the_reverse_proxy_limits_only_uploads_and_the_login_route_never_a_pages_files():
    """A cold page is 80-100 requests: a limit on them left a blank page."""
    template = (ROOT / "scripts" / "nginx.conf").read_text(encoding="utf-8")
    limited = sorted(path for path, body in _locations(template).items() if "limit_req" in body)

    assert limited == [
        "^~ /_login/",
        "^~ /_stcore/upload_file/",
        "^~ /admin/_login/",
        "^~ /admin/_stcore/upload_file/",
    ]
