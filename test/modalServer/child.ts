// The Modal stand-in (server.ts) in a process of its own, driven over Node's IPC channel: the end-to-end
// suite runs on Node 24 with type stripping, which cannot load the stand-in's TypeScript, so it starts this
// file with tsx (`node --import tsx test/modalServer/child.ts`, cwd = the repository root) and scripts the
// deployed app through messages (childProtocol.ts). The app is `psychohistory` with the functions the
// extension calls; sft, grpo, evaluate and generate do nothing until the test says what they emit and
// return; read_run serves each run's record as training/modal_app.py does, from what the test emitted.
import type { Picklable } from './pickle';
import { FakeModalServer } from './server';
import type { StandInCall, StandInReady, StandInReply, StandInRequest } from './childProtocol';

const APP = 'psychohistory';
const QUEUE = 'psychohistory-events';

interface RunRecordText {
  text: string;
  ended: boolean;
}

const records = new Map<string, RunRecordText>();
const recordOf = (runId: string): RunRecordText => {
  let record = records.get(runId);
  if (!record) records.set(runId, (record = { text: '', ended: false }));
  return record;
};

const server = new FakeModalServer({
  tokenId: process.env['MODAL_TOKEN_ID'] ?? 'ak-e2e',
  tokenSecret: process.env['MODAL_TOKEN_SECRET'] ?? 'as-e2e',
});
for (const fn of ['sft', 'grpo', 'evaluate', 'generate']) server.deploy(APP, fn);
// training/psychohistory/events.py read_record: whole lines from a byte offset; done once the run has ended.
server.deploy(APP, 'read_run', (args) => {
  const request = (args[0] ?? {}) as { run_id?: unknown; offset?: unknown };
  const record = recordOf(String(request.run_id ?? ''));
  const bytes = Buffer.from(record.text, 'utf8');
  const offset = Math.max(0, Math.min(Number(request.offset ?? 0), bytes.length));
  const lines = bytes.subarray(offset).toString('utf8').split('\n').slice(0, -1);
  return { lines, next_offset: bytes.length, done: record.ended };
});

function calls(): StandInCall[] {
  return [...server.functionCalls.values()].map((call) => {
    const { dataset_text: text, ...config } = (call.args[0] ?? {}) as Record<string, unknown>;
    return {
      id: call.id,
      config,
      datasetBytes: typeof text === 'string' ? Buffer.byteLength(text) : 0,
      ...(call.gpu ? { gpu: call.gpu } : {}),
      cancelled: call.cancelled,
      ended: call.outcome !== undefined,
    };
  });
}

function emit(runId: string, events: unknown[]): void {
  const record = recordOf(runId);
  const seq = record.text === '' ? 0 : record.text.split('\n').length - 1;
  const offset = Buffer.byteLength(record.text);
  record.text += events.map((e) => `${JSON.stringify(e)}\n`).join('');
  const last = events.at(-1) as { type?: unknown; state?: unknown } | undefined;
  if (last?.type === 'status' && ['succeeded', 'failed', 'cancelled'].includes(String(last.state))) record.ended = true;
  const batch = { seq, offset, end: Buffer.byteLength(record.text), events } as unknown as Picklable;
  if (!server.putQueueItem(QUEUE, runId, batch)) throw new Error(`queue partition ${runId} is full`);
}

function handle(request: StandInRequest): unknown {
  switch (request.op) {
    case 'calls':
      return calls();
    case 'emit':
      return emit(request.runId, request.events);
    case 'complete':
      return server.complete(request.callId, request.result);
    case 'log':
      return server.log(request.callId, request.data);
  }
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('child.ts runs as a child process with an IPC channel');
  const url = await server.start();
  process.on('message', (message: StandInRequest) => {
    let reply: StandInReply;
    try {
      reply = { id: message.id, ok: true, value: handle(message) };
    } catch (err) {
      reply = { id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    process.send?.(reply);
  });
  // The parent going away (its IPC channel closing) ends the stand-in.
  process.on('disconnect', () => {
    void server.stop().finally(() => process.exit(0));
  });
  const ready: StandInReady = { type: 'ready', url, ...server.credentials };
  process.send(ready);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
