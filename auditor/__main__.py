"""`python -m auditor` runs the mami-audit command line."""

from auditor.cli import entry_point

if __name__ == "__main__":
    entry_point()
