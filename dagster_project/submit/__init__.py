"""报送: colleges check and submit their own files (preview.py, guards.py, log.py, commands.py)."""
