// The MVEB pre-training loop: data loading overlaps the native step, schedules are
// computed here and passed to each step, checkpoints and monitors run between epochs.
// `for await (const event of trainer.run())` drives it; `stop()` ends it after the step
// in progress, with a checkpoint. Laid out as DINO's main_dino.py: run (refusals) → setUp →
// the epoch loop of trainOneEpoch and closeEpoch.
import { availableParallelism } from 'node:os';
import { DataLoader, describeSkipped } from '../data/loader.js';
import { openDataset } from '../data/open-dataset.js';
import { FileError, InputError } from '../errors.js';
import { setNumThreads } from '../info.js';
import { createModel } from '../models.js';
import { native } from '../native.js';
import { loadCheckpoint, pruneCheckpoints, refuseOlderCheckpoint, runDirectoryOf, saveCheckpoint, type LoadedCheckpoint, type TrainingPosition } from './checkpoint.js';
import { presets, resolveConfig, type PresetName, type TrainConfig } from './config.js';
import { KnnMonitor } from './knn-monitor.js';
import { embeddingHealth } from './embedding-health.js';
import { checkAgainstMachine, resumedConfig } from './preflight.js';
import { modelOptionsOf, viewsOf } from './recipe.js';
import { RunDirectory } from './run-directory.js';
import { TrainingCore } from './training-core.js';
import { emaMomentum, learningRate } from './schedules.js';
import type { TrainEvent } from './events.js';
import type { EpochOutcome, Session, Setup } from './session.js';

export type { TrainEvent } from './events.js';

export interface TrainerOptions {
  preset?: string;
  /** A checkpoint file or run directory to continue. */
  resume?: string;
}

export class Trainer {
  readonly config: TrainConfig;
  /** What the caller set (preset and fields), compared with the checkpoint's on resume. */
  private readonly given: Partial<TrainConfig>;
  private readonly stopping = new AbortController();

  /** Validates the configuration at once: a bad field throws InputError before any work. */
  constructor(config: Partial<TrainConfig> = {}, private readonly options: TrainerOptions = {}) {
    // Resuming takes the configuration from the checkpoint: no data path needed here.
    const flags = options.resume && config.data === undefined ? { ...config, data: '(from the checkpoint)' } : config;
    this.config = resolveConfig({ ...(options.preset && { preset: options.preset }), flags });
    this.given = { ...(options.preset && presets[options.preset as PresetName]), ...config };
  }

  /**
   * Ends the run after the step in progress (a kNN pass in progress is abandoned at its next
   * batch), writing a checkpoint. Before the first step it ends the run with nothing written.
   */
  stop(): void {
    this.stopping.abort(new Error('training stopped'));
  }

  private get stopRequested(): boolean {
    return this.stopping.signal.aborted;
  }

  async *run(): AsyncGenerator<TrainEvent> {
    // Everything that can refuse the run does so before data is read; a resumed run's directory
    // is locked first, so that a run still writing it is named as such.
    let run: RunDirectory | undefined;
    try {
      let resumed: LoadedCheckpoint | undefined;
      if (this.options.resume) {
        run = await RunDirectory.resume(await runDirectoryOf(this.options.resume));
        resumed = await loadCheckpoint(this.options.resume);
        await refuseOlderCheckpoint(resumed.path);
      }
      const config = resumed ? resumedConfig(resumed.config, this.given) : this.config;
      const { device, warnings } = checkAgainstMachine(config);
      run ??= await RunDirectory.create(config);
      yield* this.train({ config, device, warnings, run, ...(resumed && { resumed }) });
    } finally {
      await run?.close();
    }
  }

  private async *train(setup: Setup): AsyncGenerator<TrainEvent> {
    const session = await this.setUp(setup);
    const { config, run } = session;
    let reason: 'completed' | 'stopped' | 'max-steps' = 'completed';
    try {
      const { position, resumed } = session;
      yield {
        type: 'start', config, runDir: run.path, device: session.device, totalSteps: session.totalSteps,
        stepsPerEpoch: session.stepsPerEpoch, position, ...(resumed && { resumedFrom: resumed.path }),
      };
      for (const message of session.warnings) yield { type: 'warning', message };
      if (config.knnEvery > 0 && !session.monitor) {
        yield { type: 'warning', message: `no kNN monitor: it needs a labelled test split, which only fashion-mnist has for now (data: ${config.data})` };
      }
      for (let epoch = session.position.epoch; epoch < config.epochs; epoch++) {
        if (this.stopRequested) {
          reason = 'stopped';
          break;
        }
        const outcome = yield* this.trainOneEpoch(session, epoch);
        if (outcome.stop) {
          reason = outcome.stop;
          break;
        }
        yield* this.closeEpoch(session, epoch, outcome);
      }
      // A run cut short by --max-steps is scored where it ended (a stop is not: it must be quick).
      if (reason === 'max-steps') yield* this.knnPass(session, session.position.epoch);
      // A stop before the first step has nothing to save.
      if (reason !== 'completed' && session.position.step > session.checkpointedStep) yield await this.checkpoint(session);
    } finally {
      await session.loader.close();
    }
    const knn = session.monitor?.summary;
    yield { type: 'end', reason, position: session.position, runDir: run.path, ...(knn && { knn }) };
  }

  /** Data, model, optimiser, schedules, the resumed state and the kNN baselines. */
  private async setUp(setup: Setup): Promise<Session> {
    const { config, device, run, resumed } = setup;
    const dataset = await openDataset(config.data);
    const cores = availableParallelism();
    await setNumThreads(config.threads || cores);
    await native().manualSeed(config.seed);

    const model = createModel(modelOptionsOf(config));
    await model.to(device);
    await model.train();
    const core = new TrainingCore(model, {
      optimizer: config.optimizer,
      momentum: config.momentum,
      weightDecay: config.weightDecay,
      trustCoefficient: config.trustCoefficient,
      lossScaling: config.precision === 'fp16' && device.startsWith('cuda'),
    });
    const loader = new DataLoader({
      dataset, batchSize: config.batchSize, views: viewsOf(config), seed: config.seed, device, workers: config.workers || cores,
    });
    const stepsPerEpoch = loader.batchesPerEpoch;
    const totalSteps = stepsPerEpoch * config.epochs;
    const schedule = {
      baseLr: config.baseLr, globalBatch: config.batchSize, warmupSteps: config.warmupEpochs * stepsPerEpoch, totalSteps,
      cosineSpan: config.cosineSpan,
    };
    if (!resumed) await run.writeConfig(config);

    let position: TrainingPosition = { epoch: 0, batch: 0, step: 0 };
    if (resumed) {
      await model.loadStateDict(resumed.model, { part: 'model', strict: true });
      await core.loadMomentumBuffers(resumed.momentumBuffers);
      await core.loadScaler(resumed.scaler);
      position = { epoch: resumed.epoch, batch: resumed.batch, step: resumed.step };
    }

    const featureOptions = { size: config.globalSize, device, workers: config.workers || cores, signal: this.stopping.signal };
    const monitor = await KnnMonitor.open(config, dataset, featureOptions);
    if (monitor && !resumed) {
      try {
        // The honest baselines, measured before training changes anything.
        await monitor.measureBaselines(model);
        // Back to the exact initial state: re-estimation moved the BN statistics.
        await native().manualSeed(config.seed);
        const fresh = createModel(modelOptionsOf(config));
        await model.loadStateDict(await fresh.stateDict({ part: 'model' }), { part: 'model', strict: true });
      } catch (error) {
        if (!this.stopRequested) throw error;  // stopped before the first step: nothing to restore
      }
    }
    return {
      ...setup, model, core, loader, stepsPerEpoch, totalSteps, schedule, position, checkpointedStep: position.step,
      ...(monitor && { monitor }),
    };
  }

  /** The steps of one epoch, from where the run is; returns early when the run stops. */
  private async *trainOneEpoch(session: Session, epoch: number): AsyncGenerator<TrainEvent, EpochOutcome> {
    const { config, run, core } = session;
    const epochRun = session.loader.epoch(epoch, { startBatch: epoch === session.position.epoch ? session.position.batch : 0 });
    const outcome: EpochOutcome = {
      started: performance.now(), report: epochRun.report, losses: 0, steps: 0, stepsRun: 0, skippedSteps: 0, images: 0,
    };
    for await (const batch of epochRun) {
      const step = session.position.step;
      session.position = { epoch, batch: batch.index + 1, step: step + 1 };
      if (batch.indices.length < 2) {
        // Batch norm needs two images; the others of this batch could not be decoded.
        outcome.skippedSteps++;
        const message = `step ${step + 1}: batch ${batch.index} of epoch ${epoch} has ${batch.indices.length} decodable image of ${batch.indices.length + batch.skipped.length}; step skipped`;
        await run.log({ type: 'skipped-step', epoch, step: step + 1, batch: batch.index, reason: 'fewer than 2 decodable images' });
        yield { type: 'warning', message };
      } else {
        const lr = learningRate(step, session.schedule);
        const momentum = emaMomentum(step, { totalSteps: session.totalSteps, base: config.emaBase });
        const stats = await core.step(batch.views, { lr, emaMomentum: momentum, beta: config.beta });
        outcome.stepsRun++;
        outcome.images += batch.indices.length;
        outcome.lastViews = batch.views;
        if (stats.skipped) outcome.skippedSteps++;
        else {
          outcome.losses += stats.loss;
          outcome.steps++;
        }
        const epochSeconds = (performance.now() - outcome.started) / 1000;
        const event = {
          type: 'step' as const, epoch, step: step + 1, batch: batch.index, lr, emaMomentum: momentum, images: batch.indices.length,
          imagesPerSecond: outcome.images / epochSeconds, epochImages: outcome.images, epochSeconds, ...stats,
        };
        if ((step + 1) % config.logEvery === 0 || stats.skipped) await run.log(event);
        yield event;
        if (stats.skipped) yield { type: 'warning', message: `step ${step + 1}: non-finite loss or gradients, step skipped` };
      }
      if (config.maxSteps > 0 && session.position.step >= config.maxSteps) return { ...outcome, stop: 'max-steps' };
      if (this.stopRequested) return { ...outcome, stop: 'stopped' };
    }
    if (outcome.report.batches > 0 && outcome.stepsRun === 0) {
      const { images: decoded, skipped } = outcome.report;
      const skippedReport = describeSkipped(outcome.report);
      throw new InputError(
        `nothing to train on: ${decoded} of ${decoded + skipped} images of ${config.data} could be decoded in epoch ${epoch}` +
          `, and no batch had the 2 images a step needs${skippedReport ? ` (${skippedReport})` : ''}`,
      );
    }
    return outcome;
  }

  /** After an epoch: skipped images, embedding health, the epoch's line, kNN, checkpoint. */
  private async *closeEpoch(session: Session, epoch: number, outcome: EpochOutcome): AsyncGenerator<TrainEvent> {
    const { config, run } = session;
    const skippedReport = describeSkipped(outcome.report);
    if (skippedReport) yield { type: 'warning', message: skippedReport };
    session.position = { epoch: epoch + 1, batch: 0, step: session.position.step };
    const health = outcome.lastViews ? await embeddingHealth(session.model, outcome.lastViews) : undefined;
    const seconds = (performance.now() - outcome.started) / 1000;
    const epochEvent = {
      type: 'epoch' as const, epoch, step: session.position.step, meanLoss: outcome.steps ? outcome.losses / outcome.steps : NaN,
      skippedSteps: outcome.skippedSteps, skippedImages: outcome.report.skipped, seconds, imagesPerSecond: outcome.images / seconds,
      ...(health && { health }),
    };
    await run.log(epochEvent);
    yield epochEvent;
    if (health && health.stdMean * Math.sqrt(config.projectorOut) < config.collapseThreshold) {
      yield { type: 'warning', message: `collapse: embedding std ${health.stdMean.toExponential(2)} × √d is below ${config.collapseThreshold}` };
    }
    if ((epoch + 1) % config.knnEvery === 0 || epoch + 1 === config.epochs) yield* this.knnPass(session, epoch);
    if ((epoch + 1) % config.checkpointEvery === 0 || epoch + 1 === config.epochs) yield await this.checkpoint(session);
  }

  private async *knnPass(session: Session, epoch: number): AsyncGenerator<TrainEvent> {
    const { monitor } = session;
    if (!monitor || this.stopRequested) return;
    let accuracy: number;
    try {
      accuracy = await monitor.score(session.model);
    } catch (error) {
      if (this.stopRequested) return;  // abandoned at its next batch: the stop must be quick
      throw error;
    }
    const knnEvent = { type: 'knn' as const, epoch, accuracy, baseline: monitor.baselines };
    await session.run.log(knnEvent);
    yield knnEvent;
  }

  private async checkpoint(session: Session): Promise<TrainEvent> {
    const { run, model, core, position, config } = session;
    session.checkpointedStep = position.step;
    let path: string;
    try {
      path = await saveCheckpoint(run.path, { model, trainer: core, position, config, lr: learningRate(position.step, session.schedule) });
    } catch (error) {
      // The write goes through a temporary file: nothing partial is left, the last one stays.
      const cause = (error as Error).message.replace(/^saveCheckpoint: /, '');
      throw new FileError(`checkpoint at step ${position.step} not written: ${cause}; the previous checkpoint is kept`);
    }
    await pruneCheckpoints(run.path, config.keepCheckpoints);
    await run.log({ type: 'checkpoint', path, ...position });
    return { type: 'checkpoint', path, position };
  }
}
