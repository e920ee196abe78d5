"""`python -m auditor` runs the mami-audit command line."""

from auditor.cli import main

if __name__ == "__main__":
    main()
