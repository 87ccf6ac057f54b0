"""The forecast service's OpenAI-compatible chat completions, over real HTTP on loopback, on the tiny base (the
child-process Server of test_serve.py): OpenAI's answer shape, greedy answers, the max_tokens cap, the same auth and
request checks as the forecast, and that a json_schema response_format is taken but not enforced."""

import pytest

from test_serve import Server

ASK = {
    "model": "whatever/the-agent-says",  # not a served version: arm A answers, and says which it is
    "messages": [
        {"role": "system", "content": "You propose seed events. Answer only with the JSON object of the schema."},
        {"role": "user", "content": "Domain: Economy.\nPropose 2 distinct seed events."},
    ],
    "response_format": {"type": "json_schema", "json_schema": {"name": "seeds", "strict": True, "schema": {}}},
    "provider": {"require_parameters": True},  # OpenRouter's extension: ignored, like any unknown field
    "temperature": 0,
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("chat") / "serve.db", "--max_chat_tokens=8", "--burst=1000", "--rate=1000")
    yield s
    s.stop()


def chat(s, **over):
    r = s.post("/v1/chat/completions", {**ASK, **over})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_chat_completion_has_openai_shape_and_the_service_cap_bounds_it(served):
    s = served
    body = chat(s, max_tokens=4000)  # what the Brainstormer asks: cut to max_chat_tokens
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert isinstance(body["created"], int) and body["model"] == s.models[0]
    [choice] = body["choices"]
    assert choice["index"] == 0 and choice["message"]["role"] == "assistant"
    assert isinstance(choice["message"]["content"], str) and choice["finish_reason"] in ("stop", "length")
    u = body["usage"]
    assert u["prompt_tokens"] > 20 and 1 <= u["completion_tokens"] <= 8 and u["cost"] == 0
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
    if choice["finish_reason"] == "length":
        assert u["completion_tokens"] == 8
    # greedy at temperature 0 (and when absent): the same answer again
    assert chat(s, max_tokens=4000)["choices"] == body["choices"]
    assert chat(s, temperature=None, max_tokens=None)["choices"] == body["choices"]


def test_max_tokens_is_honoured(served):
    s = served
    long = chat(s, max_tokens=8)
    short = chat(s, max_completion_tokens=3, max_tokens=8)  # the newer name wins, as in OpenAI's API
    assert short["usage"]["completion_tokens"] <= 3
    if short["choices"][0]["finish_reason"] == "length":
        assert short["usage"]["completion_tokens"] == 3
    assert long["choices"][0]["message"]["content"].startswith(short["choices"][0]["message"]["content"])
    assert short["usage"]["prompt_tokens"] == long["usage"]["prompt_tokens"]
    sampled = chat(s, max_tokens=5, temperature=1.5)
    assert 1 <= sampled["usage"]["completion_tokens"] <= 5


def test_chat_needs_the_token_and_refuses_bad_requests_with_a_reason(served):
    s = served
    chat(s, max_tokens=1)
    before = s.client.get("/healthz").json()
    for headers, reason in (({"Authorization": ""}, "missing"), ({"Authorization": "Bearer wrong"}, "wrong")):
        r = s.client.post("/v1/chat/completions", json=ASK, headers=headers)
        assert r.status_code == 401 and reason in r.json()["error"] and "WWW-Authenticate" in r.headers
    cases = [
        (dict(content=b'{"messages": [', headers={"Content-Type": "application/json"}), 400, "malformed"),
        (dict(json={"model": "x"}), 422, "messages"),
        (dict(json={**ASK, "messages": [{"role": "tool", "content": "x"}]}), 422, "messages/0"),
        (dict(json={**ASK, "max_tokens": 0}), 422, "max_tokens"),
        (dict(json={**ASK, "temperature": 9}), 422, "temperature"),
        (dict(json={**ASK, "stream": True}), 422, "stream"),
        (dict(json=[1]), 422, "object"),
        (dict(content=b"x" * 100_000, headers={"Content-Type": "application/json"}), 413, "max_body_bytes"),
    ]
    for kw, status, reason in cases:
        r = s.client.post("/v1/chat/completions", **kw)
        assert r.status_code == status and reason in r.json()["error"], (kw.get("json"), r.status_code, r.text)
    text = s.client.get("/metrics").text
    assert 'psychohistory_requests_total{method="POST",path="/v1/chat/completions",status="200"}' in text
    assert 'psychohistory_requests_total{method="POST",path="/v1/chat/completions",status="401"} 2' in text
    after = s.client.get("/healthz").json()
    assert after["forecasts"] == before["forecasts"] == 0  # completions are not forecasts: nothing recorded
