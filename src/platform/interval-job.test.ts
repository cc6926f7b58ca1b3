// Proves the background job runner: it runs again and again, never two runs at once, reports a failing
// run without stopping, waits for a run in progress on stop() and runs no more after it, and an
// interval of 0 never runs at all.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startIntervalJob } from './interval-job.js';

describe('startIntervalJob', () => {
  it('runs one at a time, survives a failing run, and stop() waits for the run in progress', async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    let finished = 0;
    const errors: unknown[] = [];
    const job = startIntervalJob({
      everyMs: 2,
      async run() {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(10);
        active--;
        finished++;
        if (runs === 1) throw new Error('first run fails');
      },
      onError: (error) => errors.push(error),
    });
    const deadline = Date.now() + 5000;
    while (runs < 3 && Date.now() < deadline) await sleep(5);
    await job.stop();
    expect(active).toBe(0); // stop() returned only after the run in progress
    const afterStop = runs;
    await sleep(30);
    expect(runs).toBe(afterStop);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(finished).toBe(runs);
    expect(maxActive).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('never runs with an interval of 0', async () => {
    let runs = 0;
    const job = startIntervalJob({ everyMs: 0, run: () => {
        runs++;
        return Promise.resolve();
      }, onError: () => undefined });
    await sleep(20);
    await job.stop();
    expect(runs).toBe(0);
  });
});
