// Train events (contract 2) for the unit, render and fixture builders: each folder names its own
// curve — how many steps make an epoch, the loss and lr, when a step is logged — and builds on it.
import type { TrainEvent } from '../../src/contracts/metrics';

export interface TrainCurve {
  stepsPerEpoch: number;
  loss: (step: number) => number;
  lr: number;
  time: (step: number) => string;
}

/** The train event of `step` on `curve`, with `over` in place of what it names. */
export function trainEventOn(curve: TrainCurve, step: number, over: Partial<TrainEvent> = {}): TrainEvent {
  return {
    type: 'train',
    step,
    epoch: step / curve.stepsPerEpoch,
    loss: curve.loss(step),
    lr: curve.lr,
    time: curve.time(step),
    ...over,
  };
}
