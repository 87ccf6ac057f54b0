"""modal run modal_eval.py --stages=baseline,sft,grpo --adapters=sft=/data/models/sft/<id>/final,grpo=/data/models/grpo/<id>/final"""

from modal_app import app, evaluate, launch


@app.local_entrypoint()
def run_eval(
    stages: str = "baseline",
    adapters: str = "",
    split: str = "eval",
    num_trees: int = 4,
    dataset: str = "data/synthetic.cases.jsonl",
    base_model: str = "",
    max_cases: int = 0,
    run_id: str = "",
    gpu: str = "",
    judge: str = "",
):
    """--judge=openrouter:<model> adds the LLM judge to match coverage (key: the `openrouter` secret)."""
    launch(evaluate, "eval", **locals())  # every flag is a job config field, under its own name
