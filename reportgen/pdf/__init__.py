"""PDF: HTML → tagged PDF/UA (or PDF/A-3b) with WeasyPrint, reading only what it may."""
