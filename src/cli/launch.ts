// `psychohistory launch sft|grpo|eval|generate --backend local|modal --dataset FILE [--set key=value]…`
// The same core as the editor's Launch commands: the dataset is validated first (errors → exit 1),
// Modal launches print the cost estimate, then the run is followed until it ends (or --detach).
import { RUN_KINDS } from '../contracts/run';
import type { Backend, RunKind } from '../contracts/run';
import { buildConfig, checkDataset, describeErrors, parseSetting } from '../jobs/launchConfig';
import { estimateCost, formatDuration, formatUsd } from '../jobs/cost';
import { checkLaunch, recommendGpu } from '../jobs/memoryPlan';
import { JobError } from '../jobs/errors';
import { parseOptions } from './format';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types';
import type { CliCommand, CliIo } from './types';
import { WORKSPACE_OPTION, describeEnd, followRun, jobsFor } from './jobsShared';
import * as path from 'node:path';

const usage = `usage: psychohistory launch <sft|grpo|eval|generate> --dataset FILE [options]

  --backend local|modal   where to run (default: modal)
  --dataset FILE          case file (.jsonl); validated before launch
  --base-model NAME       base model (HF name, or tiny / small locally built)
  --adapter PATH          start from this LoRA adapter
  --epochs N              training epochs (sft, grpo)
  --lora-rank N           LoRA rank (sft, grpo)
  --gpu TYPE              Modal GPU (A10G, A100-80GB, H100, …); default: the cheapest the memory plan fits
  --skip-memory-check     launch on Modal even when the memory plan says the run cannot fit the GPU
  --set key=value         any other config key of the job (repeatable)
  --detach                print the run id and return; the run goes on
  -w, --workspace DIR     workspace folder (default: nearest with .psychohistory/ or training/)

Exit 0 when the run succeeded (or was launched with --detach), 1 when it failed, the dataset has errors, or the
memory plan says the recipe cannot fit the Modal GPU (the message names the fix).
Modal credentials come from MODAL_TOKEN_ID / MODAL_TOKEN_SECRET or ~/.modal.toml.`;

export const launchCommand: CliCommand = {
  name: 'launch',
  summary: 'launch an SFT / GRPO / eval / generate run, locally or on Modal, and follow it',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(args, {
      ...WORKSPACE_OPTION,
      backend: { type: 'string' },
      dataset: { type: 'string' },
      'base-model': { type: 'string' },
      adapter: { type: 'string' },
      epochs: { type: 'string' },
      'lora-rank': { type: 'string' },
      gpu: { type: 'string' },
      set: { type: 'string', multiple: true },
      detach: { type: 'boolean' },
      'skip-memory-check': { type: 'boolean' },
    });
    const kind = positionals[0];
    if (!kind || !(RUN_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`expected one of ${RUN_KINDS.join(', ')}`);
    const backend = (values['backend'] ?? 'modal') as string;
    if (backend !== 'local' && backend !== 'modal') throw new UsageError('--backend must be local or modal');
    const datasetArg = values['dataset'];
    if (typeof datasetArg !== 'string') throw new UsageError('--dataset FILE is required');
    const dataset = path.resolve(io.cwd, datasetArg);
    const num = (name: string): number | undefined => {
      const v = values[name];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number`);
      return n;
    };
    const extra: Record<string, unknown> = {};
    for (const s of (values['set'] as string[] | undefined) ?? []) {
      try {
        const [k, v] = parseSetting(s);
        extra[k] = v;
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }

    const check = checkDataset(dataset);
    if (check.errors.length) {
      io.stderr(`Refusing to launch: ${describeErrors(check, 10)}\n`);
      return EXIT_FINDINGS;
    }
    if (check.cases === 0) {
      io.stderr(`Refusing to launch: ${datasetArg} has no valid cases.\n`);
      return EXIT_FINDINGS;
    }
    const epochs = num('epochs');
    const loraRank = num('lora-rank');
    const config = buildConfig({
      kind: kind as RunKind,
      backend: backend as Backend,
      dataset,
      ...(typeof values['base-model'] === 'string' ? { baseModel: values['base-model'] } : {}),
      ...(typeof values['adapter'] === 'string' ? { adapter: values['adapter'] } : {}),
      ...(epochs !== undefined ? { epochs } : {}),
      ...(loraRank !== undefined ? { loraRank } : {}),
      ...(typeof values['gpu'] === 'string' ? { gpu: values['gpu'] } : {}),
      extra,
    });
    if (backend === 'modal' && config['gpu'] === undefined) {
      const gpu = recommendGpu(kind as RunKind, config);
      config['gpu'] = gpu ?? 'A10G';
      if (gpu) io.stderr(`GPU: ${gpu} (the cheapest the memory plan fits; --gpu to choose)\n`);
    }
    const memory = checkLaunch(kind as RunKind, backend as Backend, config);
    if (memory?.verdict === 'no-fit' && !values['skip-memory-check']) {
      io.stderr(`Refusing to launch: ${memory.message}\n(--skip-memory-check launches anyway.)\n`);
      return EXIT_FINDINGS;
    }
    if (memory)
      io.stderr(
        `${memory.verdict === 'tight' || memory.verdict === 'no-fit' ? 'Warning: ' : 'Memory plan: '}${memory.message}\n`,
      );
    if (backend === 'modal') {
      const e = estimateCost({
        kind: kind as RunKind,
        gpu: String(config['gpu']),
        cases: check.cases,
        ...(epochs !== undefined ? { epochs } : {}),
      });
      io.stderr(
        `Estimated cost: ${formatUsd(e.usd)} (≈ ${formatDuration(e.seconds)} on ${e.gpu} at ${formatUsd(e.pricePerHour)}/h; prices as of ${e.priceTableDate})\n`,
      );
    }

    const jobs = jobsFor(io, values['workspace']);
    try {
      const run = await jobs.launch({ kind: kind as RunKind, backend: backend as Backend, config });
      io.stdout(`${run.id}\n`);
      if (values['detach']) {
        io.stderr(`Launched ${run.id} (${backend}). Follow it: psychohistory logs ${run.id} --follow\n`);
        jobs.dispose();
        return EXIT_OK;
      }
      const final = await followRun(io, jobs, run.id, true);
      io.stderr(`${describeEnd(final)}\n`);
      return final?.state === 'succeeded' ? EXIT_OK : EXIT_FINDINGS;
    } catch (err) {
      if (err instanceof JobError) {
        const hint =
          err.action === 'deployModalApp'
            ? '\nDeploy it: cd training && modal deploy <app file>'
            : err.action === 'setModalToken'
              ? '\nSet MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, or run `modal token new`.'
              : '';
        io.stderr(`${err.message}${hint}\n`);
        return EXIT_FINDINGS;
      }
      throw err;
    } finally {
      jobs.dispose();
    }
  },
};
