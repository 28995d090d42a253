// The MVEB pre-training loop: data loading overlaps the native step, schedules are
// computed here and passed to each step, checkpoints and monitors run between epochs.
// `for await (const event of trainer.run())` drives it; `stop()` ends it after the step
// in progress, with a checkpoint.
import { availableParallelism } from 'node:os';
import type { Dataset } from '../data/dataset.js';
import { DataLoader, describeSkipped } from '../data/loader.js';
import { multiCropViews, type ViewSpec } from '../data/multicrop.js';
import { openDataset } from '../data/open-dataset.js';
import { evenSubset } from '../data/subset.js';
import { FileError, InputError } from '../errors.js';
import { backboneKnnAccuracy, rawPixelKnnAccuracy, reestimateBatchNorm } from '../eval/knn.js';
import { setNumThreads } from '../info.js';
import { createModel, type Model, type ModelOptions } from '../models.js';
import { native, type NativeEmbeddingHealth, type NativeTrainStepStats } from '../native.js';
import type { Tensor } from '../tensor.js';
import { loadCheckpoint, pruneCheckpoints, refuseOlderCheckpoint, runDirectoryOf, saveCheckpoint, type LoadedCheckpoint, type TrainingPosition } from './checkpoint.js';
import { presets, resolveConfig, type PresetName, type TrainConfig } from './config.js';
import { checkAgainstMachine, resumedConfig } from './preflight.js';
import { RunDirectory } from './run-directory.js';
import { TrainingCore } from './training-core.js';
import { emaMomentum, learningRate } from './schedules.js';

export type TrainEvent =
  | { type: 'start'; config: TrainConfig; runDir: string; device: string; totalSteps: number; stepsPerEpoch: number; resumedFrom?: string; position: TrainingPosition }
  | ({ type: 'step'; epoch: number; step: number; batch: number; lr: number; emaMomentum: number; images: number; imagesPerSecond: number; epochImages: number; epochSeconds: number } & NativeTrainStepStats)
  | { type: 'epoch'; epoch: number; step: number; meanLoss: number; skippedSteps: number; skippedImages: number; seconds: number; imagesPerSecond: number; health?: NativeEmbeddingHealth }
  | { type: 'knn'; epoch: number; accuracy: number; baseline?: { initialisation?: number; rawPixels?: number } }
  | { type: 'checkpoint'; path: string; position: TrainingPosition }
  | { type: 'warning'; message: string }
  | { type: 'end'; reason: 'completed' | 'stopped' | 'max-steps'; position: TrainingPosition; runDir: string; knn?: { pretrained: number; initialisation?: number; rawPixels?: number } };

export interface TrainerOptions {
  preset?: string;
  /** A checkpoint file or run directory to continue. */
  resume?: string;
}

/** Setup (checks, run directory, data, model) apart from the epoch loop, as DINO's main_dino.py. */
interface Setup {
  config: TrainConfig;
  device: string;
  warnings: string[];
  run: RunDirectory;
  resumed?: LoadedCheckpoint;
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

  private async *train({ config, device, warnings, run, resumed }: Setup): AsyncGenerator<TrainEvent> {
    const dataset = await openDataset(config.data);
    const cores = availableParallelism();
    await setNumThreads(config.threads || cores);
    await native().manualSeed(config.seed);

    const model = createModel(modelOptionsOf(config));
    await model.to(device);
    await model.train();
    const trainer = new TrainingCore(model, {
      optimizer: config.optimizer,
      momentum: config.momentum,
      weightDecay: config.weightDecay,
      trustCoefficient: config.trustCoefficient,
      lossScaling: config.precision === 'fp16' && device.startsWith('cuda'),
    });

    const views = viewsOf(config);
    const loader = new DataLoader({
      dataset, batchSize: config.batchSize, views, seed: config.seed, device, workers: config.workers || cores,
    });
    const stepsPerEpoch = loader.batchesPerEpoch;
    const totalSteps = stepsPerEpoch * config.epochs;
    const schedule = { baseLr: config.baseLr, globalBatch: config.batchSize, warmupSteps: config.warmupEpochs * stepsPerEpoch, totalSteps, cosineSpan: config.cosineSpan };
    if (!resumed) await run.writeConfig(config);

    let position: TrainingPosition = { epoch: 0, batch: 0, step: 0 };
    if (resumed) {
      await model.loadStateDict(resumed.model, { part: 'model', strict: true });
      await trainer.loadMomentumBuffers(resumed.momentumBuffers);
      await trainer.loadScaler(resumed.scaler);
      position = { epoch: resumed.epoch, batch: resumed.batch, step: resumed.step };
    }
    let checkpointedStep = position.step;

    const monitor = config.knnEvery > 0 ? await knnSplits(config, dataset) : undefined;
    const featureOptions = { size: config.globalSize, device, workers: config.workers || cores, signal: this.stopping.signal };
    const knnOptions = { ...featureOptions, k: config.knnK, temperature: config.knnTemperature };
    let initialKnn: number | undefined;
    let rawPixels: number | undefined;
    try {
      if (monitor && !resumed) {
        // The honest baselines, measured before training changes anything.
        await reestimateBatchNorm(model, monitor.train, featureOptions);
        initialKnn = await backboneKnnAccuracy(model, monitor.train, monitor.test, knnOptions);
        rawPixels = await rawPixelKnnAccuracy(monitor.train, monitor.test, knnOptions);
        // Back to the exact initial state: re-estimation moved the BN statistics.
        await native().manualSeed(config.seed);
        const fresh = createModel(modelOptionsOf(config));
        await model.handle.loadStateDict(await fresh.handle.stateDict({ part: 'model' }), { part: 'model', strict: true });
      }
    } catch (error) {
      if (!this.stopRequested) throw error;
    }

    yield { type: 'start', config, runDir: run.path, device, totalSteps, stepsPerEpoch, position, ...(resumed && { resumedFrom: resumed.path }) };
    for (const message of warnings) yield { type: 'warning', message };
    if (config.knnEvery > 0 && !monitor) {
      yield { type: 'warning', message: `no kNN monitor: it needs a labelled test split, which only fashion-mnist has for now (data: ${config.data})` };
    }
    const lrAt = (step: number) => learningRate(step, schedule);
    let reason: 'completed' | 'stopped' | 'max-steps' = 'completed';
    let lastKnn: number | undefined;
    const stopped = () => this.stopRequested;
    async function* knnPass(epoch: number): AsyncGenerator<TrainEvent> {
      if (!monitor || stopped()) return;
      try {
        lastKnn = await backboneKnnAccuracy(model, monitor.train, monitor.test, knnOptions);
      } catch (error) {
        if (stopped()) return;  // abandoned at its next batch: the stop must be quick
        throw error;
      }
      const baseline = { ...(initialKnn !== undefined && { initialisation: initialKnn }), ...(rawPixels !== undefined && { rawPixels }) };
      const knnEvent = { type: 'knn' as const, epoch, accuracy: lastKnn, baseline };
      await run.log(knnEvent);
      yield knnEvent;
    }
    const checkpoint = async (): Promise<TrainEvent> => {
      checkpointedStep = position.step;
      return this.checkpoint(run, model, trainer, position, config, lrAt(position.step));
    };
    try {
      epochs: for (let epoch = position.epoch; epoch < config.epochs; epoch++) {
        if (this.stopRequested) {
          reason = 'stopped';
          break;
        }
        const started = performance.now();
        const epochRun = loader.epoch(epoch, { startBatch: epoch === position.epoch ? position.batch : 0 });
        let losses = 0;
        let steps = 0;
        let stepsRun = 0;
        let skippedSteps = 0;
        let images = 0;
        let lastViews: Tensor[] | undefined;
        for await (const batch of epochRun) {
          const step = position.step;
          position = { epoch, batch: batch.index + 1, step: step + 1 };
          if (batch.indices.length < 2) {
            // Batch norm needs two images; the others of this batch could not be decoded.
            skippedSteps++;
            const message = `step ${step + 1}: batch ${batch.index} of epoch ${epoch} has ${batch.indices.length} decodable image of ${batch.indices.length + batch.skipped.length}; step skipped`;
            await run.log({ type: 'skipped-step', epoch, step: step + 1, batch: batch.index, reason: 'fewer than 2 decodable images' });
            yield { type: 'warning', message };
          } else {
            const lr = lrAt(step);
            const momentum = emaMomentum(step, { totalSteps, base: config.emaBase });
            const stats = await trainer.step(batch.views, { lr, emaMomentum: momentum, beta: config.beta });
            stepsRun++;
            images += batch.indices.length;
            lastViews = batch.views;
            if (stats.skipped) skippedSteps++;
            else {
              losses += stats.loss;
              steps++;
            }
            const epochSeconds = (performance.now() - started) / 1000;
            const event = {
              type: 'step' as const, epoch, step: step + 1, batch: batch.index, lr, emaMomentum: momentum, images: batch.indices.length,
              imagesPerSecond: images / epochSeconds, epochImages: images, epochSeconds, ...stats,
            };
            if ((step + 1) % config.logEvery === 0 || stats.skipped) await run.log(event);
            yield event;
            if (stats.skipped) yield { type: 'warning', message: `step ${step + 1}: non-finite loss or gradients, step skipped` };
          }
          if (config.maxSteps > 0 && position.step >= config.maxSteps) {
            reason = 'max-steps';
            break epochs;
          }
          if (this.stopRequested) {
            reason = 'stopped';
            break epochs;
          }
        }
        const skippedReport = describeSkipped(epochRun.report);
        if (epochRun.report.batches > 0 && stepsRun === 0) {
          const { images: decoded, skipped } = epochRun.report;
          throw new InputError(
            `nothing to train on: ${decoded} of ${decoded + skipped} images of ${config.data} could be decoded in epoch ${epoch}` +
              `, and no batch had the 2 images a step needs${skippedReport ? ` (${skippedReport})` : ''}`,
          );
        }
        if (skippedReport) yield { type: 'warning', message: skippedReport };
        position = { epoch: epoch + 1, batch: 0, step: position.step };
        const health = lastViews ? await embeddingHealth(model, lastViews) : undefined;
        const seconds = (performance.now() - started) / 1000;
        const epochEvent = {
          type: 'epoch' as const, epoch, step: position.step, meanLoss: steps ? losses / steps : NaN, skippedSteps,
          skippedImages: epochRun.report.skipped, seconds, imagesPerSecond: images / seconds, ...(health && { health }),
        };
        await run.log(epochEvent);
        yield epochEvent;
        if (health && health.stdMean * Math.sqrt(config.projectorOut) < config.collapseThreshold) {
          yield { type: 'warning', message: `collapse: embedding std ${health.stdMean.toExponential(2)} × √d is below ${config.collapseThreshold}` };
        }
        if ((epoch + 1) % config.knnEvery === 0 || epoch + 1 === config.epochs) yield* knnPass(epoch);
        if ((epoch + 1) % config.checkpointEvery === 0 || epoch + 1 === config.epochs) yield await checkpoint();
      }
      // A run cut short by --max-steps is scored where it ended (a stop is not: it must be quick).
      if (reason === 'max-steps') yield* knnPass(position.epoch);
      // A stop before the first step has nothing to save.
      if (reason !== 'completed' && position.step > checkpointedStep) yield await checkpoint();
    } finally {
      await loader.close();
    }
    yield {
      type: 'end', reason, position, runDir: run.path,
      ...(lastKnn !== undefined && { knn: { pretrained: lastKnn, ...(initialKnn !== undefined && { initialisation: initialKnn }), ...(rawPixels !== undefined && { rawPixels }) } }),
    };
  }

  private async checkpoint(
    run: RunDirectory, model: Model, trainer: TrainingCore, position: TrainingPosition, config: TrainConfig, lr: number,
  ): Promise<TrainEvent> {
    let path: string;
    try {
      path = await saveCheckpoint(run.path, { model, trainer, position, config, lr });
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

function modelOptionsOf(config: TrainConfig): ModelOptions {
  return {
    arch: config.arch,
    smallStem: config.smallStem,
    projector: { hidden: config.projectorHidden, out: config.projectorOut },
    target: config.target,
    precision: config.precision,
  };
}

function viewsOf(config: TrainConfig): ViewSpec[] {
  const views = multiCropViews({
    globalSize: config.globalSize, localSize: config.localSize, localCrops: config.localCrops,
    globalScale: config.globalScale, localScale: config.localScale,
  });
  if (config.colorAugment) return views;
  return views.map((v) => ({ ...v, photometric: { jitterProb: 0, grayscaleProb: 0, blurProb: 0, solarizeProb: 0 } }));
}

// The labelled pair the kNN monitor uses: Fashion-MNIST's train and test splits.
async function knnSplits(config: TrainConfig, dataset: Dataset): Promise<{ train: Dataset; test: Dataset } | undefined> {
  if (config.data !== 'fashion-mnist' && config.data !== 'fashion-mnist:test') return undefined;
  const test = await openDataset('fashion-mnist:test');
  return { train: evenSubset(dataset, config.knnTrainImages), test: evenSubset(test, config.knnTestImages) };
}

// In eval mode: a train-mode forward would move the BN statistics, and a run resumed at an
// epoch's end (where this pass has no batch to look at) would then differ from an
// uninterrupted one.
async function embeddingHealth(model: Model, views: Tensor[]): Promise<NativeEmbeddingHealth> {
  await model.eval();
  try {
    const [z1, z2] = await model.embed(views.slice(0, 2));
    return await native().eval.embeddingHealth(z1!.handle, z2!.handle);
  } finally {
    await model.train();
  }
}
