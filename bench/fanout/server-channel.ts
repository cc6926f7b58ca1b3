// The bench process and a server under test talk over Node's IPC channel, never over the sockets
// being measured: the server says where it listens, reports its own memory (after a full GC when
// asked, so both servers are measured the same way) and CPU time, and stops when told. One typed
// vocabulary for both directions; each side validates what it reads.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** What a server process reports about itself. */
export interface ServerStats {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
  /** CPU time of the whole process (every thread: the SQLite writer too), microseconds. */
  readonly cpuUs: number;
  readonly atMs: number;
  /** CLOCK_MONOTONIC in microseconds: the time base of a V8 CPU profile, to cut one by phase. */
  readonly monotonicUs: number;
}

export type ToServer = { readonly type: 'stats'; readonly id: number; readonly gc: boolean } | { readonly type: 'stop' };
export type FromServer =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'stats'; readonly id: number; readonly stats: ServerStats }
  | { readonly type: 'failed'; readonly message: string };

/** How long a server may take to start (tsx, migrations) or to stop before it is killed. */
const START_MS_MAX = 60_000;
const STOP_MS_MAX = 20_000;
const STATS_MS_MAX = 10_000;

// ---------------------------------------------------------------------------------------------
// The server's side.

/**
 * Answers the bench process for the life of this server process. `stop` closes the server; the
 * process then exits, which also writes a `--cpu-prof` profile when one was asked for.
 */
export function serveBenchChannel(port: number, stop: () => Promise<void>): void {
  const send = (message: FromServer): void => {
    process.send?.(message);
  };
  process.on('message', (raw: unknown) => {
    const message = raw as ToServer;
    switch (message.type) {
      case 'stats':
        send({ type: 'stats', id: message.id, stats: ownStats(message.gc) });
        break;
      case 'stop':
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error('the server under test did not stop cleanly', error);
            process.exit(1);
          },
        );
        break;
    }
  });
  // The bench process is gone (crashed or killed): nothing is left to measure for.
  process.on('disconnect', () => {
    process.exit(2);
  });
  send({ type: 'ready', port });
}

/** Reports a start-up failure to the bench process, then exits. */
export function reportStartFailure(error: unknown): never {
  process.send?.({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromServer);
  process.exit(1);
}

function ownStats(gc: boolean): ServerStats {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    if (collect === undefined) throw new Error('the server under test runs without --expose-gc');
    // Twice: the first pass can leave objects that only die once their finalizers ran.
    collect();
    collect();
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    cpuUs: cpu.user + cpu.system,
    atMs: performance.now() + performance.timeOrigin,
    monotonicUs: Number(process.hrtime.bigint() / 1000n),
  };
}

// ---------------------------------------------------------------------------------------------
// The bench process's side.

export interface ServerProcessOptions {
  /** The TypeScript file to run (through tsx). */
  readonly script: string;
  readonly args: readonly string[];
  /** The CPU core the whole server process is pinned to (`taskset`). */
  readonly core: number;
  /** Write a V8 CPU profile of the server here when it stops. */
  readonly cpuProfDir: string | null;
}

/** A server under test, in its own process pinned to one core. */
export class ServerProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (stats: ServerStats) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (raw: unknown) => {
      const message = raw as FromServer;
      if (message.type !== 'stats') return;
      this.waiting.get(message.id)?.(message.stats);
      this.waiting.delete(message.id);
    });
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const nodeArgs = ['--expose-gc', '--import', 'tsx'];
    if (options.cpuProfDir !== null) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
    // fork() runs `taskset -c N node …` with an IPC channel; taskset execs node, which inherits it.
    const child = fork(options.script, [...options.args], {
      execPath: 'taskset',
      execArgv: ['-c', String(options.core), process.execPath, ...nodeArgs],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${options.script} did not start within ${START_MS_MAX / 1000} s`));
      }, START_MS_MAX);
      child.on('message', (raw: unknown) => {
        const message = raw as FromServer;
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message.port);
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`${options.script} failed to start:\n${message.message}`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${options.script} exited during start-up (code ${code ?? 'none'}, signal ${signal ?? 'none'})`));
      });
    });
    try {
      return new ServerProcess(child, await ready);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** The server's memory and CPU time, measured inside it (after a full GC when `gc`). */
  stats(gc: boolean): Promise<ServerStats> {
    const id = this.nextId++;
    return new Promise<ServerStats>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the server under test did not report its stats within ${STATS_MS_MAX / 1000} s`));
      }, STATS_MS_MAX);
      this.waiting.set(id, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.child.send({ type: 'stats', id, gc } satisfies ToServer);
    });
  }

  /** Asks the server to close, then kills it if it has not exited in time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'stop' } satisfies ToServer);
    const timer = setTimeout(() => {
      this.child.kill('SIGKILL');
    }, STOP_MS_MAX);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last resort (watchdog, failure): no clean shutdown. */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}
