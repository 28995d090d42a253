// What `train` prints: a live progress line with ETA, images/s, loss and lr on a TTY,
// plain lines otherwise, JSON with --json, little with --quiet.
import { versioned } from '../output-schema.js';
import { formatDuration } from '../train/duration.js';
import type { KnnSummary, MonitorCosts } from '../train/knn-monitor.js';
import { midRunPasses, type TimeBudget } from '../train/time-budget.js';
import type { TrainEvent } from '../train/trainer.js';

function percent(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

export class ProgressPrinter {
  private readonly tty = Boolean(process.stdout.isTTY);
  private live = false;
  private totalSteps = 0;
  private startStep = 0;
  private resumed = false;
  private started = performance.now();
  private knnSettings = 'k = 200, T = 0.1';
  private stepsPerEpoch = 1;
  private knnEvery = 0;
  private monitorSeconds: MonitorCosts | undefined;

  /** silent: print nothing (the ranks of a data-parallel run other than 0). */
  constructor(private readonly mode: { quiet: boolean; json: boolean; silent?: boolean }) {}

  print(event: TrainEvent): void {
    if (this.mode.silent) return;
    if (this.mode.json) {
      process.stdout.write(JSON.stringify(versioned(event)) + '\n');
      return;
    }
    switch (event.type) {
      case 'start':
        this.totalSteps = event.totalSteps;
        this.startStep = event.position.step;
        this.resumed = event.resumedFrom !== undefined;
        this.knnSettings = `k = ${event.config.knnK}, T = ${event.config.knnTemperature}`;
        this.stepsPerEpoch = event.stepsPerEpoch;
        this.knnEvery = event.config.knnEvery;
        this.monitorSeconds = event.monitorSeconds;
        this.started = performance.now();
        if (!this.mode.quiet) {
          this.line(
            `${event.resumedFrom ? `resuming ${event.resumedFrom} at step ${event.position.step}` : 'training'}: ` +
              `${event.config.arch} on ${event.config.data}, ${lengthText(event.totalSteps, event.stepsPerEpoch)} ` +
              `of ${event.config.batchSize} images, ${event.device}` +
              `${event.processes > 1 ? ` × ${event.processes} processes (${event.device.startsWith('cuda') ? 'NCCL' : 'Gloo'})` : ''}; run directory ${event.runDir}`,
          );
          if (event.timeBudget) this.line(budgetText(event.timeBudget, event.totalSteps));
          const init = event.initializedFrom;
          if (init) {
            this.line(
              `initialised from ${init.path} (${init.format}): ${init.loaded.join(', ')}` +
                (init.ignored.length
                  ? `; not used: ${init.ignored.slice(0, 6).join(', ')}${init.ignored.length > 6 ? ', …' : ''}`
                  : ''),
            );
          }
        }
        break;
      case 'step': {
        if (this.mode.quiet) break;
        const done = event.step - this.startStep;
        const elapsed = (performance.now() - this.started) / 1000;
        const eta = (elapsed / Math.max(1, done)) * (this.totalSteps - event.step) + this.monitorLeft(event.step);
        const text =
          `epoch ${event.epoch + 1} step ${event.step}/${this.totalSteps} ` +
          `loss ${event.loss.toFixed(4)} lr ${event.lr.toExponential(2)} ` +
          `${event.imagesPerSecond.toFixed(0)} img/s ETA ${formatDuration(eta)}`;
        if (this.tty) {
          const width = 24;
          const filled = Math.round((width * event.step) / Math.max(1, this.totalSteps));
          process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
          this.live = true;
        } else if (event.step % 10 === 0 || event.step === this.totalSteps) {
          process.stdout.write(text + '\n');
        }
        break;
      }
      case 'epoch':
        if (!this.mode.quiet) {
          const health = event.health
            ? `, embedding std ${event.health.stdMean.toExponential(2)}, effective rank ${event.health.effectiveRank.toFixed(1)}`
            : '';
          this.line(
            `epoch ${event.epoch + 1}: mean loss ${event.meanLoss.toFixed(4)}, ${event.imagesPerSecond.toFixed(1)} img/s, ` +
              `${event.skippedSteps} steps skipped${health}`,
          );
        }
        break;
      case 'knn':
      case 'linear':
        if (!this.mode.quiet)
          this.line(
            `epoch ${event.epoch + 1}: ${event.type === 'knn' ? 'kNN' : 'linear-probe'} accuracy ${percent(event.accuracy)}`,
          );
        break;
      case 'checkpoint':
        if (!this.mode.quiet) this.line(`checkpoint ${event.path}`);
        if (event.replicaDrift) {
          this.line(
            `warning: the ranks' weights differ from rank 0's (drift ${event.replicaDrift.toExponential(2)}); the checkpoint holds rank 0's`,
            process.stderr,
          );
        }
        break;
      case 'warning':
        this.line(`warning: ${event.message}`, process.stderr);
        break;
      case 'end': {
        if (event.reason === 'stopped' && event.position.step === this.startStep && !this.resumed) {
          this.line('stopped before the first step: nothing to save, no run directory kept');
          break;
        }
        const ended = {
          completed: 'done',
          stopped: 'stopped',
          'max-steps': 'reached max-steps',
          'time-budget': `the time budget's deadline stopped training (${this.totalSteps} steps planned)`,
        }[event.reason];
        this.line(`${ended} at step ${event.position.step}; run directory ${event.runDir}`);
        if (event.knn) {
          const column = (s: KnnSummary | undefined, key: keyof KnnSummary) =>
            s?.[key] === undefined ? '' : percent(s[key]!).padStart(9);
          const rows = [
            `                                     kNN   linear`,
            `  pretrained backbone         ${column(event.knn, 'pretrained')}${column(event.linear, 'pretrained')}`,
            `  same backbone, initialised  ${column(event.knn, 'initialisation')}${column(event.linear, 'initialisation')}  (BN statistics re-estimated)`,
            `  raw pixels                  ${column(event.knn, 'rawPixels')}${column(event.linear, 'rawPixels')}`,
          ];
          this.line(
            `accuracy on the held-out split (kNN: ${this.knnSettings}; linear probe on the same features):\n${rows.join('\n')}`,
          );
        }
        if (event.report) this.line(`report: ${event.report}`);
        break;
      }
    }
  }

  /** What the kNN passes still to come and the final evaluation take, once the baselines timed them. */
  private monitorLeft(step: number): number {
    if (!this.monitorSeconds || this.knnEvery === 0) return 0;
    const epochs = Math.ceil(this.totalSteps / this.stepsPerEpoch);
    const epochsDone = Math.floor(step / this.stepsPerEpoch);
    // The mid-run passes not yet run (a pass follows every knnEvery-th epoch).
    const passes = Math.max(0, midRunPasses(epochs, this.knnEvery) - Math.floor(epochsDone / this.knnEvery));
    const { passSeconds, linearSeconds } = this.monitorSeconds;
    return passes * passSeconds + passSeconds + linearSeconds;
  }

  close(): void {
    if (this.live) process.stdout.write('\n');
    this.live = false;
  }

  private line(text: string, stream: NodeJS.WriteStream = process.stdout): void {
    if (this.live) process.stdout.write('\n');
    this.live = false;
    stream.write(text + '\n');
  }
}

/** "2 epochs × 468 steps", or "1032 steps (2.2 epochs of 468)" when the steps end inside an epoch. */
function lengthText(totalSteps: number, stepsPerEpoch: number): string {
  const epochs = totalSteps / stepsPerEpoch;
  if (Number.isInteger(epochs)) return `${epochs} epoch${epochs === 1 ? '' : 's'} × ${stepsPerEpoch} steps`;
  return `${totalSteps} steps (${epochs.toFixed(1)} epochs of ${stepsPerEpoch})`;
}

/** What the time budget decided, and from what. */
function budgetText(budget: TimeBudget, totalSteps: number): string {
  const { plan } = budget;
  const of = `time budget ${formatDuration(budget.budgetSeconds)}`;
  if (!plan) {
    return `${of}: ${totalSteps} steps as configured; training stops by ${formatDuration(budget.trainUntilSeconds)} at the latest`;
  }
  const measured = `${plan.secondsPerStep.toFixed(3)} s/step over ${plan.calibrationSteps} calibration steps (thrown away), a checkpoint ${plan.checkpointSeconds.toFixed(1)} s, the final evaluation and its checkpoint ${plan.finalSeconds.toFixed(1)} s`;
  if (plan.minimal)
    return `${of}: a minimal run of 1 step, about ${formatDuration(plan.predictedSeconds)} (${measured})`;
  return `${of}: ${plan.steps} steps, ending in about ${formatDuration(plan.predictedSeconds)} (${measured}); recorded in config.yaml (steps: ${plan.steps})`;
}
