"""The old name of the export module (split into text.py, gbt9704.py and the package's export()).

Import from `ghplan.writer.export` instead; this alias stays only while
tests/test_bad_input_matrix.py still imports `to_docx_bytes` from here.
"""
from ghplan.writer.export import check_out_path, classify, export, to_docx_bytes, to_markdown, to_txt

__all__ = ["check_out_path", "classify", "export", "to_docx_bytes", "to_markdown", "to_txt"]
