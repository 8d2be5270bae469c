#!/usr/bin/env bash
# Render a .docx to PDF and PNG pages for a human look (LibreOffice headless + poppler).
#
#   scripts/render_docx.sh plan.docx [outdir]      -> outdir/plan.pdf, outdir/plan-1.png, ...
#
# Needs: apt-get install -y libreoffice-writer poppler-utils fonts-noto-cjk
# The 公文 fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体) are usually not installed on Linux;
# LibreOffice then substitutes a CJK font (Noto), so check layout, sizes and margins, not faces.
set -euo pipefail
docx="${1:?usage: render_docx.sh FILE.docx [OUTDIR]}"
out="${2:-$(dirname "$docx")}"
[ -f "$docx" ] || { echo "render_docx: no such file: $docx" >&2; exit 2; }
soffice="$(command -v soffice || command -v libreoffice || true)"
[ -n "$soffice" ] || { echo "render_docx: LibreOffice not installed (apt-get install -y libreoffice-writer)" >&2; exit 2; }
command -v pdftoppm >/dev/null || { echo "render_docx: pdftoppm not installed (apt-get install -y poppler-utils)" >&2; exit 2; }
mkdir -p "$out"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# a throwaway LibreOffice profile: no interference with a running instance or the user's settings
"$soffice" -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$out" "$docx" >/dev/null
name="$(basename "${docx%.*}")"
pdftoppm -r "${DPI:-80}" -png "$out/$name.pdf" "$out/$name"
ls -1 "$out/$name".pdf "$out/$name"-*.png
