// Group commit: many callers submit, one writer commits them together. The writer takes what has
// queued (up to `maxBatch`), commits it in one durable transaction, then answers every caller; what
// arrives meanwhile forms the next batch. An idle writer waits at most `maxWaitMs` for company.
export interface GroupCommitOptions {
  /** Most submissions in one transaction. */
  readonly maxBatch: number;
  /** Longest a submission waits for others before an idle writer commits it alone. */
  readonly maxWaitMs: number;
  /** Most submissions waiting at once; past it `submit` refuses at once instead of growing memory. */
  readonly queueMax: number;
}

export const defaultGroupCommitOptions: GroupCommitOptions = { maxBatch: 256, maxWaitMs: 2, queueMax: 100_000 };

/**
 * Batches a writer may have in flight at once (default 1). A committer that plans a batch
 * synchronously when called and then waits for a writer thread (the SQLite store) sets 2: batch
 * n+1 is planned while batch n is written. Batches are started, and so planned, in order.
 * A second batch starts early only once `minBatch` submissions wait: under light load the next
 * batch forms while the current one commits, so there are fewer, larger commits (fewer fsyncs),
 * and the pipeline only works when there is a queue to work through.
 */
export interface PipelineOptions {
  readonly depth: number;
  readonly minBatch: number;
}

export class LedgerOverloadedError extends Error {
  readonly code = 'ledger_overloaded';
  constructor() {
    super('the ledger writer queue is full; retry shortly');
  }
}

export class LedgerClosedError extends Error {
  readonly code = 'ledger_closed';
  constructor() {
    super('the ledger is shutting down');
  }
}

interface Waiter<Req, Res> {
  readonly request: Req;
  resolve(result: Res): void;
  reject(error: unknown): void;
}

export class GroupCommitWriter<Req, Res> {
  private queue: Waiter<Req, Res>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  /** Sizes of committed batches, for metrics and benchmarks. */
  batches = 0;
  committed = 0;
  /** Batches started while another was still committing (pipelined). */
  overlapped = 0;

  /** Wakes a loop that waits for a batch to finish when a submission could start another. */
  private wake: (() => void) | null = null;

  constructor(
    /** Commits a batch durably and returns one result per request, in order. */
    private readonly commit: (requests: Req[]) => Promise<Res[]>,
    private readonly options: GroupCommitOptions = defaultGroupCommitOptions,
    private readonly pipeline: PipelineOptions = { depth: 1, minBatch: 1 },
  ) {}

  submit(request: Req): Promise<Res> {
    if (this.closed) return Promise.reject(new LedgerClosedError());
    if (this.queue.length >= this.options.queueMax) return Promise.reject(new LedgerOverloadedError());
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.running) {
        // The running loop takes it with the next batch, or now if it may start one early.
        if (this.queue.length >= this.pipeline.minBatch) this.wake?.();
        return;
      }
      if (this.queue.length >= this.options.maxBatch) this.start();
      else this.timer ??= setTimeout(() => { this.start(); }, this.options.maxWaitMs);
    });
  }

  /** Commits everything queued, then refuses new submissions. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length > 0 && !this.running) this.start();
    // A loop may restart (the safety net in start) for a submission queued just before `closed`
    // was set; wait until no loop runs, not only for the one running now.
    while (this.running) await this.running;
  }

  private start(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      // Anything that arrived during the last commit was taken by the loop; this is a safety net.
      if (this.queue.length > 0) this.start();
    });
  }

  private async loop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (this.queue.length > 0 || inFlight.size > 0) {
      const mayStart = inFlight.size === 0 ? this.queue.length > 0 : inFlight.size < this.pipeline.depth && this.queue.length >= this.pipeline.minBatch;
      if (mayStart) {
        if (inFlight.size > 0) this.overlapped++;
        const done: Promise<void> = this.run(this.queue.splice(0, this.options.maxBatch)).finally(() => inFlight.delete(done));
        inFlight.add(done);
        continue;
      }
      // Wait for a batch to finish, or (with room in the pipeline) for a submission to start another.
      const woken = new Promise<void>((resolve) => {
        this.wake = inFlight.size < this.pipeline.depth ? resolve : null;
      });
      await Promise.race([...inFlight, woken]);
      this.wake = null;
    }
  }

  private async run(batch: Waiter<Req, Res>[]): Promise<void> {
    try {
      const results = await this.commit(batch.map((w) => w.request));
      if (results.length !== batch.length) throw new Error(`writer returned ${results.length} results for ${batch.length} requests`);
      this.batches++;
      this.committed += batch.length;
      batch.forEach((w, i) => { w.resolve(results[i] as Res); });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
