"""modal run modal_grpo.py --adapter=/data/models/sft/<run_id>/final --num-generations=4 --beta=0.04"""

from modal_app import app, grpo, launch


@app.local_entrypoint()
def run_grpo(
    adapter: str = "",
    num_epochs: float = 1.0,
    lora_rank: int = 4,
    num_generations: int = 4,
    beta: float = 0.04,
    dataset: str = "data/synthetic.cases.jsonl",
    base_model: str = "",
    max_steps: int = -1,
    run_id: str = "",
    gpu: str = "",
):
    launch(grpo, "grpo", **locals(), lora_alpha=2 * lora_rank)  # every flag is a job config field, under its own name
