"""Cross-file facts: what several rule families need to know about the project as a whole.

Each module here derives one kind of fact from parsed documents (the Python code's routes,
imports and Settings fields; the merged compose stack; build contexts) and computes it once
per project run. A fact the code makes too dynamic to know statically is reported as unknown,
and the rules that need it stay silent rather than guess. Facts never read files themselves:
they ask the Project for documents, so the fixer's overlay and the parse-once cache apply.

The Python facts (each `f(project)` is computed once per Project; see each module's docstring):

- `facts.python_code.python_code(project)`: the app package's parsed modules, names resolved
  through imports (`qualified`, `canonical`), first-party names.
- `facts.settings.settings_facts(project)`: the pydantic Settings class (`primary`), its fields,
  types, defaults, `model_config` / v1 `class Config`, `env_file`, methods; `UNKNOWN` values.
- `facts.routes.route_facts(project)`: routes with method and full path, mounts, `serves(path)`.
- `facts.imports.imported_modules(project)`: the modules the app imports (file, line,
  conditional, TYPE_CHECKING), split into first-party, stdlib and third-party.
- `facts.imports.entry_point(project, "module:attr" | "module")`: does a uvicorn target or a
  `python -m` module exist here; `entry_points_in_code(project)` lists those the code names.
- `facts.cache.project_fact(project, name, compute)`: the per-project cache the others use.

The compose facts (`facts.compose`, see its docstring):

- `stacks_of(project)`: every compose stack (folder, "default" or a variant such as "prod",
  its files), its services merged as Compose merges them (`Service.ports()`, `.mounts()`,
  `.environment()`, `.depends_on()`, `.networks()`, `.healthcheck_test()`, `.build()`,
  `.command_words()`), top-level sections and problems; every value a `Node` with the file,
  line and column it comes from.
- `compose_build_context(project, dockerfile)`: the build context compose builds a
  Dockerfile with, when there is exactly one.
- `schema_problems(project, path)`, `file_tree(project, path)`: one file against the
  compose-spec schema; one file as Nodes, interpolated.
"""
