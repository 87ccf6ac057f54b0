// The OpenRouter stand-in in a process of its own, for end-to-end sessions (Node 24's type stripping
// cannot load the stand-in's TypeScript, so e2e/harness starts this under tsx): it answers from the
// scripted world, sends `{"type": "ready", "baseURL"}` over IPC once listening, logs each request
// (model, schema, outcome) to stdout, and stops on SIGTERM or when its parent goes.
import { OpenRouterStandIn } from './server';
import { World } from './world';

const standIn = new OpenRouterStandIn({
  apiKey: process.env.OPENROUTER_STAND_IN_KEY ?? 'sk-or-e2e',
  respond: new World().respond,
});
void standIn.start().then((baseURL) => {
  process.send?.({ type: 'ready', baseURL });
  console.log(`OpenRouter stand-in listening at ${baseURL}`);
});
let logged = 0;
const timer = setInterval(() => {
  for (const r of standIn.requests.slice(logged))
    console.log(`${r.body.model} ${r.body.response_format?.json_schema?.name ?? '-'} ${r.outcome}`);
  logged = standIn.requests.length;
}, 500);
const stop = (): void => {
  clearInterval(timer);
  void standIn.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
