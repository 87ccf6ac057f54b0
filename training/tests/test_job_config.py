"""config.py against schemas/job-config.schema.json (the zod source is src/contracts/jobConfig.ts): the same keys,
types, defaults and descriptions per job, and the Modal entry points' flags and base model agree. A drift fails here;
test/unit/jobs/jobConfig.test.ts checks the editor's side against the same file."""

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

from psychohistory import config
from psychohistory.schemas import load

TRAINING = Path(__file__).resolve().parents[1]
SCHEMA = load("job-config")
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def comments(cls) -> dict:
    """The `# …` comment after each field of a config dataclass (in its class, else the base it inherits), by name."""
    lines = [line.strip() for klass in cls.__mro__[:-1] for line in inspect.getsource(klass).splitlines()]
    out = {}
    for f in dataclasses.fields(cls):
        line = next(x for x in lines if x.startswith(f"{f.name}:"))
        out[f.name] = line.split("#", 1)[1].strip()
    return out


@pytest.mark.parametrize("kind", list(config.CONFIGS))
def test_every_key_type_default_and_description_matches_the_schema(kind):
    cls = config.CONFIGS[kind]
    props = SCHEMA["properties"][kind]["properties"]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    assert set(props) == set(fields), (
        f"{kind}: only in the schema {set(props) - set(fields)}, only in config.py {set(fields) - set(props)}"
    )
    notes = comments(cls)
    for name, f in fields.items():
        assert props[name]["type"] == JSON_TYPES[type(f.default)], f"{kind}.{name}: type"
        assert props[name]["default"] == f.default, (
            f"{kind}.{name}: config.py {f.default!r}, schema {props[name]['default']!r}"
        )
        assert props[name]["description"] == notes[name], f"{kind}.{name}: description"
    assert SCHEMA["properties"][kind]["additionalProperties"] is False  # unknown keys refused, as make_config does


def test_the_schema_names_every_job():
    assert set(SCHEMA["properties"]) == {"baseModel", *config.CONFIGS}


def entry_point_flags(path: Path) -> dict:
    """The local entrypoint's parameters of a `modal run` file: name -> (annotation, default)."""
    fn = next(n for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef))
    args = fn.args.args
    defaults = [ast.literal_eval(d) for d in fn.args.defaults]
    return {a.arg: (a.annotation.id, d) for a, d in zip(args[len(args) - len(defaults) :], defaults)}


@pytest.mark.parametrize("path, kind", [("modal_sft.py", "sft"), ("modal_grpo.py", "grpo"), ("modal_eval.py", "eval")])
def test_modal_run_flags_default_as_the_job_does(path, kind):
    """`modal run modal_sft.py --lora-rank=…`: a flag named like a job key defaults to the job's default ("" leaves it
    to the job or the app). `dataset` is the entry point's own: a local file it reads and sends along."""
    props = SCHEMA["properties"][kind]["properties"]
    checked = 0
    for name, (annotation, default) in entry_point_flags(TRAINING / path).items():
        if name == "dataset" or name not in props or default == "":
            continue
        assert JSON_TYPES[{"str": str, "int": int, "float": float, "bool": bool}[annotation]] == props[name]["type"], (
            name
        )
        assert default == props[name]["default"], (
            f"{path} --{name.replace('_', '-')}={default!r}, job default {props[name]['default']!r}"
        )
        checked += 1
    assert checked >= 3


def test_one_default_base_model():
    import modal_app

    assert modal_app.DEFAULT_BASE_MODEL == SCHEMA["properties"]["baseModel"]["default"] == "openai/gpt-oss-20b"
