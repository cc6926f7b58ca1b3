// The measured phases of the fan-out benchmark, each run the same way against either server:
// idle memory per connection, fan-out throughput, gift-to-screen latency, a whale war and delivery
// under jitter. A phase takes the server (for its own CPU and memory), the connections it needs,
// and returns plain numbers; printing and judging them is bench/fanout.ts's job.
import { GiftSender, RoomConnection, type GiftSend } from './connection.js';
import { eachLimited, GeneratorMeter, openLoop, percentile, RecentCpu, seededRandom, sleep, sortedCopy, type GeneratorLoad } from './measure.js';
import type { ServerProcess, ServerStats } from './server-channel.js';
import type { Identity, RoomWire, WireEvent } from './wire.js';

/** A big gift (1,000 coins: P0, shown on its own) and small ones (P1, folded into combos). */
export const BIG_GIFT = 'galaxy';
export const BIG_GIFT_MIN_COINS = 1_000;
const WHALE_SMALL_GIFTS = ['rose', 'finger-heart', 'doughnut'] as const;
const JITTER_SMALL_GIFTS = ['rose', 'heart-me', 'finger-heart', 'doughnut', 'hand-hearts', 'corgi'] as const;

/** Sockets opened at once while filling a room. */
const OPEN_CONCURRENCY = 200;
/** After the last socket of a room opened, before memory is read. */
const SETTLE_MS = 3_000;
/** Fan-out: gifts whose delivery to every sampled viewer is awaited at once (closed loop). */
const FANOUT_WINDOW = 8;
/**
 * The generator adds no gift while it used more than this share of its core over the last 100 ms
 * (gifts already out still arrive, so the phase as a whole lands a little higher). Reading a frame
 * that came alone costs a `ws` client about as much CPU as writing it cost the server, so without
 * this a saturated server would also saturate the generator and void the run (docs/BENCHMARKS.md).
 */
export const GOVERNOR_CPU = 0.7;
const GOVERNOR_RETRY_MS = 10;
const FANOUT_WARMUP_MS = 1_000;
const FANOUT_MS = 8_000;
/** A gift not seen by every sampled viewer within this is given up on (and counted). */
const GIFT_TIMEOUT_MS = 5_000;
const DRAIN_MS = 2_000;
const WHALE_SENDS_PER_S = 2_000;
const WHALE_MS = 20_000;
/** One send in this many is a big gift (P0). */
const WHALE_BIG_EVERY = 100;
/** A whale switches small gift this often, so combos end and new ones start. */
const WHALE_SWITCH_MS = 4_000;
/** Combos end 3 s after their last send, flushed within 100 ms: wait this long for the final updates. */
const COMBO_SETTLE_MS = 4_000;
const JITTER_MS = 32_000;
const JITTER_BIG_PER_S = 5;
const JITTER_SMALL_PER_S = 5;
/** Time from one kill of a socket to the next: 12–18 s (15 s on average), of which 2 s offline. */
const KILL_GAP_MIN_MS = 12_000;
const KILL_GAP_SPREAD_MS = 6_000;
const OFFLINE_MS = 2_000;
const REOPEN_RETRY_MS = 500;
const JITTER_SEED = 20_261_127;
/** How long every killed socket may take to be back once the jitter stops. */
const REJOIN_MS_MAX = 30_000;

// ---------------------------------------------------------------------------------------------
// Rooms and senders.

/** A server under test as the phases see it. */
export interface Target {
  readonly name: string;
  readonly server: ServerProcess;
  readonly wire: RoomWire;
}

/** Opens `count` anonymous viewers; one in `parseEvery` decodes its frames. */
export async function openViewers(target: Target, count: number, parseEvery: number, tag: string): Promise<RoomConnection[]> {
  const viewers = Array.from(
    { length: count },
    (_, i) => new RoomConnection(target.wire, { kind: 'anonymous', viewerKey: `${tag}-${String(i).padStart(6, '0')}` }, i % parseEvery === 0),
  );
  await eachLimited(viewers, OPEN_CONCURRENCY, (v) => v.open());
  return viewers;
}

export async function openSenders(target: Target, identities: readonly Identity[]): Promise<GiftSender[]> {
  const senders = identities.map((who) => new GiftSender(new RoomConnection(target.wire, who, true), target.wire));
  for (const s of senders) await s.conn.open();
  return senders;
}

export async function closeAll(connections: readonly RoomConnection[]): Promise<void> {
  await eachLimited(connections, 1_000, (c) => c.close());
}

function framesOf(connections: readonly RoomConnection[]): number {
  let frames = 0;
  for (const c of connections) frames += c.frames;
  return frames;
}

function serverCpu(before: ServerStats, after: ServerStats): number {
  return (after.cpuUs - before.cpuUs) / 1000 / Math.max(1, after.atMs - before.atMs);
}

/** Where a phase lies in the server's CPU profile (CLOCK_MONOTONIC microseconds). */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

function windowOf(before: ServerStats, after: ServerStats): ProfileWindow {
  return { fromUs: before.monotonicUs, toUs: after.monotonicUs };
}

/** Waits (at most 30 s) until the server has used under 10 % of its core for half a second; false if it never did. */
export async function quiesce(server: ServerProcess): Promise<boolean> {
  const deadline = performance.now() + 30_000;
  let before = await server.stats(false);
  while (performance.now() < deadline) {
    await sleep(500);
    const after = await server.stats(false);
    if (serverCpu(before, after) < 0.1) return true;
    before = after;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Idle memory.

export interface MemoryResult {
  readonly connections: number;
  readonly openSeconds: number;
  /** Server CPU time spent per connection opened (upgrade, presence, first frame), until it was idle again. */
  readonly openCpuMsPerConn: number;
  /** Joins per second over the first and the last tenth of the connections: a cost that grows with the room shows here. */
  readonly joinsPerSFirst: number;
  readonly joinsPerSLast: number;
  readonly rssKbPerConn: number;
  readonly heapKbPerConn: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly heapBeforeMb: number;
  readonly heapAfterMb: number;
}

/** Server RSS and heap (after a full GC) before and after `count` idle viewers joined; returns them open. */
export async function idleMemory(target: Target, count: number, parseEvery: number): Promise<{ result: MemoryResult; viewers: RoomConnection[] }> {
  await quiesce(target.server);
  const before = await target.server.stats(true);
  const start = performance.now();
  const viewers = await openViewers(target, count, parseEvery, 'idle');
  const openSeconds = (performance.now() - start) / 1000;
  await sleep(SETTLE_MS);
  await quiesce(target.server);
  const opened = await target.server.stats(false);
  const after = await target.server.stats(true);
  const mb = (bytes: number): number => bytes / 1024 / 1024;
  const joined = sortedCopy(viewers.map((v) => v.joinedAtMs ?? Number.NaN));
  const tenth = Math.max(1, Math.floor(count / 10));
  const rate = (from: number, to: number): number => tenth / Math.max(1e-3, ((joined[to] ?? 0) - (joined[from] ?? 0)) / 1000);
  return {
    viewers,
    result: {
      connections: count,
      openSeconds,
      // Minus the settling time, when an idle server uses next to nothing.
      openCpuMsPerConn: (opened.cpuUs - before.cpuUs) / 1000 / count,
      joinsPerSFirst: rate(0, tenth - 1),
      joinsPerSLast: rate(count - tenth, count - 1),
      rssKbPerConn: (after.rssBytes - before.rssBytes) / 1024 / count,
      heapKbPerConn: (after.heapUsedBytes - before.heapUsedBytes) / 1024 / count,
      rssBeforeMb: mb(before.rssBytes),
      rssAfterMb: mb(after.rssBytes),
      heapBeforeMb: mb(before.heapUsedBytes),
      heapAfterMb: mb(after.heapUsedBytes),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Fan-out throughput.

export interface FanoutResult {
  readonly seconds: number;
  /** Frames all viewers read per second of wall time. */
  readonly framesPerS: number;
  readonly giftsPerS: number;
  /** Share of its core the server used, and frames it delivered per second of its CPU time (per core). */
  readonly serverCpu: number;
  readonly framesPerServerCpuS: number;
  readonly generator: GeneratorLoad;
  /** Share of the time the generator held gifts back to stay under GOVERNOR_CPU. */
  readonly heldBack: number;
  /** Gifts that did not reach every sampled viewer within the timeout. */
  readonly incomplete: number;
  readonly window: ProfileWindow;
}

/** Holds gifts back while the generator is busier than GOVERNOR_CPU, and remembers for how long. */
class Governor {
  private readonly cpu = new RecentCpu(100);
  private heldMs = 0;
  private heldSinceMs: number | null = null;
  private sinceMs = performance.now();

  /** True when a gift may be sent now. */
  allows(): boolean {
    const nowMs = performance.now();
    if (this.cpu.value > GOVERNOR_CPU) {
      this.heldSinceMs ??= nowMs;
      return false;
    }
    if (this.heldSinceMs !== null) {
      this.heldMs += nowMs - this.heldSinceMs;
      this.heldSinceMs = null;
    }
    return true;
  }

  reset(): void {
    this.sinceMs = performance.now();
    this.heldMs = 0;
    if (this.heldSinceMs !== null) this.heldSinceMs = this.sinceMs;
  }

  /** Share of the time since reset() that gifts were held back. */
  heldShare(): number {
    const nowMs = performance.now();
    const held = this.heldMs + (this.heldSinceMs !== null ? nowMs - this.heldSinceMs : 0);
    return held / Math.max(1, nowMs - this.sinceMs);
  }

  stop(): void {
    this.cpu.stop();
  }
}

function transferIdOf(event: WireEvent): string {
  return (event.data as { transferId: string }).transferId;
}

/**
 * Closed loop: FANOUT_WINDOW big gifts are in flight at all times; a gift leaves the window once
 * every sampled viewer has read it, and the next one is sent. The server always has a gift to fan
 * out, and no socket ever has more than the window waiting. Frames/s counts every frame every
 * viewer read (gifts and the counters they cause).
 */
export async function fanout(target: Target, viewers: readonly RoomConnection[], sender: GiftSender): Promise<FanoutResult> {
  const sampled = viewers.filter((v) => v.parse);
  const waiting = new Map<string, { seen: number; timer: NodeJS.Timeout }>();
  let running = true;
  let completed = 0;
  let incomplete = 0;
  let drained: (() => void) | null = null;
  const governor = new Governor();
  let retry: NodeJS.Timeout | null = null;
  const finish = (id: string, ok: boolean): void => {
    const gift = waiting.get(id);
    if (gift === undefined) return;
    clearTimeout(gift.timer);
    waiting.delete(id);
    completed += 1;
    if (!ok) incomplete += 1;
    launch();
    if (waiting.size === 0) drained?.();
  };
  const launch = (): void => {
    if (retry !== null) return;
    if (running && waiting.size < FANOUT_WINDOW && !governor.allows()) {
      retry = setTimeout(() => {
        retry = null;
        launch();
      }, GOVERNOR_RETRY_MS);
      return;
    }
    while (running && waiting.size < FANOUT_WINDOW) {
      const send = sender.send(BIG_GIFT, 1, performance.now());
      waiting.set(send.id, { seen: 0, timer: setTimeout(() => { finish(send.id, false); }, GIFT_TIMEOUT_MS) });
    }
  };
  sender.onAck = (send) => {
    if (send.error !== null) finish(send.id, false);
  };
  for (const v of sampled) {
    v.sink = (_c, event) => {
      if (event.type !== 'gift.sent') return;
      const id = transferIdOf(event);
      const gift = waiting.get(id);
      if (gift === undefined) return;
      gift.seen += 1;
      if (gift.seen >= sampled.length) finish(id, true);
    };
  }
  launch();
  await sleep(FANOUT_WARMUP_MS);
  const meter = new GeneratorMeter();
  const serverBefore = await target.server.stats(false);
  meter.start();
  const framesBefore = framesOf(viewers);
  const completedBefore = completed;
  const start = performance.now();
  governor.reset();
  await sleep(FANOUT_MS);
  const seconds = (performance.now() - start) / 1000;
  const heldBack = governor.heldShare();
  const frames = framesOf(viewers) - framesBefore;
  const gifts = completed - completedBefore;
  const generator = meter.stop();
  const serverAfter = await target.server.stats(false);
  running = false;
  if (waiting.size > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, GIFT_TIMEOUT_MS + 1_000);
    });
  }
  // A retry still pending finds `running` false and sends nothing.
  governor.stop();
  sender.onAck = null;
  for (const v of sampled) v.sink = null;
  const cpu = serverCpu(serverBefore, serverAfter);
  return {
    seconds,
    framesPerS: frames / seconds,
    giftsPerS: gifts / seconds,
    serverCpu: cpu,
    framesPerServerCpuS: frames / seconds / Math.max(cpu, 1e-9),
    generator,
    heldBack,
    incomplete,
    window: windowOf(serverBefore, serverAfter),
  };
}

// ---------------------------------------------------------------------------------------------
// Gift-to-screen latency.

export interface LatencyResult {
  readonly giftsPerS: number;
  readonly gifts: number;
  readonly samples: number;
  /** Sampled receipts that never came (gift × sampled viewer). */
  readonly missing: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** How late the generator wrote the sends (p99): its own share of the latency on the way out. */
  readonly sendLateP99Ms: number;
  readonly framesPerS: number;
  readonly serverCpu: number;
  readonly generator: GeneratorLoad;
  readonly window: ProfileWindow;
}

/**
 * Open loop: `giftsPerS` big gifts a second for `durationMs`, each due at its slot whatever happened
 * to the previous ones; latency is the time from a gift's due time to a sampled viewer reading its
 * `gift.sent`, over every sampled viewer (so the tail includes the last sockets of the fan-out).
 */
export async function latency(target: Target, viewers: readonly RoomConnection[], sender: GiftSender, giftsPerS: number, durationMs: number): Promise<LatencyResult> {
  const sampled = viewers.filter((v) => v.parse);
  const mine = new Map<string, GiftSend>();
  const latencies: number[] = [];
  for (const v of sampled) {
    v.sink = (_c, event, atMs) => {
      if (event.type !== 'gift.sent') return;
      const send = mine.get(transferIdOf(event));
      if (send !== undefined) latencies.push(atMs - send.dueAtMs);
    };
  }
  const meter = new GeneratorMeter();
  const serverBefore = await target.server.stats(false);
  meter.start();
  const framesBefore = framesOf(viewers);
  const start = performance.now();
  const gifts = await openLoop(giftsPerS, durationMs, (_k, dueAtMs) => {
    const send = sender.send(BIG_GIFT, 1, dueAtMs);
    mine.set(send.id, send);
  });
  await sleep(DRAIN_MS);
  const seconds = (performance.now() - start) / 1000;
  const frames = framesOf(viewers) - framesBefore;
  const generator = meter.stop();
  const serverAfter = await target.server.stats(false);
  for (const v of sampled) v.sink = null;
  const sorted = sortedCopy(latencies);
  const late = sortedCopy([...mine.values()].map((send) => (send.sentAtMs ?? Number.POSITIVE_INFINITY) - send.dueAtMs));
  return {
    giftsPerS,
    gifts,
    samples: sorted.length,
    missing: gifts * sampled.length - sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    sendLateP99Ms: percentile(late, 99),
    framesPerS: frames / seconds,
    serverCpu: serverCpu(serverBefore, serverAfter),
    generator,
    window: windowOf(serverBefore, serverAfter),
  };
}

// ---------------------------------------------------------------------------------------------
// Whale war.

export interface WhaleResult {
  readonly viewers: number;
  readonly sampledViewers: number;
  readonly sendsPerS: number;
  readonly acked: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly bigGifts: number;
  readonly combos: number;
  /** Frames each viewer read per second while the war lasted: mean and the busiest viewer. */
  readonly viewerFramesPerS: number;
  readonly viewerFramesPerSMax: number;
  /** Big gifts read as their own `gift.sent` by every sampled viewer, exactly once (%). */
  readonly p0IndividualPct: number;
  /** `gift.sent` events for small gifts (should be 0: they are folded). */
  readonly smallShownAlone: number;
  /** Combos whose final count reached every sampled viewer (%). */
  readonly p1CompletePct: number;
  /** The most `combo.updated` one viewer read for one combo within one second. */
  readonly comboUpdatesPerSMax: number;
  readonly p0P50Ms: number;
  readonly p0P99Ms: number;
  readonly p1P50Ms: number;
  readonly p1P99Ms: number;
  readonly serverCpu: number;
  readonly generator: GeneratorLoad;
  readonly window: ProfileWindow;
}

interface WhaleView {
  readonly bigSeen: Map<string, number>;
  /** Per combo: [comboCount, atMs, comboCount, atMs, …] in the order read. */
  readonly combos: Map<string, number[]>;
}

/**
 * WHALE_SENDS_PER_S gift sends a second for WHALE_MS, round-robin over the whales: one in
 * WHALE_BIG_EVERY is a big gift (P0), the rest small gifts that each whale switches every
 * WHALE_SWITCH_MS (P1, folded into combos). Checks that every big gift reached every sampled viewer
 * on its own and every combo its final count, and how many frames a viewer had to read.
 */
export async function whaleWar(target: Target, viewers: readonly RoomConnection[], whales: readonly GiftSender[]): Promise<WhaleResult> {
  const sampled = viewers.filter((v) => v.parse);
  const views = new Map<RoomConnection, WhaleView>();
  const sendOf = new Map<string, GiftSend>();
  const p0Latencies: number[] = [];
  let smallShownAlone = 0;
  for (const v of sampled) {
    const view: WhaleView = { bigSeen: new Map(), combos: new Map() };
    views.set(v, view);
    v.sink = (_c, event, atMs) => {
      if (event.type === 'gift.sent') {
        const id = transferIdOf(event);
        const send = sendOf.get(id);
        if (send === undefined) return;
        if (send.giftId !== BIG_GIFT) smallShownAlone += 1;
        view.bigSeen.set(id, (view.bigSeen.get(id) ?? 0) + 1);
        p0Latencies.push(atMs - send.dueAtMs);
      } else if (event.type === 'combo.updated') {
        const data = event.data as { comboId: string; comboCount: number };
        let log = view.combos.get(data.comboId);
        if (log === undefined) {
          log = [];
          view.combos.set(data.comboId, log);
        }
        log.push(data.comboCount, atMs);
      }
    };
  }
  const whaleCount = whales.length;
  const meter = new GeneratorMeter();
  const serverBefore = await target.server.stats(false);
  meter.start();
  const framesBefore = viewers.map((v) => v.frames);
  const start = performance.now();
  await openLoop(WHALE_SENDS_PER_S, WHALE_MS, (k, dueAtMs) => {
    const w = k % whaleCount;
    const whale = whales[w];
    if (whale === undefined) return;
    const big = k % (WHALE_BIG_EVERY * whaleCount) < whaleCount;
    const small = WHALE_SMALL_GIFTS[(w + Math.floor((dueAtMs - start) / WHALE_SWITCH_MS)) % WHALE_SMALL_GIFTS.length] ?? 'rose';
    const send = whale.send(big ? BIG_GIFT : small, 1, dueAtMs);
    sendOf.set(send.id, send);
  });
  const sendSeconds = (performance.now() - start) / 1000;
  const perViewer = viewers.map((v, i) => (v.frames - (framesBefore[i] ?? 0)) / sendSeconds);
  const generator = meter.stop();
  const serverAfter = await target.server.stats(false);
  await sleep(COMBO_SETTLE_MS);
  for (const v of sampled) v.sink = null;

  const sends = [...sendOf.values()];
  const applied = sends.filter((s) => s.error === null && s.ackedAtMs !== null);
  const errors: Record<string, number> = {};
  for (const s of sends) {
    const code = s.error ?? (s.ackedAtMs === null ? 'no_ack' : null);
    if (code !== null) errors[code] = (errors[code] ?? 0) + 1;
  }
  const ackLatencies = sortedCopy(applied.map((s) => (s.ackedAtMs ?? 0) - s.dueAtMs));
  const bigIds = applied.filter((s) => s.giftId === BIG_GIFT).map((s) => s.id);
  const comboSends = new Map<string, GiftSend[]>();
  for (const s of applied) {
    if (s.giftId === BIG_GIFT || s.comboId === null) continue;
    const list = comboSends.get(s.comboId) ?? [];
    list.push(s);
    comboSends.set(s.comboId, list);
  }
  for (const list of comboSends.values()) list.sort((a, b) => (a.comboCount ?? 0) - (b.comboCount ?? 0));

  let p0Individual = 0;
  let p1Complete = 0;
  let comboUpdatesPerSMax = 0;
  const p1Latencies: number[] = [];
  for (const view of views.values()) {
    for (const id of bigIds) if (view.bigSeen.get(id) === 1) p0Individual += 1;
    for (const [comboId, list] of comboSends) {
      const log = view.combos.get(comboId) ?? [];
      const finalCount = list.at(-1)?.comboCount ?? 0;
      let shown = 0;
      let next = 0;
      const perSecond = new Map<number, number>();
      for (let i = 0; i < log.length; i += 2) {
        const count = log[i] ?? 0;
        const atMs = log[i + 1] ?? 0;
        shown = Math.max(shown, count);
        const second = Math.floor(atMs / 1000);
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
        // Every send this update covers for the first time reached this screen now.
        while (next < list.length && (list[next]?.comboCount ?? Number.POSITIVE_INFINITY) <= count) {
          p1Latencies.push(atMs - (list[next]?.dueAtMs ?? atMs));
          next += 1;
        }
      }
      for (const n of perSecond.values()) comboUpdatesPerSMax = Math.max(comboUpdatesPerSMax, n);
      if (shown >= finalCount) p1Complete += 1;
    }
  }
  const p0Sorted = sortedCopy(p0Latencies);
  const p1Sorted = sortedCopy(p1Latencies);
  const pct = (n: number, of: number): number => (of === 0 ? 100 : (100 * n) / of);
  return {
    viewers: viewers.length,
    sampledViewers: sampled.length,
    sendsPerS: sends.length / sendSeconds,
    acked: applied.length,
    errors,
    ackP50Ms: percentile(ackLatencies, 50),
    ackP99Ms: percentile(ackLatencies, 99),
    bigGifts: bigIds.length,
    combos: comboSends.size,
    viewerFramesPerS: perViewer.reduce((a, b) => a + b, 0) / Math.max(1, perViewer.length),
    viewerFramesPerSMax: Math.max(0, ...perViewer),
    p0IndividualPct: pct(p0Individual, bigIds.length * sampled.length),
    smallShownAlone,
    p1CompletePct: pct(p1Complete, comboSends.size * sampled.length),
    comboUpdatesPerSMax,
    p0P50Ms: percentile(p0Sorted, 50),
    p0P99Ms: percentile(p0Sorted, 99),
    p1P50Ms: percentile(p1Sorted, 50),
    p1P99Ms: percentile(p1Sorted, 99),
    serverCpu: serverCpu(serverBefore, serverAfter),
    generator,
    window: windowOf(serverBefore, serverAfter),
  };
}

// ---------------------------------------------------------------------------------------------
// Delivery under jitter.

export interface JitterResult {
  readonly viewers: number;
  readonly seconds: number;
  readonly kills: number;
  /** Reopenings that resumed exactly (ours: missed events replayed; Socket.IO: recovered) or with a snapshot. */
  readonly resumedExactly: number;
  readonly resumedWithSnapshot: number;
  readonly reopenFailures: number;
  /** Big gifts a viewer was shown twice as `gift.sent` (a resume that replayed too much). */
  readonly duplicates: number;
  readonly bigGifts: number;
  readonly combos: number;
  readonly p0DeliveryPct: number;
  readonly p1DeliveryPct: number;
  /** P0 and P1 together: delivered (gift, viewer) and (combo, viewer) pairs over expected ones. */
  readonly deliveryPct: number;
  readonly serverCpu: number;
  readonly generator: GeneratorLoad;
  readonly window: ProfileWindow;
}

interface JitterView {
  readonly bigSeen: Set<string>;
  /** Big gifts read as `gift.sent` (live or replayed): a second one is a duplicate on screen. */
  readonly bigShown: Set<string>;
  readonly comboShown: Map<string, number>;
}

/**
 * Every viewer's socket is killed about every 15 s (12–18 s apart, on a seeded schedule the same
 * for every server), stays offline 2 s, then reopens from what it saw. Meanwhile big gifts (P0) and
 * small ones (P1, switching gift every second so combos keep starting and ending) are sent. A big
 * gift counts as delivered to a viewer if it read its `gift.sent` (live or replayed) or found it in a
 * snapshot's `recentGifts`; a combo if the viewer was shown its final count (an update or a
 * snapshot's `activeCombos`). Counted by gift and combo identity, never by seq.
 */
export async function jitter(target: Target, viewers: readonly RoomConnection[], bigSender: GiftSender, smallSenders: readonly GiftSender[]): Promise<JitterResult> {
  const views = new Map<RoomConnection, JitterView>();
  let duplicates = 0;
  for (const v of viewers) {
    if (!v.parse) throw new Error('every viewer of the jitter phase must parse its frames to resume');
    const view: JitterView = { bigSeen: new Set(), bigShown: new Set(), comboShown: new Map() };
    views.set(v, view);
    const showCombo = (data: { comboId: string; comboCount: number }): void => {
      view.comboShown.set(data.comboId, Math.max(view.comboShown.get(data.comboId) ?? 0, data.comboCount));
    };
    v.sink = (_c, event) => {
      if (event.type === 'gift.sent') {
        const id = transferIdOf(event);
        if (view.bigShown.has(id)) duplicates += 1;
        view.bigShown.add(id);
        view.bigSeen.add(id);
      } else if (event.type === 'combo.updated') showCombo(event.data as { comboId: string; comboCount: number });
      else if (event.type === 'snapshot') {
        const data = event.data as { recentGifts: { transferId: string }[]; activeCombos: { comboId: string; comboCount: number }[] };
        for (const g of data.recentGifts) view.bigSeen.add(g.transferId);
        for (const c of data.activeCombos) showCombo(c);
      }
    };
  }
  const resumedBefore = viewers.map((v) => [v.resumedExactly, v.resumedWithSnapshot] as const);

  // The kill schedule, made before anything runs so it does not depend on timing.
  const random = seededRandom(JITTER_SEED);
  const schedules = viewers.map(() => {
    const times: number[] = [];
    for (let t = random() * (KILL_GAP_MIN_MS + KILL_GAP_SPREAD_MS / 2); t < JITTER_MS; t += KILL_GAP_MIN_MS + random() * KILL_GAP_SPREAD_MS) times.push(t);
    return times;
  });
  let kills = 0;
  let reopenFailures = 0;
  let stopping = false;
  let rejoinDeadline = Number.POSITIVE_INFINITY;
  const reopen = (v: RoomConnection): Promise<void> =>
    v.open().catch(async () => {
      reopenFailures += 1;
      await sleep(REOPEN_RETRY_MS);
      if (performance.now() < rejoinDeadline) await reopen(v);
    });
  const cycles: Promise<void>[] = [];
  const meter = new GeneratorMeter();
  const serverBefore = await target.server.stats(false);
  meter.start();
  const start = performance.now();
  viewers.forEach((v, i) => {
    const times = schedules[i] ?? [];
    cycles.push(
      (async () => {
        for (const at of times) {
          const wait = start + at - performance.now();
          if (wait > 0) await sleep(wait);
          if (stopping) return;
          v.kill();
          kills += 1;
          await sleep(OFFLINE_MS);
          await reopen(v);
        }
      })(),
    );
  });

  const bigSends: GiftSend[] = [];
  const smallSends: GiftSend[] = [];
  await Promise.all([
    openLoop(JITTER_BIG_PER_S, JITTER_MS, (_k, dueAtMs) => {
      bigSends.push(bigSender.send(BIG_GIFT, 1, dueAtMs));
    }),
    openLoop(JITTER_SMALL_PER_S, JITTER_MS, (k, dueAtMs) => {
      const s = k % smallSenders.length;
      const sender = smallSenders[s];
      if (sender === undefined) return;
      const gift = JITTER_SMALL_GIFTS[(Math.floor((dueAtMs - start) / 1000) + 3 * s) % JITTER_SMALL_GIFTS.length] ?? 'rose';
      smallSends.push(sender.send(gift, 1, dueAtMs));
    }),
  ]);
  stopping = true;
  rejoinDeadline = performance.now() + REJOIN_MS_MAX;
  await Promise.all(cycles);
  const seconds = (performance.now() - start) / 1000;
  await sleep(COMBO_SETTLE_MS);
  const generator = meter.stop();
  const serverAfter = await target.server.stats(false);
  for (const v of viewers) v.sink = null;

  const bigIds = bigSends.filter((s) => s.error === null && s.ackedAtMs !== null).map((s) => s.id);
  const finals = new Map<string, number>();
  for (const s of smallSends) {
    if (s.error !== null || s.comboId === null || s.comboCount === null) continue;
    finals.set(s.comboId, Math.max(finals.get(s.comboId) ?? 0, s.comboCount));
  }
  let p0 = 0;
  let p1 = 0;
  for (const view of views.values()) {
    for (const id of bigIds) if (view.bigSeen.has(id)) p0 += 1;
    for (const [comboId, count] of finals) if ((view.comboShown.get(comboId) ?? 0) >= count) p1 += 1;
  }
  const p0Of = bigIds.length * viewers.length;
  const p1Of = finals.size * viewers.length;
  const pct = (n: number, of: number): number => (of === 0 ? 100 : (100 * n) / of);
  return {
    viewers: viewers.length,
    seconds,
    kills,
    resumedExactly: viewers.reduce((sum, v, i) => sum + v.resumedExactly - (resumedBefore[i]?.[0] ?? 0), 0),
    resumedWithSnapshot: viewers.reduce((sum, v, i) => sum + v.resumedWithSnapshot - (resumedBefore[i]?.[1] ?? 0), 0),
    reopenFailures,
    duplicates,
    bigGifts: bigIds.length,
    combos: finals.size,
    p0DeliveryPct: pct(p0, p0Of),
    p1DeliveryPct: pct(p1, p1Of),
    deliveryPct: pct(p0 + p1, p0Of + p1Of),
    serverCpu: serverCpu(serverBefore, serverAfter),
    generator,
    window: windowOf(serverBefore, serverAfter),
  };
}
