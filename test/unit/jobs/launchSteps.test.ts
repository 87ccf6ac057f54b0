// Step navigation of the launch dialogue (src/jobs/launchSteps.ts): forward, Back with the earlier answer
// offered again, no Back from the first step, cancel, and a step count that follows the answers.
import { describe, expect, it } from 'vitest';
import { remainingSteps, runSteps } from '../../../src/jobs/launchSteps';
import type { StepDef, StepOutcome, StepPrompt } from '../../../src/jobs/launchSteps';

interface Answers {
  dataset: string;
  backend: string;
  start: string;
  epochs: number;
  gpu: string;
}

/** The launch's shape: start-from only when adapters exist for the backend, GPU only on Modal. */
function launchSteps(opts: { adaptersOn?: string[]; training?: boolean } = {}): StepDef<Answers>[] {
  const adaptersOn = opts.adaptersOn ?? [];
  return [
    { key: 'dataset', asked: () => true },
    { key: 'backend', asked: () => true },
    { key: 'start', asked: (a) => adaptersOn.includes(a.backend ?? 'local') },
    { key: 'epochs', asked: () => opts.training ?? true },
    { key: 'gpu', asked: (a) => a.backend === 'modal' },
  ];
}

type Reply = StepOutcome<Answers[keyof Answers]>;

/** Answers the prompts in order from a script, recording what each prompt showed. */
function scripted(replies: Reply[]): { ask: (p: StepPrompt<Answers>) => Promise<Reply>; seen: StepPrompt<Answers>[] } {
  const seen: StepPrompt<Answers>[] = [];
  return {
    seen,
    ask: (p) => {
      seen.push(p);
      const reply = replies.shift();
      if (reply === undefined) throw new Error(`no scripted reply for ${String(p.key)}`);
      return Promise.resolve(reply);
    },
  };
}

const v = <T extends Answers[keyof Answers]>(value: T): Reply => ({ value });

describe('launch steps', () => {
  it('goes forward through every asked step and returns the answers', async () => {
    const { ask, seen } = scripted([v('a.jsonl'), v('local'), v(2)]);
    const answers = await runSteps(launchSteps(), {}, ask);
    expect(answers).toEqual({ dataset: 'a.jsonl', backend: 'local', epochs: 2 });
    expect(seen.map((p) => [p.key, p.step, p.totalSteps, p.canGoBack])).toEqual([
      ['dataset', 1, 3, false],
      ['backend', 2, 3, true],
      ['epochs', 3, 3, true],
    ]);
  });

  it('Back returns to the previous step with its earlier answer', async () => {
    const { ask, seen } = scripted([v('a.jsonl'), v('local'), 'back', v('local'), v(3)]);
    const answers = await runSteps(launchSteps(), {}, ask);
    expect(answers).toEqual({ dataset: 'a.jsonl', backend: 'local', epochs: 3 });
    expect(seen[3]).toMatchObject({ key: 'backend', step: 2, previous: 'local' });
    // Forward again: the step left by Back shows nothing new until it is answered.
    expect(seen[2]).toMatchObject({ key: 'epochs', previous: undefined });
  });

  it('a step answered before Back offers that answer when reached again', async () => {
    const { ask, seen } = scripted([v('a.jsonl'), v('modal'), v(5), 'back', 'back', v('modal'), v(6), v('L4')]);
    const answers = await runSteps(launchSteps(), {}, ask);
    expect(answers).toEqual({ dataset: 'a.jsonl', backend: 'modal', epochs: 6, gpu: 'L4' });
    expect(seen.slice(3).map((p) => [p.key, p.previous])).toEqual([
      ['gpu', undefined],
      ['epochs', 5],
      ['backend', 'modal'],
      ['epochs', 5],
      ['gpu', undefined],
    ]);
  });

  it('Back from the first step is impossible: the first step is asked again', async () => {
    const { ask, seen } = scripted(['back', v('a.jsonl'), v('local'), v(1)]);
    const answers = await runSteps(launchSteps(), {}, ask);
    expect(answers).toEqual({ dataset: 'a.jsonl', backend: 'local', epochs: 1 });
    expect(seen.slice(0, 2).map((p) => [p.key, p.step, p.canGoBack])).toEqual([
      ['dataset', 1, false],
      ['dataset', 1, false],
    ]);
  });

  it('cancel stops the whole flow', async () => {
    const { ask, seen } = scripted([v('a.jsonl'), v('modal'), 'cancel']);
    expect(await runSteps(launchSteps(), {}, ask)).toBeUndefined();
    expect(seen).toHaveLength(3);
  });

  it('the step count adapts to the answers', async () => {
    // Adapters exist on Modal only: picking Modal adds start-from and the GPU.
    const { ask, seen } = scripted([v('a.jsonl'), v('modal'), v(''), v(1), v('L4')]);
    const answers = await runSteps(launchSteps({ adaptersOn: ['modal'] }), {}, ask);
    expect(answers).toEqual({ dataset: 'a.jsonl', backend: 'modal', start: '', epochs: 1, gpu: 'L4' });
    expect(seen.map((p) => [p.key, p.step, p.totalSteps])).toEqual([
      ['dataset', 1, 3],
      ['backend', 2, 3],
      ['start', 3, 5],
      ['epochs', 4, 5],
      ['gpu', 5, 5],
    ]);
    expect(remainingSteps(launchSteps({ training: false }), { backend: 'local' })).toBe(2);
  });

  it('answers of steps dropped after Back are not returned', async () => {
    const { ask } = scripted([v('a.jsonl'), v('modal'), v(1), 'back', 'back', v('local'), v(1)]);
    const answers = await runSteps(launchSteps(), {}, ask);
    expect(answers).toEqual({ dataset: 'a.jsonl', backend: 'local', epochs: 1 });
  });

  it('answers given up front are kept and their steps not asked', async () => {
    const steps = launchSteps().map((s) => (s.key === 'dataset' ? { ...s, asked: () => false } : s));
    const { ask, seen } = scripted([v('local'), v(1)]);
    const answers = await runSteps(steps, { dataset: 'given.jsonl' }, ask);
    expect(answers).toEqual({ dataset: 'given.jsonl', backend: 'local', epochs: 1 });
    expect(seen[0]).toMatchObject({ key: 'backend', step: 1, totalSteps: 2, canGoBack: false });
  });
});
