"""The local runner's embedded Redis: a second start finds the one already running on this
checkout's socket and uses it, rather than starting another server on the same files."""

import shutil

import pytest

from nrm_panel import local


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    """A var/ of this test's own; BASE_DIR too, so a socket path too long for tmp_path falls back
    to a folder of this test's own rather than the real checkout's."""
    monkeypatch.setattr(local, "VAR_DIR", tmp_path / "var")
    monkeypatch.setattr(local, "BASE_DIR", tmp_path)
    yield tmp_path / "var"
    socket_folder = local._redis_socket_path().parent
    if not socket_folder.is_relative_to(tmp_path):
        shutil.rmtree(socket_folder, ignore_errors=True)


def test_second_start_redis_reuses_the_running_server(var_dir):
    started = []
    try:
        process, url = local.start_redis()
        started.append(process)
        assert process is not None and process.poll() is None
        assert url == f"unix://{local._redis_socket_path()}"

        again, same_url = local.start_redis()
        started.append(again)

        assert again is None
        assert same_url == url
        assert process.poll() is None
        assert local._redis_answers(local._redis_socket_path())
    finally:
        for running in started:
            if running is not None:
                local.stop(running)
