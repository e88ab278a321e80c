"""PDFs of .docx documents through LibreOffice (`soffice --headless --convert-to pdf`).

The report's PDF is the .docx as an office suite prints it — the same tables, chart and paragraph the
college edits — rather than a second layout of the same content in HTML kept in step by hand. Each
conversion gets its own LibreOffice profile directory so that two conversions at once (two
downloads, a test next to a dashboard) do not lock each other out. Nothing is fetched.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

SOFFICE_ENV = "DANGJIAN_SOFFICE"
TIMEOUT_SECONDS = 180


def soffice_path() -> str:
    found = os.environ.get(SOFFICE_ENV) or shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise FileNotFoundError(
            "未找到 LibreOffice（soffice），无法把报告转成 PDF（Word 版已生成）。请安装 Debian 的 "
            f"libreoffice-writer 软件包，或用环境变量 {SOFFICE_ENV} 指明 soffice 程序的位置。"
        )
    return found


def docx_to_pdf(documents: Sequence[Path], out_dir: Path) -> list[Path]:
    """Convert each .docx to `out_dir`/<same name>.pdf in one LibreOffice run; returns the PDFs.
    RuntimeError (Chinese) when LibreOffice fails or leaves a PDF out."""
    if not documents:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dangjian-soffice-") as profile:
        done = subprocess.run(
            [
                soffice_path(),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                *[str(d) for d in documents],
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env={**os.environ, "HOME": profile},
        )
    pdfs = [out_dir / f"{Path(d).stem}.pdf" for d in documents]
    missing = [p.name for p in pdfs if not p.is_file()]
    if done.returncode != 0 or missing:
        raise RuntimeError(
            f"LibreOffice 转换 PDF 失败（{', '.join(missing) or '返回码 ' + str(done.returncode)}）："
            f"{(done.stderr or done.stdout).strip()[-500:]}"
        )
    return pdfs
