#!/usr/bin/env bash
# Installs the system packages the project drives for real: Debian's chromium (browser
# tests; never `playwright install`), PostgreSQL 15 (the SQL layer's Postgres run),
# Tesseract with its English model (OCR of scanned PDFs and images), pandoc (.rtf .odt
# .epub) and headless LibreOffice (.doc .ppt .xls, converted to their OOXML successors).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
[ -n "$(find /usr/share/tesseract-ocr -name eng.traineddata 2>/dev/null)" ] || need+=(tesseract-ocr-eng)
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
[ -x /usr/lib/libreoffice/program/soffice ] || need+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "missing system packages: ${need[*]} (run as root, or: sudo apt-get install -y ${need[*]})" >&2
  exit 0
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
