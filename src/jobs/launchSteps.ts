// Step navigation of a multi-step input (the launch dialogue): an ordered list of steps, each asked only
// when its predicate holds for the answers so far, a step counter whose total adapts to those answers,
// Back to the previous asked step with its earlier answer offered again, and cancel that stops the whole
// flow. No vscode here: the shell (vscode/launchFlow.ts) shows the prompts, this decides which comes next.

/** What a prompt came back with: an answer, Back, or cancel (Escape). */
export type StepOutcome<V> = { value: V } | 'back' | 'cancel';

export interface StepDef<A> {
  key: keyof A;
  /** Whether this step is asked, given the answers so far (a step answered up front is never asked). */
  asked: (answers: Partial<A>) => boolean;
}

/** What the shell needs to show one step. */
export interface StepPrompt<A> {
  key: keyof A;
  /** 1-based position among the steps asked. */
  step: number;
  /** Steps asked so far plus those still to come for the current answers. */
  totalSteps: number;
  canGoBack: boolean;
  /** The answer given to this step before (after Back, or going forward again), to preselect or prefill. */
  previous: A[keyof A] | undefined;
  /** The answers of the steps before this one, and those given up front. */
  answers: Partial<A>;
}

/** Counts the steps from `from` on that are asked for these answers. */
export function remainingSteps<A>(steps: readonly StepDef<A>[], answers: Partial<A>, from = 0): number {
  return steps.slice(from).filter((s) => s.asked(answers)).length;
}

/**
 * Walks the steps, asking each that applies. Returns the answers (those given up front plus those of the
 * steps asked on the final path), or undefined when a prompt was cancelled. Back from the first asked step
 * is impossible: that step is asked again.
 */
export async function runSteps<A>(
  steps: readonly StepDef<A>[],
  given: Partial<A>,
  ask: (prompt: StepPrompt<A>) => Promise<StepOutcome<A[keyof A]>>,
): Promise<Partial<A> | undefined> {
  const history: number[] = [];
  // Every answer ever given, kept across Back so a revisited step shows it again.
  const remembered = new Map<keyof A, A[keyof A]>();
  const current = (): Partial<A> => {
    const out: Partial<A> = { ...given };
    for (const i of history) {
      const key = steps[i]!.key;
      if (remembered.has(key)) out[key] = remembered.get(key);
    }
    return out;
  };
  const nextAsked = (from: number, answers: Partial<A>): number => {
    let i = from;
    while (i < steps.length && !steps[i]!.asked(answers)) i++;
    return i;
  };

  let i = nextAsked(0, current());
  while (i < steps.length) {
    const answers = current();
    const step = steps[i]!;
    const outcome = await ask({
      key: step.key,
      step: history.length + 1,
      totalSteps: history.length + remainingSteps(steps, answers, i),
      canGoBack: history.length > 0,
      previous: remembered.get(step.key),
      answers,
    });
    if (outcome === 'cancel') return undefined;
    if (outcome === 'back') {
      const previous = history.pop();
      if (previous !== undefined) i = previous;
      continue;
    }
    remembered.set(step.key, outcome.value);
    history.push(i);
    i = nextAsked(i + 1, current());
  }
  return current();
}
