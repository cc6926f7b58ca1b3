// Small measuring tools of the fan-out benchmark: percentiles, this process's CPU over wall time,
// a seeded random source (both servers get the same schedule of kills), and sleeping.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** How busy the generator was during a phase: its CPU share and how late its event loop ran. */
export interface GeneratorLoad {
  /** CPU time (user + system) over wall time, as a fraction of one core. */
  readonly cpu: number;
  /** 99th percentile of the event loop's delay: an upper bound on what the generator adds to a latency. */
  readonly loopDelayP99Ms: number;
  /** CPU every process on the machine (and steal) used over the same time, in cores; null without /proc/stat. */
  readonly machineCpu: number | null;
}

/** Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux for x86 and ARM). */
const USER_HZ = 100;

/**
 * Busy CPU time of the whole machine so far (all cores), in ms, plus time the hypervisor gave to
 * other machines (steal). Interrupts count too: with tick-based accounting a tick taken in a
 * softirq goes to /proc/stat's softirq column and to the interrupted process's system time alike,
 * and the bench's own loopback traffic makes most of them.
 */
function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq + steal) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

/** Measures this process (the load generator) between start() and stop(). */
export class GeneratorMeter {
  private cpu = process.cpuUsage();
  private wallMs = performance.now();
  private readonly delay = monitorEventLoopDelay({ resolution: 5 });
  private machineMs: number | null = null;

  start(): void {
    this.cpu = process.cpuUsage();
    this.wallMs = performance.now();
    this.machineMs = machineBusyMs();
    this.delay.reset();
    this.delay.enable();
  }

  stop(): GeneratorLoad {
    this.delay.disable();
    const used = process.cpuUsage(this.cpu);
    const wallMs = performance.now() - this.wallMs;
    const machineMs = machineBusyMs();
    return {
      cpu: wallMs <= 0 ? 0 : (used.user + used.system) / 1000 / wallMs,
      loopDelayP99Ms: this.delay.percentile(99) / 1e6,
      machineCpu: machineMs === null || this.machineMs === null || wallMs <= 0 ? null : (machineMs - this.machineMs) / wallMs,
    };
  }
}

/**
 * This process's CPU share over the last `windowMs`, sampled continuously: what the fan-out phase
 * reads to hold back before the generator, rather than the server, becomes the limit.
 */
export class RecentCpu {
  value = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs: number) {
    let cpu = process.cpuUsage();
    let wallMs = performance.now();
    this.timer = setInterval(() => {
      const used = process.cpuUsage(cpu);
      const nowMs = performance.now();
      this.value = (used.user + used.system) / 1000 / Math.max(1, nowMs - wallMs);
      cpu = process.cpuUsage();
      wallMs = nowMs;
    }, windowMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** mulberry32: a tiny seeded generator, so every server sees the same random schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function eachLimited<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Schedules that must not wait for the event loop's timers. A saturated generator can spend
 * hundreds of milliseconds in one poll phase reading sockets (libuv reads up to 48 × 1,024 ready
 * sockets before it runs timers again), so a gift due meanwhile would leave late and its lateness
 * be charged to the server. Frame handlers call `pokeSchedules()` every few frames instead.
 */
const schedules = new Set<() => void>();

export function pokeSchedules(): void {
  for (const fireDue of schedules) fireDue();
}

/**
 * Calls `fire(k, dueAtMs)` for k = 0 … total-1 at `perS` a second, open loop: item k is due at
 * start + k / perS and is fired at the first chance after that (a 2 ms timer, or a frame handler's
 * poke), whatever happened to the earlier ones. Resolves once all were fired.
 */
export function openLoop(perS: number, durationMs: number, fire: (k: number, dueAtMs: number) => void): Promise<number> {
  const total = Math.round((perS * durationMs) / 1000);
  const start = performance.now();
  let fired = 0;
  return new Promise<number>((resolve) => {
    const fireDue = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * perS) / 1000) + 1);
      while (fired < due) {
        fire(fired, start + (fired * 1000) / perS);
        fired += 1;
      }
    };
    schedules.add(fireDue);
    const tick = (): void => {
      fireDue();
      if (fired >= total) {
        schedules.delete(fireDue);
        resolve(total);
      } else setTimeout(tick, 2);
    };
    tick();
  });
}
