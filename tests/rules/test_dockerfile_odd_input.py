"""Odd Dockerfiles never make a DF rule raise: half-written commands, empty flags, broken
quoting, instructions without FROM. (check_files raises RuleFailed when a rule raises.)"""

from __future__ import annotations

import pytest

from auditor.testing import check_files

ODD = [
    "FROM a\nRUN\n",
    "FROM a\nRUN --mount= echo\n",
    "FROM a\nRUN --mount=type=cache echo\n",
    "FROM a\nCOPY --from= a b\n",
    "FROM a\nEXPOSE 80/tcp/x -1 abc 1-2-3 ''\n",
    "FROM --platform= a\n",
    "FROM a\nWORKDIR ''\n",
    'FROM a\nWORKDIR "rel dir"\n',
    "FROM a\nRUN wget\nRUN curl\n",
    "FROM a\nRUN apt\n",
    "FROM a\nRUN apk add\n",
    "FROM a\nRUN pip install\n",
    "FROM a\nRUN npm install -g\n",
    "FROM a\nRUN yarn cache\n",
    "FROM a\nRUN ln -s\n",
    "FROM a\nRUN cd\n",
    "FROM a\nRUN sudo\n",
    "RUN echo 'unterminated\n",
    "LABEL a=b\n",
    "FROM a\nHEALTHCHECK CMD '[\"x\"\n",
    "FROM a\nHEALTHCHECK CMD exec x\n",
    "FROM a\nHEALTHCHECK CMD x || exit 1 ; y\n",
    "FROM a\nCOPY <<EOF /x\nhi\nEOF\n",
    "FROM a AS b\nCOPY --from=B x y\n",
    "# escape=`\nFROM a\nRUN pip install `\n  x\n",
    "FROM a\nRUN PIP_NO_CACHE_DIR= pip install x\n",
    "FROM a\nRUN apt-get install -q=abc x\n",
    "FROM a\nONBUILD RUN cd /x\n",
    'FROM a\nRUN ["pip", "install", "x"]\n',
]


@pytest.mark.parametrize("text", ODD)
def test_no_rule_raises(text: str) -> None:
    check_files({"Dockerfile": text}, select=["DF", "AU"])
