// Runs a background job every so often (the LIVE auto-end job): one run at a time, each run waiting
// for the previous to finish; a failing run is reported to onError and never thrown; stop() waits
// for a run in progress, so shutdown closes the database only after it. The timer does not keep
// the process alive.
export interface IntervalJob {
  stop(): Promise<void>;
}

export interface IntervalJobOptions {
  /** Pause between the end of one run and the start of the next; 0 never runs the job. */
  readonly everyMs: number;
  run(): Promise<void>;
  onError(error: unknown): void;
}

export function startIntervalJob(options: IntervalJobOptions): IntervalJob {
  if (options.everyMs <= 0) return { stop: () => Promise.resolve() };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = (): void => {
    running = (async () => {
      try {
        await options.run();
      } catch (error) {
        options.onError(error);
      }
    })();
    void running.then(() => {
      if (!stopped) schedule();
    });
  };
  const schedule = (): void => {
    timer = setTimeout(tick, options.everyMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
