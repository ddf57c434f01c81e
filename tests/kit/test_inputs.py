"""--deployment-input: how each format reads a file, and what a bad file says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conformance._inputs import InputError, read_input

BODIES = {
    "chat": {"messages": [{"role": "user", "content": "Hi"}], "temperature": 0.2},
    "completions": {"prompt": "Once upon a time", "max_tokens": 5},
    "inputs": {"inputs": {"x1": [1.0, 2.0], "x2": [0.5, 4.0]}},
    "instances": {"instances": [{"x1": 1.0, "x2": 0.5}]},
    "dataframe_split": {"dataframe_split": {"columns": ["x1"], "data": [[1.0]]}},
    "dataframe_records": {"dataframe_records": [{"x1": 1.0}], "params": {"k": 1}},
}


def _file(folder: Path, name: str, content: Any) -> str:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_auto_hands_a_json_object_over_as_the_dict_it_is(tmp_path: Path, kind: str) -> None:
    assert read_input(_file(tmp_path, "body.json", BODIES[kind])) == BODIES[kind]


def test_auto_reads_records_and_csv_as_dataframes(tmp_path: Path) -> None:
    records = read_input(_file(tmp_path, "rows.json", [{"x1": 1.0, "x2": 2.0}]))
    table = read_input(_file(tmp_path, "rows.csv", "x1,x2\n1.0,2.0\n"))
    for frame in (records, table):
        assert isinstance(frame, pd.DataFrame)
        assert frame.to_dict(orient="records") == [{"x1": 1.0, "x2": 2.0}]


def test_dataframe_reads_an_object_as_mlflow_deployments_predict_does(tmp_path: Path) -> None:
    path = _file(tmp_path, "columns.json", {"x1": [1.0, 2.0], "x2": [3.0, 4.0]})
    frame = read_input(path, "dataframe")
    assert isinstance(frame, pd.DataFrame)
    assert frame.equals(pd.read_json(path))


def test_json_hands_over_any_value_as_parsed(tmp_path: Path) -> None:
    assert read_input(_file(tmp_path, "list.json", [1, "two", None]), "json") == [1, "two", None]


@pytest.mark.parametrize(
    ("content", "input_format", "says"),
    [
        (None, "auto", "no file at"),
        ("{not json", "auto", "is not valid JSON"),
        ("{not json", "json", "is not valid JSON"),
        ("3", "dataframe", "--deployment-input-format=json"),
        ("{}", "yaml", "unknown format 'yaml'"),
    ],
)
def test_a_bad_file_or_format_raises_input_error_saying_what_to_do(
    tmp_path: Path, content: str | None, input_format: str, says: str
) -> None:
    path = str(tmp_path / "absent.json") if content is None else _file(tmp_path, "x.json", content)
    with pytest.raises(InputError, match=says.replace("(", r"\(")):
        read_input(path, input_format)


def test_an_undecodable_file_raises_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"text": "caf\xe9"}')
    with pytest.raises(InputError, match="cannot read"):
        read_input(str(path))


def test_the_run_inputs_say_whether_the_sample_input_is_the_kits_own(
    pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    import threading

    from conformance._inputs import default_input
    from conformance._profile import Profile
    from conformance._run_inputs import RunInputs

    kits = RunInputs(pytestconfig, Profile(target="memory"), threading.RLock())
    given_file = _file(tmp_path, "body.json", BODIES["inputs"])
    users = RunInputs(pytestconfig, Profile(target="memory", input=given_file), threading.RLock())

    assert kits.input_is_default is True
    pd.testing.assert_frame_equal(kits.sample_input(), default_input())
    assert users.input_is_default is False
    assert users.sample_input() == BODIES["inputs"]
