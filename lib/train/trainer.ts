// The MVEB pre-training loop: data loading overlaps the native step, schedules are
// computed here and passed to each step, checkpoints and monitors run between epochs.
// `for await (const event of trainer.run())` drives it; `stop()` ends it after the step
// in progress, with a checkpoint. Laid out as DINO's main_dino.py: run (refusals) → setUp →
// the epoch loop of trainOneEpoch and closeEpoch.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeSkipped } from '../data/loader.js';
import { worldFromEnvironment } from '../distributed/environment.js';
import { FileError, InputError } from '../errors.js';
import {
  loadCheckpoint,
  pruneCheckpoints,
  refuseOlderCheckpoint,
  runDirectoryOf,
  saveCheckpoint,
  type LoadedCheckpoint,
} from './checkpoint.js';
import { presets, resolveConfig, type PresetName, type TrainConfig } from './config.js';
import { embeddingHealth } from './embedding-health.js';
import { launchedRun } from './launched-run.js';
import { checkAgainstMachine, initialWeights, refuseMissingProcessGroup, resumedConfig } from './preflight.js';
import { RunDirectory } from './run-directory.js';
import type { WeightsFile } from '../weights/read.js';
import { startFromMain, type RunStart } from './shared-start.js';
import { DataParallelRun } from './data-parallel.js';
import type { WorldEnvironment } from '../distributed/environment.js';
import { runName } from './run-name.js';
import { checkpointsIn } from '../run-checkpoint-files.js';
import { setUpSession } from './setup.js';
import type { MonitorScore } from './knn-monitor.js';
import { emaMomentum, learningRate } from './schedules.js';
import { writeReport } from '../report/write.js';
import type { EndReason, TrainEvent } from './events.js';
import type { EpochOutcome, RunOutput, Session, Setup } from './session.js';

export type { TrainEvent } from './events.js';

export interface TrainerOptions {
  preset?: string;
  /** A checkpoint file or run directory to continue. */
  resume?: string;
  /**
   * Data-parallel on this machine: run() starts this many worker processes (Gloo) and yields
   * rank 0's events. A process already started by a launcher (torchrun's variables) is a worker.
   */
  nprocPerNode?: number;
}

export class Trainer {
  readonly config: TrainConfig;
  /** What the caller set (preset and fields), compared with the checkpoint's on resume. */
  private readonly given: Partial<TrainConfig>;
  private readonly stopping = new AbortController();

  /** Validates the configuration at once: a bad field throws InputError before any work. */
  constructor(
    config: Partial<TrainConfig> = {},
    private readonly options: TrainerOptions = {},
  ) {
    // Resuming takes the configuration from the checkpoint: no data path needed here.
    const flags = options.resume && config.data === undefined ? { ...config, data: '(from the checkpoint)' } : config;
    this.config = resolveConfig({ ...(options.preset && { preset: options.preset }), flags });
    this.given = { ...(options.preset && presets[options.preset as PresetName]), ...config };
    const n = options.nprocPerNode;
    if (n !== undefined && (!Number.isInteger(n) || n < 1))
      throw new InputError(`nprocPerNode must be an integer >= 1, got ${n}`);
    // Refused here, before any worker starts (a resumed run's batch is checked by the workers).
    if (n !== undefined && n > 1 && !options.resume) refuseUnevenBatch(this.config, n);
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
    // is locked first, so that a run still writing it is named as such. In a data-parallel run
    // rank 0 alone owns the run directory.
    const startedAt = performance.now();
    const world = worldFromEnvironment();
    if (!world && (this.options.nprocPerNode ?? 1) > 1) {
      refuseMissingProcessGroup(this.config, this.options.nprocPerNode!);
      yield* launchedRun(this.given, {
        nprocPerNode: this.options.nprocPerNode!,
        signal: this.stopping.signal,
        ...(this.options.resume && { resume: this.options.resume }),
      });
      return;
    }
    let run: RunOutput | undefined;
    let parallel: DataParallelRun | undefined;
    try {
      // A data-parallel run's ranks join first; rank 0 alone reads the run directory (nodes need
      // not share a file system) and tells the others what it settled, or why it refused.
      if (world) {
        const { device } = checkAgainstMachine(this.config);
        parallel = await DataParallelRun.connect(world, this.config, this.deviceOf(device, world));
      }
      // Every refusal, on rank 0 (or the single process): its outcome is what the others learn.
      let initial: WeightsFile | undefined;
      const settle = async (): Promise<RunStart> => {
        let resumed: LoadedCheckpoint | undefined;
        const resume = this.options.resume ?? (await this.autoResumeDirectory());
        if (resume) {
          run = await RunDirectory.resume(await runDirectoryOf(resume));
          resumed = await loadCheckpoint(resume);
          await refuseOlderCheckpoint(resumed.path);
        }
        const config = resumed ? resumedConfig(resumed.config, this.given) : this.config;
        if (world) refuseUnevenBatch(config, world.worldSize);
        checkAgainstMachine(config);
        // --init-from's weights reach the other ranks by the broadcast after setup.
        if (config.initFrom && !resumed) initial = await initialWeights(config);
        run ??= await RunDirectory.create(config, { restart: config.autoResume });
        return { config, ...(resumed && { resumed }) };
      };
      const { config, resumed } = parallel ? await startFromMain(parallel.group, settle) : await settle();
      const machine = checkAgainstMachine(config);
      run ??= otherRankOutput;
      yield* this.train({
        config,
        device: this.deviceOf(machine.device, world),
        warnings: machine.warnings,
        run,
        startedAt,
        ...(resumed && { resumed }),
        ...(initial && { initial }),
        ...(world && { world }),
        ...(parallel && { parallel }),
      });
    } finally {
      await run?.close();
    }
  }

  /** One GPU per process: LOCAL_RANK picks it. */
  private deviceOf(device: string, world: WorldEnvironment | undefined): string {
    return world && device === 'cuda' ? `cuda:${world.localRank}` : device;
  }

  /**
   * autoResume: the named run's directory when it holds a checkpoint (the same command, run
   * again, continues it); undefined when it does not, and the run starts there.
   */
  private async autoResumeDirectory(): Promise<string | undefined> {
    if (!this.config.autoResume) return undefined;
    const dir = join(this.config.output, runName(this.config));
    return (await checkpointsIn(dir)).length > 0 ? dir : undefined;
  }

  /**
   * Whether the run stops here: in a data-parallel run, when any rank was asked to; whether the
   * time budget's deadline has passed (after this session's first step: any budget runs a step).
   */
  private async stopAgreed(
    session: Session,
    skip = false,
  ): Promise<{ stop: boolean; skip: boolean; outOfTime: boolean }> {
    const budget = session.timeBudget;
    const outOfTime =
      budget !== undefined &&
      session.position.step > (session.resumed?.step ?? 0) &&
      (performance.now() - session.startedAt) / 1000 > budget.trainUntilSeconds;
    if (!session.parallel) return { stop: this.stopRequested, skip, outOfTime };
    return session.parallel.agree(this.stopRequested, skip, outOfTime);
  }

  private async *train(setup: Setup): AsyncGenerator<TrainEvent> {
    const session = await setUpSession(setup, this.stopping.signal);
    const { config, run } = session;
    let reason: EndReason = 'completed';
    try {
      const { position, resumed } = session;
      yield {
        type: 'start',
        config,
        runDir: run.path,
        device: session.device,
        totalSteps: session.totalSteps,
        stepsPerEpoch: session.stepsPerEpoch,
        position,
        processes: session.parallel?.group.worldSize ?? 1,
        ...(session.timeBudget && { timeBudget: session.timeBudget }),
        ...(session.monitor?.costs && { monitorSeconds: session.monitor.costs }),
        ...(resumed && { resumedFrom: resumed.path }),
        ...(session.initializedFrom && { initializedFrom: session.initializedFrom }),
      };
      for (const message of session.warnings) yield { type: 'warning', message };
      const plan = session.timeBudget?.plan;
      if (plan?.minimal) {
        yield {
          type: 'warning',
          message: `time budget ${config.timeBudget} is less than the run needs besides training (about ${Math.round(plan.predictedSeconds)} s with one step): a minimal run of 1 step`,
        };
      }
      if (config.knnEvery > 0 && !session.monitor) {
        yield {
          type: 'warning',
          message: `no kNN monitor: it needs a labelled test split, which only fashion-mnist has for now (data: ${config.data})`,
        };
      }
      for (let epoch = session.position.epoch; epoch < session.epochs; epoch++) {
        if ((await this.stopAgreed(session)).stop) {
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
      // A run cut short by --max-steps or the budget's deadline is scored where it ended (a stop
      // is not: it must be quick).
      if (reason === 'max-steps' || reason === 'time-budget')
        yield* this.knnPass(session, session.position.epoch, true);
      // A stop before the first step has nothing to save.
      if (reason !== 'completed' && session.position.step > session.checkpointedStep) {
        const event = await this.checkpoint(session);
        if (event) yield event;
      }
    } finally {
      await session.loader.close();
    }
    const scores = session.monitor?.summary;
    const report = join(run.path, 'report.html');
    yield {
      type: 'end',
      reason,
      position: session.position,
      runDir: run.path,
      ...(scores && { knn: scores.knn }),
      ...(scores?.linear && { linear: scores.linear }),
      ...(existsSync(report) && { report }),
    };
  }

  /** The steps of one epoch, from where the run is; returns early when the run stops. */
  private async *trainOneEpoch(session: Session, epoch: number): AsyncGenerator<TrainEvent, EpochOutcome> {
    const { config, run, core } = session;
    const epochRun = session.loader.epoch(epoch, {
      startBatch: epoch === session.position.epoch ? session.position.batch : 0,
    });
    const outcome: EpochOutcome = {
      started: performance.now(),
      report: epochRun.report,
      losses: 0,
      steps: 0,
      stepsRun: 0,
      skippedSteps: 0,
      images: 0,
    };
    for await (const batch of epochRun) {
      // Every rank decides together: a rank that stops or skips alone would leave the others
      // waiting in a collective.
      const agreed = await this.stopAgreed(session, batch.indices.length < 2);
      if (session.parallel && agreed.stop) return { ...outcome, stop: 'stopped' };
      if (agreed.outOfTime) return { ...outcome, stop: 'time-budget' };
      const step = session.position.step;
      session.position = { epoch, batch: batch.index + 1, step: step + 1 };
      if (agreed.skip) {
        // Batch norm needs two images; the others of this batch could not be decoded.
        outcome.skippedSteps++;
        const message = `step ${step + 1}: batch ${batch.index} of epoch ${epoch} has ${batch.indices.length} decodable image of ${batch.indices.length + batch.skipped.length}${session.parallel ? ' on some rank' : ''}; step skipped`;
        await run.log({
          type: 'skipped-step',
          epoch,
          step: step + 1,
          batch: batch.index,
          reason: 'fewer than 2 decodable images',
        });
        yield { type: 'warning', message };
      } else {
        const lr = learningRate(step, session.schedule);
        const momentum = emaMomentum(step, { totalSteps: session.totalSteps, base: config.emaBase });
        const stats = await core.step(batch.views, { lr, emaMomentum: momentum, beta: config.beta });
        outcome.stepsRun++;
        outcome.images += batch.indices.length * (session.parallel?.group.worldSize ?? 1);
        outcome.lastViews = batch.views;
        if (stats.skipped) outcome.skippedSteps++;
        else {
          outcome.losses += stats.loss;
          outcome.steps++;
        }
        const epochSeconds = (performance.now() - outcome.started) / 1000;
        const event = {
          type: 'step' as const,
          epoch,
          step: step + 1,
          batch: batch.index,
          lr,
          emaMomentum: momentum,
          images: batch.indices.length,
          imagesPerSecond: outcome.images / epochSeconds,
          epochImages: outcome.images,
          epochSeconds,
          ...stats,
        };
        if ((step + 1) % config.logEvery === 0 || stats.skipped) await run.log(event);
        yield event;
        if (stats.skipped)
          yield { type: 'warning', message: `step ${step + 1}: non-finite loss or gradients, step skipped` };
      }
      // --steps may end the run inside an epoch: closeEpoch scores it and writes its checkpoint.
      if (session.position.step >= session.totalSteps) return outcome;
      // Mid-epoch checkpoints bound what a preemption loses; the epoch's last step is closeEpoch's.
      if (stepCheckpointDue(config, session.position.step) && session.position.batch < session.stepsPerEpoch) {
        const event = await this.checkpoint(session);
        if (event) yield event;
      }
      if (config.maxSteps > 0 && session.position.step >= config.maxSteps) return { ...outcome, stop: 'max-steps' };
      if (!session.parallel && this.stopRequested) return { ...outcome, stop: 'stopped' };
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
      type: 'epoch' as const,
      epoch,
      step: session.position.step,
      meanLoss: outcome.steps ? outcome.losses / outcome.steps : NaN,
      skippedSteps: outcome.skippedSteps,
      skippedImages: outcome.report.skipped,
      seconds,
      imagesPerSecond: outcome.images / seconds,
      ...(health && { health }),
    };
    await run.log(epochEvent);
    yield epochEvent;
    if (health && health.stdMean * Math.sqrt(config.projectorOut) < config.collapseThreshold) {
      yield {
        type: 'warning',
        message: `collapse: embedding std ${health.stdMean.toExponential(2)} × √d is below ${config.collapseThreshold}`,
      };
    }
    const last = epoch + 1 === session.epochs;
    if ((epoch + 1) % config.knnEvery === 0 || last) yield* this.knnPass(session, epoch, last);
    if (
      (epoch + 1) % config.checkpointEvery === 0 ||
      epoch + 1 === session.epochs ||
      stepCheckpointDue(config, session.position.step)
    ) {
      const event = await this.checkpoint(session);
      if (event) yield event;
    }
  }

  /** kNN (and at the end, `withLinear`, the linear probe) on rank 0; the other ranks wait. */
  private async *knnPass(session: Session, epoch: number, withLinear = false): AsyncGenerator<TrainEvent> {
    const { monitor, parallel } = session;
    if (!monitor && !parallel) return;
    const score = parallel
      ? await parallel.onMain(() => this.knnScore(session, withLinear))
      : await this.knnScore(session, withLinear);
    if (!score || !monitor) return;
    const events: Array<Extract<TrainEvent, { type: 'knn' | 'linear' }>> = [
      { type: 'knn', epoch, step: session.position.step, accuracy: score.knn, baseline: monitor.knnBaselines },
    ];
    if (score.linear !== undefined)
      events.push({
        type: 'linear',
        epoch,
        step: session.position.step,
        accuracy: score.linear,
        baseline: monitor.linearBaselines,
      });
    for (const event of events) {
      await session.run.log(event);
      yield event;
    }
  }

  private async knnScore(session: Session, withLinear: boolean): Promise<MonitorScore | undefined> {
    if (!session.monitor || this.stopRequested) return undefined;
    try {
      return await session.monitor.score(session.model, withLinear);
    } catch (error) {
      if (this.stopRequested) return undefined; // abandoned at its next batch: the stop must be quick
      throw error;
    }
  }

  /** Rank 0 writes the checkpoint (the others wait for it); undefined on the other ranks. */
  private async checkpoint(session: Session): Promise<TrainEvent | undefined> {
    session.checkpointedStep = session.position.step;
    const { parallel } = session;
    if (!parallel) return this.writeCheckpoint(session);
    // What is saved is rank 0's: say whether every rank holds the same (online, target, BN).
    const replicaDrift = await parallel.group.replicaDrift(session.model);
    return parallel.onMain(() => this.writeCheckpoint(session, replicaDrift));
  }

  private async writeCheckpoint(session: Session, replicaDrift?: number): Promise<TrainEvent> {
    const { run, model, core, position, config } = session;
    let path: string;
    try {
      path = await saveCheckpoint(run.path, {
        model,
        trainer: core,
        position,
        config,
        lr: learningRate(position.step, session.schedule),
      });
    } catch (error) {
      // The write goes through a temporary file: nothing partial is left, the last one stays.
      const cause = (error as Error).message.replace(/^saveCheckpoint: /, '');
      throw new FileError(`checkpoint at step ${position.step} not written: ${cause}; the previous checkpoint is kept`);
    }
    await pruneCheckpoints(run.path, config.keepCheckpoints);
    await run.log({ type: 'checkpoint', path, ...position, ...(replicaDrift !== undefined && { replicaDrift }) });
    // The report is a view of what is logged: failing to draw it never stops a run.
    const report = await writeReport(run.path).then(
      (files) => files.html,
      (error: Error) => `not written: ${error.message}`,
    );
    return { type: 'checkpoint', path, position, report, ...(replicaDrift !== undefined && { replicaDrift }) };
  }
}

/** checkpointEverySteps: whether the step just taken is one to checkpoint after. */
function stepCheckpointDue(config: TrainConfig, step: number): boolean {
  return config.checkpointEverySteps > 0 && step % config.checkpointEverySteps === 0;
}

/** The global batch must split evenly over the processes. */
function refuseUnevenBatch(config: TrainConfig, processes: number): void {
  if (config.batchSize % processes !== 0) {
    throw new InputError(
      `config: batchSize ${config.batchSize} (the global batch) must be a multiple of the ${processes} processes`,
    );
  }
}

/** The other ranks of a data-parallel run write nothing: rank 0 owns the run directory. */
const otherRankOutput: RunOutput = {
  path: '(written by rank 0)',
  writeConfig: async () => {},
  startEvents: async () => {},
  log: async () => {},
  close: async () => {},
};
