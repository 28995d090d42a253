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
import { initialModelOf, modelOptionsOf, viewsOf } from './recipe.js';
import type { Session, Setup } from './session.js';
import { momentumFromMain, readHere } from './shared-start.js';
import { TrainingCore } from './training-core.js';

export async function setUpSession(setup: Setup, signal: AbortSignal): Promise<Session> {
  const { config, device, run, resumed, world, parallel } = setup;
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
      // set, so that rank 0 measures alone).
      await monitor.measureBaselines(model);
      // Back to the exact initial state: re-estimation moved the BN statistics.
      await native().manualSeed(config.seed);
      const fresh = createModel(modelOptionsOf(config));
      await model.loadStateDict(await fresh.stateDict({ part: 'model' }), { part: 'model', strict: true });
    } catch (error) {
      if (!signal.aborted) throw error; // stopped before the first step: nothing to restore
    }
  }
  const { initial, ...rest } = setup;
  // After the baselines, which stay those of a fresh initialisation.
  const initializedFrom =
    initial && (await initializeModel(model, initial, initialModelOf(config), config.target === 'ema'));
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
  const totalSteps = stepsPerEpoch * config.epochs;
  const schedule = {
    baseLr: config.baseLr,
    globalBatch: config.batchSize,
    warmupSteps: config.warmupEpochs * stepsPerEpoch,
    totalSteps,
    cosineSpan: config.cosineSpan,
  };
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
  return {
    ...rest,
    model,
    core,
    loader,
    stepsPerEpoch,
    totalSteps,
    schedule,
    position,
    checkpointedStep: position.step,
    ...(monitor && { monitor }),
    ...(parallel && { parallel }),
    ...(initializedFrom && { initializedFrom }),
  };
}
