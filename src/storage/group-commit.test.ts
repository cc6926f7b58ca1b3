// Proves the group-commit writer batches within its limits, waits at most maxWaitMs when idle, refuses past its queue limit, isolates a failing batch, and flushes on close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommitWriter, LedgerClosedError, LedgerOverloadedError, type GroupCommitOptions } from './group-commit.js';

/** A commit that records each batch and answers after a macrotask, like a real database round trip. */
function recordingCommit(): { batches: string[][]; commit: (requests: string[]) => Promise<string[]> } {
  const batches: string[][] = [];
  return {
    batches,
    commit: async (requests) => {
      batches.push([...requests]);
      await new Promise((resolve) => setImmediate(resolve));
      return requests.map((r) => `ok:${r}`);
    },
  };
}

function options(overrides: Partial<GroupCommitOptions>): GroupCommitOptions {
  return { maxBatch: 256, maxWaitMs: 2, queueMax: 100_000, ...overrides };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('GroupCommitWriter', () => {
  it('commits no more than maxBatch submissions per transaction and answers each caller with its own result', async () => {
    const { batches, commit } = recordingCommit();
    const writer = new GroupCommitWriter(commit, options({ maxBatch: 10, maxWaitMs: 1000 }));
    const requests = Array.from({ length: 25 }, (_, i) => `r${i}`);

    const results = await Promise.all(requests.map((r) => writer.submit(r)));

    expect(results).toEqual(requests.map((r) => `ok:${r}`));
    // The 10th submission fills a batch and starts the writer; the rest queue behind it.
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(requests);
    expect(writer.batches).toBe(3);
    expect(writer.committed).toBe(25);
  });

  it('with a pipeline of two, starts a second batch while the first commits only once minBatch wait, in order', async () => {
    const started: string[][] = [];
    const finish: (() => void)[] = [];
    // Each commit waits until the test lets it finish, so batches stay in flight as long as needed.
    const writer = new GroupCommitWriter(
      (requests: string[]) => {
        started.push([...requests]);
        return new Promise<string[]>((resolve) => finish.push(() => { resolve(requests); }));
      },
      options({ maxBatch: 8, maxWaitMs: 0 }),
      { depth: 2, minBatch: 3 },
    );
    const answers: Promise<string>[] = [writer.submit('a')];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toEqual([['a']]);

    answers.push(writer.submit('b'), writer.submit('c'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(1); // two waiting: below minBatch, they wait for 'a'

    answers.push(writer.submit('d'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([['a'], ['b', 'c', 'd']]); // three waiting: the second batch starts early

    answers.push(writer.submit('e'), writer.submit('f'), writer.submit('g'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(2); // the pipeline is full

    finish.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g']]);
    for (const f of finish.splice(0)) f();
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    await writer.close();
  });

  it('commits an idle submission alone once maxWaitMs has passed, not before', async () => {
    vi.useFakeTimers();
    const batches: string[][] = [];
    const writer = new GroupCommitWriter((requests: string[]) => {
      batches.push(requests);
      return Promise.resolve(requests);
    }, options({ maxWaitMs: 20 }));

    let answered = false;
    const result = writer.submit('lonely').then((r) => {
      answered = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(19);
    expect(batches).toEqual([]);
    expect(answered).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['lonely']]);
    await expect(result).resolves.toBe('lonely');
    expect(answered).toBe(true);
  });

  it('refuses a submission at once with LedgerOverloadedError when queueMax are already waiting', async () => {
    const { batches, commit } = recordingCommit();
    const writer = new GroupCommitWriter(commit, options({ queueMax: 3, maxWaitMs: 60_000 }));
    const accepted = ['a', 'b', 'c'].map((r) => writer.submit(r));

    await expect(writer.submit('d')).rejects.toBeInstanceOf(LedgerOverloadedError);
    await expect(writer.submit('e')).rejects.toMatchObject({ code: 'ledger_overloaded' });

    await writer.close();
    await expect(Promise.all(accepted)).resolves.toEqual(['ok:a', 'ok:b', 'ok:c']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('rejects only the callers of a batch whose commit failed; the next batch still commits', async () => {
    const batches: string[][] = [];
    const writer = new GroupCommitWriter(async (requests: string[]) => {
      batches.push(requests);
      await new Promise((resolve) => setImmediate(resolve));
      if (requests.includes('poison')) throw new Error('disk on fire');
      return requests.map((r) => `ok:${r}`);
    }, options({ maxBatch: 2, maxWaitMs: 60_000 }));

    const settled = await Promise.allSettled(['a', 'poison', 'c', 'd'].map((r) => writer.submit(r)));

    expect(batches).toEqual([['a', 'poison'], ['c', 'd']]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled[0]).toMatchObject({ reason: new Error('disk on fire') });
    expect(settled.slice(2)).toEqual([{ status: 'fulfilled', value: 'ok:c' }, { status: 'fulfilled', value: 'ok:d' }]);
    expect(writer.committed).toBe(2);
    await writer.close();
  });

  it('rejects a batch whose commit returns the wrong number of results instead of misanswering callers', async () => {
    const writer = new GroupCommitWriter((requests: string[]) => Promise.resolve(requests.slice(1)), options({ maxBatch: 2 }));
    const settled = await Promise.allSettled([writer.submit('a'), writer.submit('b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(writer.committed).toBe(0);
  });

  it('close() commits everything queued without waiting for the timer, then refuses with LedgerClosedError', async () => {
    const { batches, commit } = recordingCommit();
    const writer = new GroupCommitWriter(commit, options({ maxBatch: 3, maxWaitMs: 60_000 }));
    // Three fill a batch that starts committing; two more wait behind it for a timer that is a minute away.
    const pending = ['a', 'b', 'c', 'd', 'e'].map((r) => writer.submit(r));

    await writer.close();

    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    await expect(Promise.all(pending)).resolves.toEqual(['ok:a', 'ok:b', 'ok:c', 'ok:d', 'ok:e']);
    await expect(writer.submit('late')).rejects.toBeInstanceOf(LedgerClosedError);
    expect(batches.flat()).not.toContain('late');
    await writer.close(); // closing twice is harmless
  });

  it('close() also waits for a submission made by a caller reacting to the last acknowledgement', async () => {
    const { batches, commit } = recordingCommit();
    const writer = new GroupCommitWriter(commit, options({ maxBatch: 1 }));
    let followUp: Promise<string> | undefined;
    let closing: Promise<void> | undefined;
    // The follow-up is queued after the writer's loop saw an empty queue but before it stopped running.
    const first = writer.submit('first').then((r) => {
      followUp = writer.submit('follow-up');
      closing = writer.close();
      return r;
    });

    await expect(first).resolves.toBe('ok:first');
    await closing;

    expect(batches).toEqual([['first'], ['follow-up']]);
    expect(writer.committed).toBe(2);
    await expect(followUp).resolves.toBe('ok:follow-up');
  });
});
