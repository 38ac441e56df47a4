"""dlcourse.browser's set-up: the system's Chromium when there is one, else an install
(Debian's package as root, else Playwright's download), else a message saying what to do."""

import subprocess

import pytest

from dlcourse import browser


@pytest.fixture
def no_browser(monkeypatch):
    """A machine with no Chrome/Chromium on PATH or in the usual folders."""
    monkeypatch.delenv("DLCOURSE_BROWSER", raising=False)
    monkeypatch.setattr(browser.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(browser, "INSTALLED_PATHS", [])


def test_dlcourse_browser_names_a_missing_program(monkeypatch):
    monkeypatch.setenv("DLCOURSE_BROWSER", "/nowhere/chrome")
    with pytest.raises(browser.BrowserMissing, match="/nowhere/chrome"):
        browser.find_browser()


def test_the_systems_browser_is_used_without_installing(monkeypatch):
    monkeypatch.delenv("DLCOURSE_BROWSER", raising=False)
    monkeypatch.setattr(browser.shutil, "which", lambda name: "/opt/bin/chromium" if name == "chromium" else None)
    monkeypatch.setattr(browser.subprocess, "run", lambda *a, **k: pytest.fail("installed a browser"))
    assert browser.ensure_browser() == "/opt/bin/chromium"


def test_root_on_debian_installs_the_chromium_package(no_browser, monkeypatch):
    commands = []

    def run(command, **kwargs):
        commands.append(command)
        if command[:2] == ["apt-get", "install"]:
            monkeypatch.setattr(browser, "INSTALLED_PATHS", [__file__])  # now there is one
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(browser.sys, "platform", "linux")
    monkeypatch.setattr(browser.os, "geteuid", lambda: 0)
    monkeypatch.setattr(browser.subprocess, "run", run)
    assert browser.ensure_browser(say=lambda line: None) == __file__
    assert [c[:2] for c in commands] == [["apt-get", "update"], ["apt-get", "install"]] and "chromium" in commands[1]


def test_a_user_offline_is_told_what_to_install(no_browser, monkeypatch):
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(browser, "playwright_has_chromium", lambda: False)
    monkeypatch.setattr(browser.subprocess, "run", lambda command, **k: subprocess.CompletedProcess(command, 1))
    with pytest.raises(browser.BrowserMissing, match="sudo apt install chromium"):
        browser.ensure_browser(say=lambda line: None)
