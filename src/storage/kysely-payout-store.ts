// PayoutAccountStore, PayoutStore and TransferFeed on Kysely (SQLite and PostgreSQL alike).
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type {
  PayoutAccountKind,
  PayoutAccountStatus,
  PayoutAccountRecord,
  PayoutAccountStore,
  PayoutPatch,
  PayoutRecord,
  PayoutRecordStatus,
  PayoutStore,
  TransferFeed,
  TransferPage,
} from '../app/ports.js';
import { canMovePayout, PAYOUT_STATUSES } from '../domain/payouts.js';
import { bigOf, num, numOrNull } from './kysely-values.js';
import { transferFromRow } from './ledger-rows.js';
import type { Database, PayoutAccountsTable, PayoutsTable } from './schema.js';

function accountFromRow(r: Selectable<PayoutAccountsTable>): PayoutAccountRecord {
  if (r.kind !== 'bank' && r.kind !== 'paypal' && r.kind !== 'stripe') throw new Error(`payout account ${r.id} has an unknown kind ${r.kind}`);
  if (r.status !== 'ready' && r.status !== 'onboarding') throw new Error(`payout account ${r.id} has an unknown status ${r.status}`);
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind satisfies PayoutAccountKind,
    label: r.label,
    holderName: r.holder_name,
    last4: r.last4,
    email: r.email,
    provider: r.provider,
    providerRef: r.provider_ref,
    status: r.status,
    createdAtMs: num(r.created_at_ms),
    removedAtMs: numOrNull(r.removed_at_ms),
  };
}

export class KyselyPayoutAccountStore implements PayoutAccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(a: PayoutAccountRecord): Promise<void> {
    await this.db
      .insertInto('payout_accounts')
      .values({
        id: a.id,
        user_id: a.userId,
        kind: a.kind,
        label: a.label,
        holder_name: a.holderName,
        last4: a.last4,
        email: a.email,
        provider: a.provider,
        provider_ref: a.providerRef,
        status: a.status,
        created_at_ms: a.createdAtMs,
        removed_at_ms: a.removedAtMs,
      })
      .execute();
  }

  async setStatus(provider: string, providerRef: string, status: PayoutAccountStatus): Promise<number> {
    const r = await this.db.updateTable('payout_accounts').set({ status }).where('provider', '=', provider).where('provider_ref', '=', providerRef).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async findById(id: string): Promise<PayoutAccountRecord | null> {
    const r = await this.db.selectFrom('payout_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? accountFromRow(r) : null;
  }

  async listActive(userId: string): Promise<PayoutAccountRecord[]> {
    const rows = await this.db
      .selectFrom('payout_accounts')
      .selectAll()
      .where('user_id', '=', userId)
      .where('removed_at_ms', 'is', null)
      .orderBy('created_at_ms')
      .orderBy('id')
      .execute();
    return rows.map(accountFromRow);
  }

  async findByIds(ids: readonly string[]): Promise<PayoutAccountRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('payout_accounts').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return rows.map(accountFromRow);
  }

  async remove(id: string, userId: string, atMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('payout_accounts')
      .set({ removed_at_ms: atMs })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('removed_at_ms', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function payoutFromRow(r: Selectable<PayoutsTable>): PayoutRecord {
  const p: PayoutRecord = {
    id: r.id,
    userId: r.user_id,
    payoutAccountId: r.payout_account_id,
    diamonds: bigOf(r.diamonds),
    currency: r.currency,
    amountMinor: bigOf(r.amount_minor),
    status: r.status,
    providerRef: r.provider_ref,
    attempts: r.attempts,
    nextAttemptAtMs: num(r.next_attempt_at_ms),
    failureReason: r.failure_reason,
    lastError: r.last_error,
    createdAtMs: num(r.created_at_ms),
    updatedAtMs: num(r.updated_at_ms),
    resolvedAtMs: numOrNull(r.resolved_at_ms),
  };
  // What was checked before writing is asserted after reading: acting on a row that breaks these
  // could pay what was never reserved.
  const broken =
    !(PAYOUT_STATUSES as readonly string[]).includes(p.status) ? 'unknown status'
    : p.diamonds <= 0n ? 'no diamonds'
    : p.amountMinor <= 0n ? 'no amount'
    : (p.status === 'paid' || p.status === 'failed') !== (p.resolvedAtMs !== null) ? 'resolved time without a final status'
    : (p.status === 'failed') !== (p.failureReason !== null) ? 'failure reason without failed status'
    : null;
  if (broken !== null) throw new Error(`payout ${p.id} is corrupt: ${broken}`);
  return p;
}

export class KyselyPayoutStore implements PayoutStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertIfAbsent(p: PayoutRecord): Promise<PayoutRecord> {
    // ON CONFLICT DO NOTHING: a concurrent replay of the same request (or the worker rebuilding a row
    // an interrupted request left out) may insert first; either way one row, and the caller compares.
    await this.db
      .insertInto('payouts')
      .values({
        id: p.id,
        user_id: p.userId,
        client_id: p.id,
        payout_account_id: p.payoutAccountId,
        diamonds: p.diamonds.toString(),
        currency: p.currency,
        amount_minor: p.amountMinor.toString(),
        status: p.status,
        provider_ref: p.providerRef,
        attempts: p.attempts,
        next_attempt_at_ms: p.nextAttemptAtMs,
        failure_reason: p.failureReason,
        last_error: p.lastError,
        created_at_ms: p.createdAtMs,
        updated_at_ms: p.updatedAtMs,
        resolved_at_ms: p.resolvedAtMs,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const stored = await this.findById(p.id);
    if (!stored) throw new Error(`payout ${p.id} vanished after insert`);
    return stored;
  }

  async findById(id: string): Promise<PayoutRecord | null> {
    const r = await this.db.selectFrom('payouts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? payoutFromRow(r) : null;
  }

  async listOf(userId: string, options: { limit: number; beforeMs?: number }): Promise<PayoutRecord[]> {
    let q = this.db.selectFrom('payouts').selectAll().where('user_id', '=', userId);
    if (options.beforeMs !== undefined) q = q.where('created_at_ms', '<', options.beforeMs);
    const rows = await q.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
    return rows.map(payoutFromRow);
  }

  async listRecent(options: { limit: number; status?: PayoutRecordStatus; before?: { readonly createdAtMs: number; readonly id: string } }): Promise<PayoutRecord[]> {
    let q = this.db.selectFrom('payouts').selectAll();
    if (options.status !== undefined) q = q.where('status', '=', options.status);
    const before = options.before;
    if (before !== undefined) {
      // Strictly after the previous page's last row in (created_at_ms desc, id desc) order, so rows
      // created in the same millisecond are neither skipped nor repeated.
      q = q.where((eb) =>
        eb.or([eb('created_at_ms', '<', before.createdAtMs), eb.and([eb('created_at_ms', '=', before.createdAtMs), eb('id', '<', before.id)])]),
      );
    }
    const rows = await q.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
    return rows.map(payoutFromRow);
  }

  async listDue(nowMs: number, limit: number): Promise<PayoutRecord[]> {
    // Served by the payouts_due index (status, next_attempt_at_ms).
    const rows = await this.db
      .selectFrom('payouts')
      .selectAll()
      .where('status', 'in', ['requested', 'processing'])
      .where('next_attempt_at_ms', '<=', nowMs)
      .orderBy('next_attempt_at_ms')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(payoutFromRow);
  }

  async update(id: string, expected: { status: PayoutRecordStatus; nextAttemptAtMs?: number }, patch: PayoutPatch): Promise<boolean> {
    // paid and failed are final: no code path may move a payout out of them, or skip processing.
    if (patch.status !== undefined && !canMovePayout(expected.status, patch.status)) {
      throw new Error(`payout ${id} cannot move from ${expected.status} to ${patch.status}`);
    }
    const values: Updateable<PayoutsTable> = { updated_at_ms: patch.updatedAtMs };
    if (patch.status !== undefined) values.status = patch.status;
    if (patch.providerRef !== undefined) values.provider_ref = patch.providerRef;
    if (patch.attempts !== undefined) values.attempts = patch.attempts;
    if (patch.nextAttemptAtMs !== undefined) values.next_attempt_at_ms = patch.nextAttemptAtMs;
    if (patch.failureReason !== undefined) values.failure_reason = patch.failureReason;
    if (patch.lastError !== undefined) values.last_error = patch.lastError;
    if (patch.resolvedAtMs !== undefined) values.resolved_at_ms = patch.resolvedAtMs;
    let q = this.db.updateTable('payouts').set(values).where('id', '=', id).where('status', '=', expected.status);
    if (expected.nextAttemptAtMs !== undefined) q = q.where('next_attempt_at_ms', '=', expected.nextAttemptAtMs);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

/** Seqs scanned per page: a page reads one bounded range of the transfers' primary key. */
const FEED_WINDOW = 4096n;

export class KyselyTransferFeed implements TransferFeed {
  constructor(private readonly db: Kysely<Database>) {}

  giftDiamondLegs(query: { afterSeq: bigint; cutoffMs: number; limit: number }): Promise<TransferPage> {
    return this.page(query, (q) =>
      q.where('code', '=', 'GIFT').where('kind', '=', 'single').where('asset', '=', 'DIAMOND').where('credit_account_id', 'like', 'user:%:diamonds:hold'),
    );
  }

  payoutReservations(query: { afterSeq: bigint; cutoffMs: number; limit: number }): Promise<TransferPage> {
    return this.page(query, (q) => q.where('code', '=', 'PAYOUT').where('kind', '=', 'pending'));
  }

  /**
   * One window of seqs after the cursor, up to (not including) the first transfer that is not due
   * yet: transfer times follow seq only as closely as the nodes' clocks agree, so the cursor waits
   * at the first undue transfer instead of skipping it. The window is bounded, so a page costs the
   * same whether the transfers in it match or not, and only seqs already committed are passed.
   */
  private async page(
    query: { afterSeq: bigint; cutoffMs: number; limit: number },
    filter: (q: ReturnType<KyselyTransferFeed['transfers']>) => ReturnType<KyselyTransferFeed['transfers']>,
  ): Promise<TransferPage> {
    const after = Number(query.afterSeq);
    const windowEnd = Number(query.afterSeq + FEED_WINDOW);
    const bounds = await this.db
      .selectFrom('ledger_transfers')
      .select([
        sql`max(seq)`.as('last'),
        sql`min(case when created_at_ms > ${query.cutoffMs} then seq end)`.as('first_not_due'),
      ])
      .where('seq', '>', after)
      .where('seq', '<=', windowEnd)
      .executeTakeFirst();
    if (!bounds || bounds.last === null || bounds.last === undefined) return { transfers: [], nextCursor: query.afterSeq };
    const upper = bounds.first_not_due === null || bounds.first_not_due === undefined ? bigOf(bounds.last) : bigOf(bounds.first_not_due) - 1n;
    if (upper <= query.afterSeq) return { transfers: [], nextCursor: query.afterSeq };
    const rows = await filter(this.transfers().where('seq', '>', after).where('seq', '<=', Number(upper)))
      .orderBy('seq')
      .limit(query.limit)
      .execute();
    const transfers = rows.map((r) => transferFromRow(r));
    const last = transfers.at(-1);
    return { transfers, nextCursor: transfers.length === query.limit && last !== undefined ? last.seq : upper };
  }

  private transfers() {
    return this.db.selectFrom('ledger_transfers').selectAll();
  }

  async getCursor(name: string): Promise<bigint> {
    const r = await this.db.selectFrom('meta').select('value').where('key', '=', name).executeTakeFirst();
    return r ? BigInt(r.value) : 0n;
  }

  async saveCursor(name: string, seq: bigint, atMs: number): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key: name, value: seq.toString(), updated_at_ms: atMs })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ value: seq.toString(), updated_at_ms: atMs })
          // Only forward: of two nodes saving at once, the one further along wins.
          .where(sql<boolean>`CAST(meta.value AS BIGINT) < CAST(${seq.toString()} AS BIGINT)`),
      )
      .execute();
  }
}
