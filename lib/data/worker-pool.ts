// A fixed pool of worker threads running one task each at a time. Idle workers are
// unref'd, so a pool nobody closed never keeps the process alive; a crashed worker
// fails its task and every later one with its error, never silently.
import { Worker } from 'node:worker_threads';

interface Pending<R> {
  resolve(result: R): void;
  reject(error: Error): void;
}

interface Slot<R> {
  worker: Worker;
  busy?: { id: number } & Pending<R>;
}

export class WorkerPool<T extends { id: number }, R extends { id: number; error?: string }> {
  private readonly slots: Slot<R>[];
  private readonly queue: Array<{ task: T; transfer: ArrayBuffer[] } & Pending<R>> = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(
    script: URL,
    size: number,
    workerData: unknown,
    private readonly name = 'worker',
  ) {
    this.slots = Array.from({ length: size }, () => this.spawn(script, workerData));
  }

  get size(): number {
    return this.slots.length;
  }

  run(task: T, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`${this.name} pool is closed`));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ task, transfer, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error(`${this.name} pool closed`);
    for (const waiting of this.queue.splice(0)) waiting.reject(error);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(script: URL, workerData: unknown): Slot<R> {
    // Workers inherit Node's flags (a TypeScript loader under tests), except the ones
    // that only make sense for the main script.
    const execArgv = process.execArgv.filter((flag) => !/^--(input-type|eval|print)\b/.test(flag));
    const worker = new Worker(script, { workerData, execArgv });
    worker.unref();
    const slot: Slot<R> = { worker };
    worker.on('message', (result: R) => {
      const busy = slot.busy;
      if (!busy || busy.id !== result.id) return;
      slot.busy = undefined;
      worker.unref();
      if (result.error !== undefined) busy.reject(new Error(`${this.name}: ${result.error}`));
      else busy.resolve(result);
      this.dispatch();
    });
    worker.on('error', (error) => this.fail(slot, new Error(`${this.name} crashed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(slot, new Error(`${this.name} exited unexpectedly (code ${code})`));
    });
    return slot;
  }

  private fail(slot: Slot<R>, error: Error): void {
    this.failure ??= error;
    slot.busy?.reject(error);
    slot.busy = undefined;
    for (const waiting of this.queue.splice(0)) waiting.reject(error);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0 || this.failure) return;
      if (slot.busy) continue;
      const { task, transfer, resolve, reject } = this.queue.shift()!;
      slot.busy = { id: task.id, resolve, reject };
      slot.worker.ref();
      slot.worker.postMessage(task, transfer);
    }
  }
}
