"""modal run modal_sft.py --num-epochs=1 --lora-rank=8   (from training/; dataset from scripts/generate_candidate_data.py)"""

from modal_app import app, launch, sft


@app.local_entrypoint()
def run_sft(
    num_epochs: float = 1.0,
    lora_rank: int = 16,
    dataset: str = "data/synthetic.cases.jsonl",
    base_model: str = "",
    max_steps: int = -1,
    learning_rate: float = 2e-4,
    run_id: str = "",
    gpu: str = "",
):
    launch(sft, "sft", **locals(), lora_alpha=2 * lora_rank)  # every flag is a job config field, under its own name
