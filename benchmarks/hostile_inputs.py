"""Hostile inputs, generated at run time: the shapes that once took time growing faster than
their size (issue 8, case 13). The stress tests and `bench_parsing.py` both use them, so the
repository carries the recipes, not megabytes of files.

Each recipe takes a size in bytes (roughly: the text is at least that long) and returns
(relative path, text). The path names the document kind that reads it.
"""

from __future__ import annotations

from collections.abc import Callable

Recipe = Callable[[int], tuple[str, str]]

HEAD = "FROM python:3.11-slim\n"


def long_word(size: int) -> tuple[str, str]:
    """One word of `size` letters in a RUN (quadratic in a tokenizer that re-scans)."""
    return "Dockerfile", f"{HEAD}RUN echo {'a' * size}\n"


def continuation_lines(size: int) -> tuple[str, str]:
    """One RUN continued over many short lines."""
    lines = max(1, size // 20)
    body = "".join("    && echo x \\\n" for _ in range(lines))
    return "Dockerfile", f"{HEAD}RUN true \\\n{body}    && true\n"


def many_heredocs(size: int) -> tuple[str, str]:
    """Many heredocs opened on one RUN, each with its own body."""
    count = max(1, size // 30)
    opening = " ".join(f"<<E{n}" for n in range(count))
    bodies = "".join(f"echo {n}\nE{n}\n" for n in range(count))
    return "Dockerfile", f"{HEAD}RUN {opening}\n{bodies}"


def long_env_value(size: int) -> tuple[str, str]:
    return "Dockerfile", f"{HEAD}ENV X={'a' * size}\n"


def repeated_commands(size: int) -> tuple[str, str]:
    """`useradd` many times over on one RUN line."""
    count = max(1, size // 12)
    return "Dockerfile", f"{HEAD}RUN {'useradd ' * count}\n"


def repeated_run_lines(size: int) -> tuple[str, str]:
    """`RUN useradd` many times over, one RUN per line: a rule's per-stage look-up done once
    per RUN walks the whole stage again each time."""
    count = max(1, size // 12)
    return "Dockerfile", HEAD + "RUN useradd \n" * count


def apt_dash_flags(size: int) -> tuple[str, str]:
    """`apt-get install -yyyy...`: one flag word of `size` letters."""
    return "Dockerfile", f"{HEAD}RUN apt-get install -{'y' * size}\n"


def spaced_directive(size: int) -> tuple[str, str]:
    """A directive-like first line with a long run of spaces (regex backtracking)."""
    return "Dockerfile", f"# syntax=a{' ' * size}b\n{HEAD}"


def many_instructions(size: int) -> tuple[str, str]:
    """A plain but large Dockerfile: many ordinary instructions and stages."""
    block = (
        "FROM python:3.11-slim AS s{n}\n"
        "ENV PYTHONUNBUFFERED=1 A{n}=b\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "COPY requirements.txt /app/\n"
        "RUN pip install --no-cache-dir -r /app/requirements.txt\n"
        "# a comment\n"
        "USER mami\n"
        'CMD ["python", "app.py"]\n'
    )
    count = max(1, size // len(block.format(n=0)))
    return "Dockerfile", "".join(block.format(n=n) for n in range(count))


def ignore_stars(size: int) -> tuple[str, str]:
    """A .dockerignore line of many `*` then a letter (backtracking in a regex matcher)."""
    return ".dockerignore", "*" * size + "b\n"


def ignore_many_patterns(size: int) -> tuple[str, str]:
    lines = max(1, size // 16)
    return ".dockerignore", "".join(f"dir{n}/**/*.py\n" for n in range(lines))


RECIPES: dict[str, Recipe] = {
    "long-word": long_word,
    "continuation-lines": continuation_lines,
    "many-heredocs": many_heredocs,
    "long-env-value": long_env_value,
    "repeated-commands": repeated_commands,
    "repeated-run-lines": repeated_run_lines,
    "apt-dash-flags": apt_dash_flags,
    "spaced-directive": spaced_directive,
    "many-instructions": many_instructions,
    "ignore-stars": ignore_stars,
    "ignore-many-patterns": ignore_many_patterns,
}


def repeated_installs(size: int) -> tuple[str, str]:
    """`pip install` and `apt-get install` many times over in one RUN: every match of a
    command in the text must not rescan the text before it."""
    count = max(1, size // 50)
    body = " && ".join("pip install x && apt-get install -y y" for _ in range(count))
    return "Dockerfile", f"{HEAD}RUN {body}\n"


RECIPES["repeated-installs"] = repeated_installs


# -- the other document kinds: large and odd shapes of each ------------------------------------
# One recipe or more per kind, so bench_parsing.py prints MB/s for every kind the rules read.


def compose_many_services(size: int) -> tuple[str, str]:
    """A compose file of many services, each with the keys the compose rules read."""
    block = (
        "  svc{n}:\n"
        "    build: ./svc{n}\n"
        "    image: example/svc{n}:1.0\n"
        "    ports:\n"
        '      - "{port}:8000"\n'
        "    environment:\n"
        "      DATABASE_URL: postgres://db/app{n}\n"
        "      LOG_LEVEL: info\n"
        "    depends_on:\n"
        "      - svc{previous}\n"
        "    healthcheck:\n"
        '      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n'
        "    volumes:\n"
        "      - data{n}:/data\n"
    )
    count = max(1, size // len(block.format(n=0, port=10000, previous=0)))
    services = "".join(
        block.format(n=n, port=10000 + n % 50000, previous=max(0, n - 1)) for n in range(count)
    )
    volumes = "".join(f"  data{n}:\n" for n in range(count))
    return "docker-compose.yml", f"services:\n{services}volumes:\n{volumes}"


def compose_long_command(size: int) -> tuple[str, str]:
    """One service whose command and one environment value are very long."""
    half = max(1, size // 2)
    return "compose.yaml", (
        "services:\n  api:\n    image: python:3.11-slim\n"
        f"    command: sh -c \"{'echo a && ' * (half // 10)}true\"\n"
        f"    environment:\n      LONG: {'x' * half}\n"
    )


def compose_deep_nesting(size: int) -> tuple[str, str]:
    """An extension field nested deeper than any parser's recursion (as flow lists)."""
    depth = max(1, size // 2)
    return "compose.yaml", (
        "services:\n  api:\n    image: python:3.11-slim\n" f"x-deep: {'[' * depth}{']' * depth}\n"
    )


def package_json_many_dependencies(size: int) -> tuple[str, str]:
    """A package.json with very many dependencies and scripts."""
    count = max(1, size // 60)
    dependencies = ",\n".join(f'    "package-{n}": "^{n % 20}.{n % 7}.0"' for n in range(count))
    scripts = ",\n".join(f'    "task{n}": "vite build --mode m{n}"' for n in range(count // 4 + 1))
    return "package.json", (
        '{\n  "name": "frontend",\n  "version": "1.0.0",\n'
        f'  "scripts": {{\n{scripts}\n  }},\n'
        f'  "dependencies": {{\n{dependencies}\n  }}\n}}\n'
    )


def package_lock_many_packages(size: int) -> tuple[str, str]:
    """A lockfile v3 of very many packages, each depending on the one before."""
    entry = (
        '    "node_modules/package-{n}": {{\n'
        '      "version": "1.{n}.0",\n'
        '      "resolved": "https://registry.npmjs.org/package-{n}/-/package-{n}-1.{n}.0.tgz",\n'
        '      "integrity": "sha512-{hash}",\n'
        '      "dependencies": {{ "package-{previous}": "^1.0.0" }},\n'
        '      "engines": {{ "node": ">=18" }}\n'
        "    }}"
    )
    hash_text = "A" * 86 + "=="
    count = max(1, size // len(entry.format(n=0, hash=hash_text, previous=0)))
    root_dependencies = ", ".join(f'"package-{n}": "^1.0.0"' for n in range(0, count, 100))
    packages = ",\n".join(
        entry.format(n=n, hash=hash_text, previous=max(0, n - 1)) for n in range(count)
    )
    return "package-lock.json", (
        '{\n  "name": "frontend",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n'
        '  "requires": true,\n  "packages": {\n'
        f'    "": {{ "name": "frontend", "version": "1.0.0", '
        f'"dependencies": {{ {root_dependencies} }} }},\n{packages}\n  }}\n}}\n'
    )


def vite_config_long(size: int) -> tuple[str, str]:
    """A vite config with a huge plugin list of strings, templates and comments before its
    `server` block."""
    item = "  /* plugin */ plugin('a', `t${x}`, { key: 'value' }), // note\n"
    count = max(1, size // len(item))
    return "vite.config.ts", (
        "import { defineConfig } from 'vite'\nconst PORT = 5173\n"
        f"export default defineConfig({{\n plugins: [\n{item * count} ],\n"
        "  server: { port: PORT, host: '0.0.0.0', strictPort: true },\n})\n"
    )


def prometheus_many_jobs(size: int) -> tuple[str, str]:
    block = (
        "  - job_name: job{n}\n"
        "    metrics_path: /metrics\n"
        "    static_configs:\n"
        '      - targets: ["svc{n}:8000"]\n'
    )
    count = max(1, size // len(block.format(n=0)))
    jobs = "".join(block.format(n=n) for n in range(count))
    return "prometheus/prometheus.yml", (
        "global:\n  scrape_interval: 15s\nrule_files:\n  - rules.yml\n" f"scrape_configs:\n{jobs}"
    )


def prometheus_many_rules(size: int) -> tuple[str, str]:
    block = (
        "      - alert: Alert{n}\n"
        '        expr: rate(http_requests_total{{job="svc{n}",status=~"5.."}}[5m]) > 0.1\n'
        "        for: 5m\n"
        "        labels:\n          severity: page\n"
        "        annotations:\n          summary: service {n} fails\n"
    )
    count = max(1, size // len(block.format(n=0)))
    rules = "".join(block.format(n=n) for n in range(count))
    return "prometheus/rules.yml", f"groups:\n  - name: all\n    rules:\n{rules}"


def grafana_many_datasources(size: int) -> tuple[str, str]:
    block = (
        "  - name: Prometheus {n}\n"
        "    type: prometheus\n"
        "    access: proxy\n"
        "    url: http://prometheus{n}:9090\n"
        "    isDefault: false\n"
    )
    count = max(1, size // len(block.format(n=0)))
    sources = "".join(block.format(n=n) for n in range(count))
    return "grafana/provisioning/datasources/datasources.yml", (
        f"apiVersion: 1\ndatasources:\n{sources}"
    )


def requirements_many_markers(size: int) -> tuple[str, str]:
    """Many requirements, with extras, version ranges, markers, hashes and comments."""
    line = (
        "package-{n}[extra]>=1.{n},<3 ; python_version >= '3.9' and sys_platform != 'win32'"
        " --hash=sha256:{hash}  # pinned for {n}\n"
    )
    hash_text = "0" * 64
    count = max(1, size // len(line.format(n=0, hash=hash_text)))
    return "requirements.txt", "".join(line.format(n=n, hash=hash_text) for n in range(count))


def requirements_long_line(size: int) -> tuple[str, str]:
    """One requirement continued over many `\\` lines, then a very long marker."""
    return "requirements.txt", (
        "fastapi==0.115.0 \\\n" + "    --hash=sha256:" + "0" * 64 + " \\\n" * 1
        + "".join("    --hash=sha256:" + "1" * 64 + " \\\n" for _ in range(size // 90))
        + f"    ; python_version >= '{'3' * 100}'\n"
    )


def pyproject_many_dependencies(size: int) -> tuple[str, str]:
    line = '    "package-{n}>=1.{n}; python_version >= \'3.9\'",\n'
    count = max(1, size // len(line.format(n=0)) // 2)
    dependencies = "".join(line.format(n=n) for n in range(count))
    groups = "".join(f'group{n} = ["package-{n}[extra]==1.0"]\n' for n in range(count))
    return "pyproject.toml", (
        '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [\n{dependencies}]\n[project.optional-dependencies]\n{groups}"
    )


def workflow_many_steps(size: int) -> tuple[str, str]:
    step = (
        "      - name: step {n}\n"
        "        uses: actions/checkout@v4\n"
        "        with:\n          fetch-depth: 0\n"
        "      - run: docker build -t app:{n} . && docker push app:{n}\n"
        "        env:\n          TOKEN: ${{{{ secrets.TOKEN }}}}\n"
    )
    count = max(1, size // len(step.format(n=0)))
    steps = "".join(step.format(n=n) for n in range(count))
    return ".github/workflows/docker-build.yml", (
        "name: build\non:\n  push:\n    branches: [main]\npermissions:\n  contents: read\n"
        f"jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
    )


def action_many_steps(size: int) -> tuple[str, str]:
    step = (
        "    - name: step {n}\n"
        "      shell: bash\n"
        "      run: echo ${{{{ inputs.value }}}} && pip install package-{n}\n"
    )
    count = max(1, size // len(step.format(n=0)))
    steps = "".join(step.format(n=n) for n in range(count))
    return "action.yml", (
        "name: setup\ndescription: set up\ninputs:\n  value:\n    description: a value\n"
        f"runs:\n  using: composite\n  steps:\n{steps}"
    )


def python_big_settings(size: int) -> tuple[str, str]:
    """A settings module with very many fields, and a FastAPI app reading them."""
    field = "    field_{n}: str = Field(default='value {n}', description='setting {n}')\n"
    count = max(1, size // len(field.format(n=0)))
    fields = "".join(field.format(n=n) for n in range(count))
    return "app/settings.py", (
        "import logging\nfrom fastapi import FastAPI\nfrom pydantic import Field\n"
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
        "class Settings(BaseSettings):\n"
        "    model_config = SettingsConfigDict(env_file='.env')\n"
        f"{fields}\n\nsettings = Settings()\napp = FastAPI()\n"
        "logging.basicConfig(level=logging.INFO)\n"
    )


def python_long_expression(size: int) -> tuple[str, str]:
    """One very long expression: a sum of many terms, and a long string."""
    terms = max(1, size // 8)
    return "app/main.py", (
        "from fastapi import FastAPI\napp = FastAPI()\n"
        f"TOTAL = {' + '.join('1' for _ in range(terms // 2))}\n"
        f"TEXT = '{'a' * (size // 2)}'\n"
    )


def dotenv_many_keys(size: int) -> tuple[str, str]:
    """A big .env.example: many keys, comments, quoted values over several lines."""
    block = (
        "# setting {n}\n"
        "KEY_{n}=value-{n}\n"
        'QUOTED_{n}="line one\nline two"\n'
        "export EXPORTED_{n}='x'\n"
    )
    count = max(1, size // len(block.format(n=0)))
    return ".env.example", "".join(block.format(n=n) for n in range(count))


def dotenv_long_value(size: int) -> tuple[str, str]:
    """One unclosed quote at the start of a long file (a scanner must not rescan from it)."""
    return ".env.example", 'KEY="' + "x" * size + "\nOTHER=1\n"


RECIPES.update(
    {
        "compose-many-services": compose_many_services,
        "compose-long-command": compose_long_command,
        "compose-deep-nesting": compose_deep_nesting,
        "package-json-many-deps": package_json_many_dependencies,
        "package-lock-many": package_lock_many_packages,
        "vite-config-long": vite_config_long,
        "prometheus-many-jobs": prometheus_many_jobs,
        "prometheus-many-rules": prometheus_many_rules,
        "grafana-many-sources": grafana_many_datasources,
        "requirements-markers": requirements_many_markers,
        "requirements-long-line": requirements_long_line,
        "pyproject-many-deps": pyproject_many_dependencies,
        "workflow-many-steps": workflow_many_steps,
        "action-many-steps": action_many_steps,
        "python-big-settings": python_big_settings,
        "python-long-expression": python_long_expression,
        "dotenv-many-keys": dotenv_many_keys,
        "dotenv-long-value": dotenv_long_value,
    }
)
