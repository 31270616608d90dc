#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the dashboard's browser test
# (tests/test_web_browser.py drives /usr/bin/chromium through Playwright; Playwright
# downloads no browser of its own). Does nothing when chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: /usr/bin/chromium is missing and apt-get is not available;" \
         "install chromium by hand (the browser test is skipped without it)" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_chromium: not root and no sudo: install chromium by hand" \
             "(apt-get install chromium); the browser test is skipped without it" >&2
        exit 0
    fi
fi
echo "ensure_chromium: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
test -x /usr/bin/chromium
