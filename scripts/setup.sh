#!/usr/bin/env bash
# Set up everything the dashboard needs: .venv, and Debian's chromium, LibreOffice Writer
# and fonts for chart images and the PDF note; with --dev, also the test libraries.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Нужен Python 3.11 или новее (команда $python)." >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
requirements=requirements.txt
[ "$dev" = 1 ] && requirements=requirements-dev.txt
stamp=.venv/.installed-$(cat "$requirements" requirements.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
    echo "Устанавливаю библиотеки Python из $requirements…"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --progress-bar on -r "$requirements"
    touch "$stamp"
fi

# What the product's features need from the system, on every setup (not only --dev):
# chromium renders chart images (kaleido) and runs the browser tests, LibreOffice Writer
# turns the analytic note into PDF, poppler-utils (pdftotext, pdftoppm) lets the tests read
# that PDF's pages as a person does, the fonts carry Cyrillic in all of them. Debian packages only;
# a browser is never downloaded at run time. apt's own progress stays visible: on a slow
# connection this step takes minutes.
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null 2>&1 || packages+=(poppler-utils)
[ -d /usr/share/fonts/truetype/dejavu ] || packages+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation ] || packages+=(fonts-liberation)
# The tests also start the deployment of scripts/serve.sh, nginx in front of replicas.
[ "$dev" = 1 ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && packages+=(nginx)
# and render the meeting deck to pages with LibreOffice Impress, as a room sees it
# (tests/documents/test_deck_rendered.py; about 15 MB, seconds to install).
[ "$dev" = 1 ] && [ ! -f /usr/lib/libreoffice/share/registry/impress.xcd ] \
    && packages+=(libreoffice-impress-nogui)
if [ "${#packages[@]}" -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        echo "Устанавливаю системные пакеты: ${packages[*]} (диаграммы в PNG/SVG и справка в PDF)."
        echo "Это может занять несколько минут."
        $sudo apt-get update
        if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends \
            "${packages[@]}"; then
            echo "Не удалось установить ${packages[*]}: панель запустится, но без того, что" \
                "им нужно (страницы скажут, чего нет)." >&2
        fi
    else
        echo "Нет apt-get: установите вручную ${packages[*]} — без них не будет изображений" \
            "диаграмм и справки в PDF (страницы скажут, чего нет)." >&2
    fi
fi

# The browser tests' accessibility check (tests/browser/test_browser_axe.py) runs axe-core
# from the npm registry (package.json); without Node.js that test is skipped and says so.
if [ "$dev" = 1 ] && [ ! -f node_modules/axe-core/axe.min.js ]; then
    if command -v npm >/dev/null 2>&1; then
        npm install --no-audit --no-fund || echo "Не удалось установить axe-core." >&2
    else
        echo "Нет npm: проверка доступности (axe-core) в тестах браузера будет пропущена." >&2
    fi
fi
