"""Cross-file facts: what several rule families need to know about the project as a whole.

Each module here derives one kind of fact from parsed documents (the Python code's routes,
imports and Settings fields; the merged compose stack; build contexts) and computes it once
per project run. A fact the code makes too dynamic to know statically is reported as unknown,
and the rules that need it stay silent rather than guess. Facts never read files themselves:
they ask the Project for documents, so the fixer's overlay and the parse-once cache apply.
"""
