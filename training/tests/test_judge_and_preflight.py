"""The LLM judge (off by default) against a local OpenAI-compatible stand-in, and Modal's secret preflight."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from psychohistory import evaluate, metrics


class Judge(BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Judge.seen.append((self.path, self.headers["Authorization"], body))
        text = body["messages"][0]["content"]
        same = "Rates rise" in text and "Interest rates go up" in text
        out = json.dumps({"choices": [{"message": {"content": "Yes." if same else "No"}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


def test_judge_is_off_by_default_and_asks_an_openai_compatible_endpoint(monkeypatch):
    assert evaluate.make_judge("") is None
    server = HTTPServer(("127.0.0.1", 0), Judge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("OPENROUTER_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
        monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")
        judge = evaluate.make_judge("openrouter:some/model")
        assert metrics.match_kind("Rates rise", "Interest rates go up", judge)[0] == "llm"
        assert metrics.match_kind("Snow falls", "Interest rates go up", judge)[0] == "none"
        path, auth, body = Judge.seen[0]
        assert path == "/v1/chat/completions" and auth == "Bearer sk-test" and body["model"] == "some/model"
    finally:
        server.shutdown()


def test_judge_needs_its_key(monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(RuntimeError, match="modal secret|`openrouter` secret"):
        evaluate.make_judge("openrouter:m")
    with pytest.raises(ValueError, match="use openrouter:<model>"):
        evaluate.make_judge("gpt4")


def test_missing_modal_secret_says_how_to_create_it(monkeypatch):
    import modal
    import modal_app

    class Missing:
        def hydrate(self):
            raise modal.exception.NotFoundError("Secret 'huggingface-secret' not found")

    monkeypatch.setattr(modal.Secret, "from_name", staticmethod(lambda name: Missing()))
    with pytest.raises(SystemExit, match=r"`modal secret create huggingface-secret HF_TOKEN=hf_\.\.\.`"):
        modal_app.preflight()


def test_modal_launch_stops_on_bad_data_before_any_remote_call(tmp_path):
    import modal_app
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"seed": {"event": "x", "date": "2020-01-01"}, "levels": [{"depth": 2, "candidates": []}]}\n')

    class Fn:
        def remote(self, cfg):
            raise AssertionError("no GPU call for a bad dataset")

    with pytest.raises(SystemExit, match="bad.jsonl line 1"):
        modal_app.launch(Fn(), "sft", str(bad))
