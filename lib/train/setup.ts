// Everything a run builds before its epoch loop (DINO's main_dino.py keeps this apart from
// train_one_epoch): data, model, optimiser, schedules, the resumed state and
// the kNN baselines.
import { availableParallelism } from 'node:os';
import { DataLoader } from '../data/loader.js';
import { openDataset } from '../data/open-dataset.js';
import { setNumThreads } from '../info.js';
import { createModel } from '../models.js';
import { native } from '../native.js';
import type { LoadedCheckpoint, TrainingPosition } from './checkpoint.js';
import { KnnMonitor } from './knn-monitor.js';
import { initializeModel } from '../weights/initialize.js';
import { initialModelOf, lengthOf, modelOptionsOf, viewsOf } from './recipe.js';
import type { Session, Setup } from './session.js';
import { momentumFromMain, readHere } from './shared-start.js';
import { TrainingCore } from './training-core.js';
import type { Model } from '../models.js';
import type { TrainConfig } from './config.js';
import { measureCheckpointSeconds, measureStepSeconds } from './calibration.js';
import { parseDuration } from './duration.js';
import { budgetOf, planSteps, type TimeBudgetPlan } from './time-budget.js';

export async function setUpSession(setup: Setup, signal: AbortSignal): Promise<Session> {
  const { device, run, resumed, world, parallel } = setup;
  let { config } = setup;
  const worldSize = world?.worldSize ?? 1;
  const isMain = parallel?.isMain ?? true;
  const dataset = await openDataset(config.data);
  // The processes of one machine share its cores.
  const cores = Math.max(1, Math.floor(availableParallelism() / (world?.localWorldSize ?? 1)));
  await setNumThreads(config.threads || cores);
  await native().manualSeed(config.seed);

  const model = createModel(modelOptionsOf(config));
  await model.to(device);
  await model.train();
  const featureOptions = { size: config.globalSize, device, workers: config.workers || cores, signal };
  const monitor = isMain ? await KnnMonitor.open(config, dataset, featureOptions) : undefined;
  if (monitor && !resumed) {
    try {
      // The honest baselines, measured before training changes anything (and before SyncBN is
      // set, so that rank 0 measures alone). Re-estimation moved the BN statistics.
      await monitor.measureBaselines(model);
      await restoreInitialWeights(model, config);
    } catch (error) {
      if (!signal.aborted) throw error; // stopped before the first step: nothing to restore
    }
  }
  await parallel?.waitForAll(); // rank 0 may have been measuring the baselines

  const core = new TrainingCore(model, {
    optimizer: config.optimizer,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    trustCoefficient: config.trustCoefficient,
    lossScaling: config.precision === 'fp16' && device.startsWith('cuda'),
    ...(parallel && { parallel: parallel.coreOptions(config) }),
  });
  // batchSize is the global batch; the sampler gives each rank its slice of it.
  const loader = new DataLoader({
    dataset,
    batchSize: config.batchSize / worldSize,
    views: viewsOf(config),
    seed: config.seed,
    device,
    workers: config.workers || cores,
    ...(world && { rank: world.rank, worldSize }),
  });
  const stepsPerEpoch = loader.batchesPerEpoch;
  const budgetSeconds = parseDuration(config.timeBudget) ?? 0;
  let plan: TimeBudgetPlan | undefined;
  if (budgetSeconds > 0 && config.steps === 0 && !resumed) {
    plan = await fitToBudget({ ...setup, config }, { model, core, loader, monitor, budgetSeconds, signal });
    config = { ...config, steps: plan.steps };
  }
  const { initial, ...rest } = setup;
  // After the baselines, which stay those of a fresh initialisation.
  const initializedFrom =
    initial && (await initializeModel(model, initial, initialModelOf(config), config.target === 'ema'));

  const { totalSteps, warmupSteps, epochs } = lengthOf(config, stepsPerEpoch);
  const schedule = {
    baseLr: config.baseLr,
    globalBatch: config.batchSize,
    warmupSteps,
    totalSteps,
    cosineSpan: config.cosineSpan,
  };
  // config.yaml holds the steps a time budget chose: a re-run with them is this run.
  if (!resumed) await run.writeConfig(config);

  let position: TrainingPosition = { epoch: 0, batch: 0, step: 0 };
  if (resumed) {
    // The other ranks of a data-parallel run get the weights by the broadcast below.
    if (readHere(resumed)) await model.loadStateDict(resumed.model, { part: 'model', strict: true });
    const momentum = parallel
      ? await momentumFromMain(parallel.group, resumed)
      : (resumed as LoadedCheckpoint).momentumBuffers;
    await core.loadMomentumBuffers(momentum);
    await core.loadScaler(resumed.scaler);
    position = { epoch: resumed.epoch, batch: resumed.batch, step: resumed.step };
  }
  if (config.tensorboard) await run.startEvents(position.step, resumed !== undefined);
  // Every rank starts from rank 0's weights (they are equal by seed; this makes it certain).
  await parallel?.group.broadcastModel(model);
  const timeBudget = budgetSeconds > 0 ? budgetOf(budgetSeconds, plan, monitor?.costs) : undefined;
  return {
    ...rest,
    config,
    model,
    core,
    loader,
    stepsPerEpoch,
    totalSteps,
    epochs,
    schedule,
    position,
    checkpointedStep: position.step,
    ...(monitor && { monitor }),
    ...(parallel && { parallel }),
    ...(initializedFrom && { initializedFrom }),
    ...(timeBudget && { timeBudget }),
  };
}

/** The model as the seed made it: what the baselines and the budget's calibration steps moved. */
async function restoreInitialWeights(model: Model, config: TrainConfig): Promise<void> {
  await native().manualSeed(config.seed);
  const fresh = createModel(modelOptionsOf(config));
  await model.loadStateDict(await fresh.stateDict({ part: 'model' }), { part: 'model', strict: true });
}

/**
 * --time-budget on a new run: time steps and a checkpoint here, plan the steps on rank 0 (the
 * other ranks follow its plan), then put the model and the optimiser back as they were.
 */
async function fitToBudget(
  setup: Setup,
  parts: {
    model: Model;
    core: TrainingCore;
    loader: DataLoader;
    monitor: KnnMonitor | undefined;
    budgetSeconds: number;
    signal: AbortSignal;
  },
): Promise<TimeBudgetPlan> {
  const { config, parallel } = setup;
  const { model, core, loader, monitor, budgetSeconds, signal } = parts;
  const timing = await measureStepSeconds(core, loader, {
    beta: config.beta,
    // Calibration is spent budget: a few percent of it at most.
    maxSeconds: budgetSeconds * 0.03,
    signal,
    ...(parallel && { parallel }),
  });
  const planHere = async (): Promise<TimeBudgetPlan> => {
    const checkpointSeconds = await measureCheckpointSeconds(setup.run.path, { model, core, config });
    const stepsPerEpoch = loader.batchesPerEpoch;
    const plan = planSteps({
      budgetSeconds,
      spentSeconds: (performance.now() - setup.startedAt) / 1000,
      secondsPerStep: timing.secondsPerStep,
      stepsPerEpoch,
      ...(monitor?.costs && { monitor: { knnEvery: config.knnEvery, ...monitor.costs } }),
      checkpointEvery: config.checkpointEvery,
      checkpointEverySteps: config.checkpointEverySteps,
      checkpointSeconds,
    });
    return { ...plan, secondsPerStep: timing.secondsPerStep, calibrationSteps: timing.steps, checkpointSeconds };
  };
  const plan = parallel
    ? await parallel.group.fromMain(parallel.isMain ? await planHere() : undefined)
    : await planHere();
  await restoreInitialWeights(model, config);
  await core.resetState();
  return plan;
}
