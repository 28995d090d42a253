// How many steps fit a time budget: what the run has spent (setup, baselines, calibration), then
// per step the measured time, per epoch end a checkpoint and every knnEvery epochs a kNN pass,
// and at the end the final evaluation (kNN and the linear probe) and its checkpoint. The most
// steps whose prediction ends within the budget, less a margin for what was not measured.

export interface BudgetCosts {
  budgetSeconds: number;
  /** Seconds since the run started, up to the plan. */
  spentSeconds: number;
  secondsPerStep: number;
  stepsPerEpoch: number;
  /** A kNN pass, and the final evaluation's linear probe besides it (no monitor: undefined). */
  monitor?: { knnEvery: number; passSeconds: number; linearSeconds: number };
  checkpointEvery: number;
  checkpointEverySteps: number;
  checkpointSeconds: number;
}

export interface BudgetPlan {
  steps: number;
  /** Seconds from the run's start to its end, as planned. */
  predictedSeconds: number;
  /** The budget cannot hold one step after what the run must do anyway: it runs one. */
  minimal: boolean;
  /** What the final evaluation and its checkpoint are expected to take (the deadline keeps them). */
  finalSeconds: number;
}

// Step times drift and epoch ends cost more than measured (the loader refills, the report is drawn).
const MARGIN = 0.03;

/** The kNN passes of a run of `epochs` epochs besides its final evaluation (the last epoch's pass). */
export function midRunPasses(epochs: number, knnEvery: number): number {
  return Math.floor((epochs - 1) / knnEvery);
}

/** Seconds from the run's start to its end with `steps` steps. */
export function predictSeconds(costs: BudgetCosts, steps: number): number {
  const epochs = Math.ceil(steps / costs.stepsPerEpoch);
  const { monitor } = costs;
  // The last epoch's pass is the final evaluation; checkpoints after every checkpointEvery
  // epochs, every checkpointEverySteps steps, and at the end.
  const passes = monitor ? midRunPasses(epochs, monitor.knnEvery) : 0;
  const checkpoints =
    Math.floor((epochs - 1) / costs.checkpointEvery) +
    (costs.checkpointEverySteps > 0 ? Math.floor(steps / costs.checkpointEverySteps) : 0) +
    1;
  return (
    costs.spentSeconds +
    steps * costs.secondsPerStep +
    passes * (monitor?.passSeconds ?? 0) +
    finalEvaluationSeconds(costs) +
    checkpoints * costs.checkpointSeconds
  );
}

export function finalEvaluationSeconds(costs: { monitor?: { passSeconds: number; linearSeconds: number } }): number {
  return costs.monitor ? costs.monitor.passSeconds + costs.monitor.linearSeconds : 0;
}

export function planSteps(costs: BudgetCosts): BudgetPlan {
  const target = costs.budgetSeconds * (1 - MARGIN);
  const finalSeconds = finalEvaluationSeconds(costs) + costs.checkpointSeconds;
  const plan = (steps: number, minimal = false) => ({
    steps,
    predictedSeconds: predictSeconds(costs, steps),
    minimal,
    finalSeconds,
  });
  if (predictSeconds(costs, 1) > target) return plan(1, true);
  // predictSeconds grows with the steps: the largest that fits, by bisection.
  let fits = 1;
  let tooMany = 2;
  while (predictSeconds(costs, tooMany) <= target) {
    fits = tooMany;
    tooMany *= 2;
  }
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    if (predictSeconds(costs, middle) <= target) fits = middle;
    else tooMany = middle;
  }
  return plan(fits);
}

/** A plan and what it was made from. */
export interface TimeBudgetPlan extends BudgetPlan {
  secondsPerStep: number;
  /** Steps taken to time one, then thrown away. */
  calibrationSteps: number;
  checkpointSeconds: number;
}

/** What a session knows of its time budget. */
export interface TimeBudget {
  budgetSeconds: number;
  /** A new run's plan; absent when the steps were given or recorded (the budget is a deadline only). */
  plan?: TimeBudgetPlan;
  /** Seconds after the session's start after which no step starts: the final evaluation keeps its time. */
  trainUntilSeconds: number;
}

export function budgetOf(
  budgetSeconds: number,
  plan: TimeBudgetPlan | undefined,
  monitor: { passSeconds: number; linearSeconds: number } | undefined,
): TimeBudget {
  const reserve = plan?.finalSeconds ?? finalEvaluationSeconds(monitor ? { monitor } : {});
  return { budgetSeconds, ...(plan && { plan }), trainUntilSeconds: Math.max(0, budgetSeconds - reserve) };
}
