// A local stand-in for Modal's control plane, for tests: a gRPC server speaking `modal.client.ModalClient`
// from Modal's own api.proto (proto/modal_proto/api.proto, from the `modal` Python package 1.2.6,
// Apache-2.0 — see proto/LICENSE), loaded with @grpc/proto-loader. The real `modal` JS SDK talks to
// it when MODAL_SERVER_URL points here. It implements what the jobs backend uses — auth token,
// function lookup and per-call options, spawn and remote (FunctionMap, retries of internal failures),
// outputs, call lookup and cancel, log streams — with what real use hits first: blobs for large
// arguments and results (blobs.ts), Queues with the real 5,000-item cap and expiry (queues.ts),
// timeouts, init and internal failures. It records every request with its metadata and lets a test
// script the answers. One RPC the SDK needs and that proto lacks (FunctionCallGetInfo) comes from
// proto/supplement.proto.
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { pickle } from './pickle';
import type { Picklable } from './pickle';
import { FakeQueue, QueueFullError, QUEUE_PARTITION_CAP } from './queues';
import { FakeBlobStore } from './blobs';

const STATUS_INIT_FAILURE = 5;
const STATUS_INTERNAL_FAILURE = 6;
const PROTO_DIR = path.join(__dirname, 'proto');
const DATA_FORMAT_CBOR = 4;
const STATUS = { SUCCESS: 1, FAILURE: 2, TERMINATED: 3, TIMEOUT: 4 } as const;

export interface RecordedCall {
  method: string;
  request: Record<string, unknown>;
  metadata: Record<string, string>;
}

export interface FakeFunctionCall {
  id: string;
  functionId: string;
  /** The decoded CBOR payload: [args, kwargs]. */
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** The GPU the call was spawned with (`withOptions({gpu})`), or undefined for the deployment's. */
  gpu?: string;
  outcome?: { status: number; data?: Buffer; exception?: string };
  cancelled: boolean;
  /** How many times the input ran (FunctionRetryInputs adds one). */
  attempts?: number;
}

/** What a deployed function does when called (read_run): its result, or a thrown error for a remote failure. */
export type FakeFunctionBody = (args: unknown[], kwargs: Record<string, unknown>) => unknown;

type Handler = (request: Record<string, unknown>, metadata: Record<string, string>) => Promise<Record<string, unknown>>;

export class FakeModalServer {
  readonly calls: RecordedCall[] = [];
  readonly functionCalls = new Map<string, FakeFunctionCall>();
  /** `${app}/${function}` -> function id; only these are "deployed". */
  private readonly deployed = new Map<string, string>();
  /** Bound function id (FunctionBindParams, i.e. `withOptions(...).instance()`) -> its GPU type. */
  private readonly boundGpu = new Map<string, string>();
  private readonly queues = new Map<string, FakeQueue>();
  /** Function id -> what it runs, for functions that answer by themselves (deploy's `body`). */
  private readonly bodies = new Map<string, FakeFunctionBody>();
  readonly blobs = new FakeBlobStore();
  /** A partition's item cap (Modal: 5,000). */
  queueCap = QUEUE_PARTITION_CAP;
  /** Overrides every partition's TTL (Modal: partition_ttl of the last put, 24 h by default); 0 = expire at once. */
  queueTtlMs: number | undefined;
  /** Results larger than this come back as a blob, as Modal sends results over 2 MiB. */
  outputInlineMaxBytes = 2 * 1024 * 1024;
  /** The server's clock, for expiry. */
  now: () => number = () => Date.now();
  private readonly changed = new EventEmitter();
  private server: grpc.Server | undefined;
  private nextId = 1;
  /** Scripted failures: method name -> errors to throw on its next calls. */
  private readonly failures = new Map<string, { code: grpc.status; details: string; when?: (request: Record<string, unknown>) => boolean }[]>();
  /** Log lines per function call, as the container printed them. */
  private readonly logs = new Map<string, { entryId: string; data: string; fd: number; timestamp: number }[]>();
  /** Cap on a long poll, so tests never wait for the SDK's 30-55 s polls. */
  longPollCapMs = 300;

  constructor(readonly credentials: { tokenId: string; tokenSecret: string } = { tokenId: 'ak-test', tokenSecret: 'as-test' }) {
    this.changed.setMaxListeners(100);
  }

  /** Deploy `app.fn`; with a `body`, each call runs it and ends with its result (or its thrown error). */
  deploy(app: string, fn: string, body?: FakeFunctionBody): string {
    const id = `fu-${this.nextId++}`;
    this.deployed.set(`${app}/${fn}`, id);
    if (body) this.bodies.set(id, body);
    return id;
  }

  /** Make the next `times` calls of `method` fail with a gRPC status (e.g. UNAVAILABLE: a dropped stream). */
  failNext(method: string, code: grpc.status, details: string, times = 1, when?: (request: Record<string, unknown>) => boolean): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push({ code, details, ...(when ? { when } : {}) });
    this.failures.set(method, list);
  }

  /**
   * What a Python function does with `queue.put(value, block=False, partition=...)`: false where the
   * partition is full (Python raises queue.Full), as real Modal enforces the cap.
   */
  putQueueItem(queueName: string, partition: string, value: Picklable): boolean {
    return this.putQueueItems(queueName, partition, [value]);
  }

  /** `queue.put_many(values, block=False, partition=...)`: all or none. */
  putQueueItems(queueName: string, partition: string, values: readonly Picklable[]): boolean {
    return this.putQueuePickles(queueName, partition, values.map((v) => pickle(v)));
  }

  /** Items pickled elsewhere (by Modal's Python SDK itself, in a cross-language test). */
  putQueuePickles(queueName: string, partition: string, pickles: readonly Buffer[]): boolean {
    try {
      this.queue(queueName).put(partition, pickles);
    } catch (err) {
      if (err instanceof QueueFullError) return false;
      throw err;
    }
    this.changed.emit('change');
    return true;
  }

  /** `queue.clear(partition=...)`. */
  clearQueuePartition(queueName: string, partition: string): void {
    this.queue(queueName).clear(partition);
  }

  /** As if a day had passed since the partition's last put: it is gone. */
  expireQueuePartition(queueName: string, partition: string): void {
    this.queue(queueName).expire(partition);
  }

  queueLength(queueName: string, partition: string): number {
    return this.queue(queueName).length(partition);
  }

  /** The container failed to start (an import error, a missing secret): GENERIC_STATUS_INIT_FAILURE. */
  initFailure(functionCallId: string, exception: string): void {
    this.callOf(functionCallId).outcome = { status: STATUS_INIT_FAILURE, exception };
    this.changed.emit('change');
  }

  /**
   * The container was preempted and Modal retries the input (the function's Retries policy): the caller sees
   * nothing but a call that goes on; a deployed body runs again. Returns the attempt number now running.
   */
  preempt(functionCallId: string): number {
    const call = this.callOf(functionCallId);
    call.attempts = (call.attempts ?? 1) + 1;
    delete call.outcome;
    this.run(call);
    return call.attempts;
  }

  /** Modal's side failed (a lost worker): GENERIC_STATUS_INTERNAL_FAILURE; `remote()` retries it. */
  internalFailure(functionCallId: string, exception = 'worker lost'): void {
    this.callOf(functionCallId).outcome = { status: STATUS_INTERNAL_FAILURE, exception };
    this.changed.emit('change');
  }

  /** The function returned `result` (CBOR, as a function deployed with Python SDK >= 1.2 returns to JS). */
  complete(functionCallId: string, result: unknown): void {
    this.callOf(functionCallId).outcome = { status: STATUS.SUCCESS, data: Buffer.from(cborEncode(result)) };
    this.changed.emit('change');
  }

  /** The function printed `data` (fd 1 stdout, 2 stderr). */
  log(functionCallId: string, data: string, fd = 1): void {
    const lines = this.logs.get(functionCallId) ?? [];
    lines.push({ entryId: `${lines.length + 1}-0`, data, fd, timestamp: Date.now() / 1000 });
    this.logs.set(functionCallId, lines);
    this.changed.emit('change');
  }

  fail(functionCallId: string, exception: string): void {
    this.callOf(functionCallId).outcome = { status: STATUS.FAILURE, exception };
    this.changed.emit('change');
  }

  /** The function ran past its own timeout (Modal ends the call with GENERIC_STATUS_TIMEOUT). */
  timeOut(functionCallId: string): void {
    this.callOf(functionCallId).outcome = { status: STATUS.TIMEOUT, exception: 'Function call timed out after 43200s' };
    this.changed.emit('change');
  }

  /** For failNext: does this QueueNextItems request read `partition`? */
  static readsPartition(partition: string): (request: Record<string, unknown>) => boolean {
    return (request) => Buffer.from((request['partitionKey'] as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8') === partition;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<string> {
    const definition = protoLoader.loadSync(['modal_proto/api.proto', 'supplement.proto'], {
      includeDirs: [PROTO_DIR],
      keepCase: false,
      longs: Number,
      enums: Number,
      defaults: true,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      modal: { client: { ModalClient: { service: grpc.ServiceDefinition }; ModalClientSupplement: { service: grpc.ServiceDefinition } } };
    };
    const getInfo = loaded.modal.client.ModalClientSupplement.service['FunctionCallGetInfo'];
    const service: grpc.ServiceDefinition = {
      ...loaded.modal.client.ModalClient.service,
      ...(getInfo ? { FunctionCallGetInfo: { ...getInfo, path: '/modal.client.ModalClient/FunctionCallGetInfo' } } : {}),
    };
    const handlers: Record<string, Handler> = {
      AuthTokenGet: async () => ({ token: fakeJwt() }),
      FunctionGet: async (req) => this.functionGet(req),
      FunctionMap: async (req) => this.functionMap(req),
      FunctionBindParams: async (req) => this.functionBindParams(req),
      FunctionGetOutputs: async (req) => this.functionGetOutputs(req),
      FunctionCallFromId: async (req) => ({ functionCallId: this.callOf(String(req['functionCallId'])).id, numInputs: 1 }),
      FunctionCallCancel: async (req) => this.functionCallCancel(req),
      QueueGetOrCreate: async (req) => this.queueGetOrCreate(req),
      QueueNextItems: async (req) => this.queueNextItems(req),
      QueueHeartbeat: async () => ({}),
      FunctionCallGetInfo: async (req) => this.functionCallGetInfo(req),
      FunctionRetryInputs: async (req) => this.functionRetryInputs(req),
      QueuePut: async (req) => this.queuePut(req),
      QueueClear: async (req) => this.queueClear(req),
      QueueLen: async (req) => ({ len: this.queueById(req).length(partitionOf(req['partitionKey'])) }),
      BlobCreate: async (req) => this.blobs.create(String(req['contentMd5']), Number(req['contentLength'])),
      BlobGet: async (req) => ({ downloadUrl: this.blobs.downloadUrl(String(req['blobId'])) }),
    };
    await this.blobs.start();
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(service)) {
      const rpc = method.originalName ?? name;
      const rpcName = name;
      if (method.responseStream) {
        implementation[rpc] = (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => {
          const metadata = Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)]));
          this.calls.push({ method: rpcName, request: call.request, metadata });
          if (rpcName !== 'AppGetLogs') return call.destroy(Object.assign(new Error(`${rpcName} not implemented`), { code: grpc.status.UNIMPLEMENTED }));
          void this.appGetLogs(call);
        };
        continue;
      }
      implementation[rpc] = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const metadata = Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)]));
        this.calls.push({ method: rpcName, request: call.request, metadata });
        const handler = handlers[rpcName];
        const fail = (code: grpc.status, details: string) => callback({ code, details, name: 'Error', message: details, metadata: new grpc.Metadata() });
        if (!handler) return fail(grpc.status.UNIMPLEMENTED, `fake Modal server: ${rpcName} is not implemented`);
        if (metadata['x-modal-token-id'] !== this.credentials.tokenId || metadata['x-modal-token-secret'] !== this.credentials.tokenSecret) {
          return fail(grpc.status.UNAUTHENTICATED, 'Invalid token id or secret');
        }
        const pending = this.failures.get(rpcName) ?? [];
        const index = pending.findIndex((f) => !f.when || f.when(call.request));
        if (index >= 0) {
          const [scripted] = pending.splice(index, 1);
          if (scripted) return fail(scripted.code, scripted.details);
        }
        handler(call.request, metadata).then(
          (response) => callback(null, response),
          (err: unknown) => {
            const e = err as { code?: grpc.status; message?: string };
            fail(e.code ?? grpc.status.INTERNAL, e.message ?? String(err));
          },
        );
      };
    }
    this.server = new grpc.Server();
    this.server.addService(service, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      this.server?.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.changed.emit('change');
    this.server?.forceShutdown();
    this.server = undefined;
    await this.blobs.stop();
  }

  private callOf(id: string): FakeFunctionCall {
    const call = this.functionCalls.get(id);
    if (!call) throw Object.assign(new Error(`Function call ${id} not found`), { code: grpc.status.NOT_FOUND });
    return call;
  }

  private queue(name: string): FakeQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new FakeQueue(`qu-${this.nextId++}`, { cap: () => this.queueCap, ttlMs: () => this.queueTtlMs, now: () => this.now() });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private queueById(req: Record<string, unknown>): FakeQueue {
    const queue = [...this.queues.values()].find((q) => q.id === req['queueId']);
    if (!queue) throw Object.assign(new Error('queue not found'), { code: grpc.status.NOT_FOUND });
    return queue;
  }

  private async queuePut(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ttl = Number(req['partitionTtlSeconds'] ?? 0);
    try {
      this.queueById(req).put(partitionOf(req['partitionKey']), (req['values'] as Buffer[]) ?? [], ttl > 0 ? ttl * 1000 : undefined);
    } catch (err) {
      if (err instanceof QueueFullError) throw Object.assign(err, { code: grpc.status.RESOURCE_EXHAUSTED });
      throw err;
    }
    this.changed.emit('change');
    return {};
  }

  private async queueClear(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.queueById(req).clear(req['allPartitions'] ? undefined : partitionOf(req['partitionKey']));
    return {};
  }

  /** FunctionRetryInputs: the SDK's retry of a call that ended in an internal failure; the call runs again. */
  private async functionRetryInputs(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = String(req['functionCallJwt']).replace(/^jwt-/, '');
    const call = this.callOf(id);
    call.attempts = (call.attempts ?? 1) + 1;
    delete call.outcome;
    this.run(call);
    return { inputJwts: [`jwt-${id}-${call.attempts}`] };
  }

  /** Run a deployed function's body, if it has one, and end the call with what it gives. */
  private run(call: FakeFunctionCall): void {
    const body = this.bodies.get(call.functionId);
    if (!body) return;
    const attempt = call.attempts ?? 1;
    // Only the attempt still running ends the call (a preempted attempt's late answer is lost, as on Modal);
    // an outcome set meanwhile (cancel, timeout) stands.
    const end = (outcome: NonNullable<FakeFunctionCall['outcome']>) => {
      if ((call.attempts ?? 1) === attempt) call.outcome ??= outcome;
      this.changed.emit('change');
    };
    void Promise.resolve()
      .then(() => body(call.args, call.kwargs))
      .then(
        (result) => end({ status: STATUS.SUCCESS, data: Buffer.from(cborEncode(result)) }),
        // A body may end the call as Modal would for other reasons: throw an error with `genericStatus`
        // (5 init failure, 6 internal failure).
        (err: unknown) =>
          end({
            status: (err as { genericStatus?: number }).genericStatus ?? STATUS.FAILURE,
            exception: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
          }),
      );
  }

  private async functionGet(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const key = `${String(req['appName'])}/${String(req['objectTag'])}`;
    const functionId = this.deployed.get(key);
    if (!functionId) throw Object.assign(new Error(`App '${String(req['appName'])}' not found`), { code: grpc.status.NOT_FOUND });
    return {
      functionId,
      handleMetadata: {
        functionName: String(req['objectTag']),
        supportedInputFormats: [DATA_FORMAT_CBOR],
        supportedOutputFormats: [DATA_FORMAT_CBOR],
      },
    };
  }

  private async functionMap(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const items = req['pipelinedInputs'] as { input: { args?: Buffer; argsBlobId?: string; dataFormat: number } }[];
    const input = items[0]?.input;
    // Arguments over the inline limit arrive as a blob the SDK uploaded first.
    const payload = input?.argsBlobId ? this.blobs.get(input.argsBlobId) : input?.args;
    if (!payload || input?.dataFormat !== DATA_FORMAT_CBOR) throw Object.assign(new Error('expected CBOR args'), { code: grpc.status.INVALID_ARGUMENT });
    const [args, kwargs] = cborDecode(payload) as [unknown[], Record<string, unknown>];
    const id = `fc-${this.nextId++}`;
    const gpu = this.boundGpu.get(String(req['functionId']));
    const call: FakeFunctionCall = { id, functionId: String(req['functionId']), args, kwargs, cancelled: false, ...(gpu ? { gpu } : {}) };
    this.functionCalls.set(id, call);
    this.run(call);
    return { functionCallId: id, pipelinedInputs: [{ idx: 0, inputId: `in-${id}`, inputJwt: `jwt-${id}` }], functionCallJwt: `jwt-${id}` };
  }

  /** A variant of a deployed function with per-call options; only the GPU is kept. */
  private async functionBindParams(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const functionId = String(req['functionId']);
    const name = [...this.deployed].find(([, id]) => id === functionId)?.[0].split('/')[1];
    if (!name) throw Object.assign(new Error(`Function ${functionId} not found`), { code: grpc.status.NOT_FOUND });
    const options = req['functionOptions'] as { resources?: { gpuConfig?: { gpuType?: string; count?: number } } } | undefined;
    const boundFunctionId = `fu-${this.nextId++}`;
    const gpu = options?.resources?.gpuConfig?.gpuType;
    if (gpu) this.boundGpu.set(boundFunctionId, gpu);
    return {
      boundFunctionId,
      handleMetadata: { functionName: name, supportedInputFormats: [DATA_FORMAT_CBOR], supportedOutputFormats: [DATA_FORMAT_CBOR] },
    };
  }

  private async functionGetOutputs(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const call = this.callOf(String(req['functionCallId']));
    const waitMs = Math.min(Number(req['timeout'] ?? 0) * 1000, this.longPollCapMs);
    await this.waitFor(() => call.outcome !== undefined, waitMs);
    if (!call.outcome) return { outputs: [], idxs: [] };
    const result: Record<string, unknown> = { status: call.outcome.status, exception: call.outcome.exception ?? '' };
    if (call.outcome.data && call.outcome.data.length > this.outputInlineMaxBytes) result['dataBlobId'] = this.blobs.put(call.outcome.data);
    else if (call.outcome.data) result['data'] = call.outcome.data;
    return { outputs: [{ result, idx: 0, dataFormat: DATA_FORMAT_CBOR }], idxs: [0], lastEntryId: '1-0' };
  }

  private async functionCallGetInfo(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const call = this.callOf(String(req['functionCallId']));
    const status = call.outcome?.status;
    const count = (match: boolean) => ({ total: match ? 1 : 0, latest: [] });
    return {
      info: {
        functionCallId: call.id,
        totalInputs: 1,
        pendingInputs: count(status === undefined),
        succeededInputs: count(status === STATUS.SUCCESS),
        failedInputs: count(status === STATUS.FAILURE || status === STATUS_INIT_FAILURE || status === STATUS_INTERNAL_FAILURE),
        cancelledInputs: count(status === STATUS.TERMINATED),
        timeoutInputs: count(status === STATUS.TIMEOUT),
      },
    };
  }

  /** Server stream: the call's log lines after `lastEntryId`, then wait a little for more, then end (the SDK reconnects). */
  private async appGetLogs(call: grpc.ServerWritableStream<Record<string, unknown>, unknown>): Promise<void> {
    const id = String(call.request['functionCallId'] ?? '');
    const last = String(call.request['lastEntryId'] ?? '');
    const after = () => {
      const lines = this.logs.get(id) ?? [];
      const index = last ? lines.findIndex((l) => l.entryId === last) : -1;
      return lines.slice(index + 1);
    };
    await this.waitFor(() => after().length > 0, Math.min(Number(call.request['timeout'] ?? 0) * 1000, this.longPollCapMs));
    const fresh = after();
    if (fresh.length > 0 && !call.cancelled) {
      call.write({
        taskId: 'ta-1',
        entryId: fresh[fresh.length - 1]?.entryId ?? '',
        items: fresh.map((l) => ({ data: l.data, fileDescriptor: l.fd, timestamp: l.timestamp, functionCallId: id })),
      });
    }
    if (!call.cancelled) call.end();
  }

  private async functionCallCancel(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const call = this.callOf(String(req['functionCallId']));
    call.cancelled = true;
    call.outcome ??= { status: STATUS.TERMINATED, exception: 'Function call was cancelled' };
    this.changed.emit('change');
    return {};
  }

  private async queueGetOrCreate(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const name = String(req['deploymentName']);
    return { queueId: this.queue(name).id };
  }

  private async queueNextItems(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    const queue = this.queueById(req);
    const partition = partitionOf(req['partitionKey']);
    const last = String(req['lastEntryId'] ?? '');
    await this.waitFor(() => queue.after(partition, last).length > 0, Math.min(Number(req['itemPollTimeout'] ?? 0) * 1000, this.longPollCapMs));
    return { items: queue.after(partition, last).map((e) => ({ value: e.value, entryId: e.entryId })) };
  }

  private waitFor(ready: () => boolean, timeoutMs: number): Promise<void> {
    if (ready() || timeoutMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const onChange = () => {
        if (ready()) done();
      };
      const done = () => {
        clearTimeout(timer);
        this.changed.off('change', onChange);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.changed.on('change', onChange);
    });
  }
}

function partitionOf(key: unknown): string {
  return Buffer.from((key as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8');
}

/** A JWT-shaped token with an `exp`, which is all the SDK's token manager reads. */
function fakeJwt(): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
}
