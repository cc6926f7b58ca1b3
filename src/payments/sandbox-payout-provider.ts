// The built-in sandbox payout provider: the default PayoutProvider, so redeeming diamonds can be
// tried end to end without a payout processor. It keeps its accounts and payouts in its own tables
// (created by src/storage/migrations/0005-payouts.ts), so any node answers for any payout and a
// restart forgets nothing, and it is idempotent on our payout id exactly as a real processor is: the
// payout id is the primary key of its payouts, so sending again (after a timeout, a crash, a retry)
// answers the first result and never pays twice.
//
// What a send does is decided, in this order, by a rule for the payout, a rule for the account, then
// by default it pays at once. Rules (setRule) make it:
//   decline     refuse for good (PayoutDeclined)
//   timeout     pay, then answer PayoutProviderUnavailable(timedOut) as if the answer was lost
//   transient   fail before paying (PayoutProviderUnavailable), e.g. `times: 2` then succeed
//   processing  accept as processing; it is paid settleDelayMs later (seen by getStatus)
//   bounce      accept as processing; it fails settleDelayMs later (returned by the bank)
// For demos, accounts registered with a bank number ending in 0002 (or a PayPal email starting with
// "decline") always decline, and 0003 (or "slow") settle after the delay.
import type { Kysely } from 'kysely';
import {
  PayoutDeclined,
  PayoutProviderUnavailable,
  type PayoutAccountDetails,
  type PayoutAccountKind,
  type PayoutProvider,
  type PayoutSendRequest,
  type ProviderPayout,
  type ProviderPayoutStatus,
} from '../app/ports.js';
import type { Database } from '../storage/schema.js';

type Big = bigint | number | string;

// Type aliases, not interfaces: Kysely's `withTables` needs types with an implicit index signature.
export type SandboxPayoutAccountsTable = {
  ref: string;
  kind: 'bank' | 'paypal';
  holder_name: string | null;
  last4: string | null;
  email: string | null;
  created_at_ms: Big;
};

export type SandboxPayoutsTable = {
  payout_id: string;
  ref: string;
  account_ref: string;
  currency: string;
  amount_minor: Big;
  status: ProviderPayoutStatus;
  failure_reason: string | null;
  settle_at_ms: Big | null;
  settle_status: 'paid' | 'failed' | null;
  requests: number;
  created_at_ms: Big;
  updated_at_ms: Big;
};

export type SandboxPayoutMode = 'decline' | 'timeout' | 'transient' | 'processing' | 'bounce';

export type SandboxPayoutRulesTable = {
  target: string;
  mode: SandboxPayoutMode;
  remaining: number | null;
  created_at_ms: Big;
};

export type SandboxPayoutDatabase = {
  sandbox_payout_accounts: SandboxPayoutAccountsTable;
  sandbox_payouts: SandboxPayoutsTable;
  sandbox_payout_rules: SandboxPayoutRulesTable;
};

export interface SandboxPayoutRule {
  readonly mode: SandboxPayoutMode;
  /** How many sends the rule applies to; absent: every send. */
  readonly times?: number;
}

/** A sandbox payout as stored, with how many sends it received. */
export interface SandboxPayout extends ProviderPayout {
  readonly accountRef: string;
  /** Sends received for this payout id: 1 + idempotent resends (each answered from the first). */
  readonly requests: number;
}

export interface SandboxPayoutProviderOptions {
  /** The application's database; the provider uses only its own `sandbox_payout*` tables. */
  readonly db: Kysely<Database>;
  readonly nowMs: () => number;
  /** A fresh unique id for account refs. */
  readonly newId: () => string;
  /** How long a payout accepted as processing takes to settle. Default 5000. */
  readonly settleDelayMs?: number;
}

const DECLINED = 'The receiving bank declined the payout (sandbox).';
const BOUNCED = 'The payout was returned by the receiving bank (sandbox).';

function fromRow(r: SandboxPayoutsTable): SandboxPayout {
  const amountMinor = BigInt(r.amount_minor);
  if (amountMinor <= 0n) throw new Error(`sandbox payout ${r.payout_id} is corrupt: non-positive amount`);
  return {
    payoutId: r.payout_id,
    providerRef: r.ref,
    status: r.status,
    failureReason: r.failure_reason,
    currency: r.currency,
    amountMinor,
    accountRef: r.account_ref,
    requests: r.requests,
  };
}

export class SandboxPayoutProvider implements PayoutProvider {
  readonly name = 'sandbox';
  private readonly db: Kysely<Database & SandboxPayoutDatabase>;
  private readonly settleDelayMs: number;

  constructor(private readonly options: SandboxPayoutProviderOptions) {
    this.db = options.db.withTables<SandboxPayoutDatabase>();
    this.settleDelayMs = Math.max(0, options.settleDelayMs ?? 5000);
  }

  readonly accountKinds: readonly PayoutAccountKind[] = ['bank', 'paypal'];

  async registerAccount(details: PayoutAccountDetails): Promise<{ providerRef: string; status: 'ready' }> {
    if (details.kind === 'stripe') throw new PayoutDeclined('The sandbox pays to bank and PayPal accounts only.');
    const ref = `pa_sandbox_${this.options.newId()}`;
    const nowMs = this.options.nowMs();
    if (details.kind === 'bank') {
      if (!/^[A-Z0-9]{8,34}$/.test(details.accountNumber)) throw new PayoutDeclined('The account number is not valid.');
      await this.db
        .insertInto('sandbox_payout_accounts')
        .values({ ref, kind: 'bank', holder_name: details.holderName, last4: details.accountNumber.slice(-4), email: null, created_at_ms: nowMs })
        .execute();
      if (details.accountNumber.endsWith('0002')) await this.setRule({ accountRef: ref }, { mode: 'decline' });
      if (details.accountNumber.endsWith('0003')) await this.setRule({ accountRef: ref }, { mode: 'processing' });
    } else {
      await this.db.insertInto('sandbox_payout_accounts').values({ ref, kind: 'paypal', holder_name: null, last4: null, email: details.email, created_at_ms: nowMs }).execute();
      if (details.email.startsWith('decline')) await this.setRule({ accountRef: ref }, { mode: 'decline' });
      if (details.email.startsWith('slow')) await this.setRule({ accountRef: ref }, { mode: 'processing' });
    }
    return { providerRef: ref, status: 'ready' };
  }

  async send(request: PayoutSendRequest): Promise<{ status: 'paid' | 'processing'; providerRef: string }> {
    if (request.amountMinor <= 0n || request.amountMinor > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`bad payout amount ${request.amountMinor}`);
    if (!/^[A-Z]{3}$/.test(request.currency)) throw new RangeError(`bad currency ${request.currency}`);
    const account = await this.db.selectFrom('sandbox_payout_accounts').select('ref').where('ref', '=', request.providerAccountRef).executeTakeFirst();
    if (!account) throw new PayoutDeclined('No such payout account at the provider.');

    // The idempotency key: a payout id seen before answers what it got the first time.
    const seen = await this.findPayout(request.payoutId);
    if (seen) return this.answerAgain(seen, request);

    const rule = await this.takeRule(request.payoutId, request.providerAccountRef);
    if (rule === 'transient') throw new PayoutProviderUnavailable('The sandbox payout service is temporarily unavailable.', false);
    const nowMs = this.options.nowMs();
    const settles = rule === 'processing' || rule === 'bounce';
    const status: ProviderPayoutStatus = rule === 'decline' ? 'failed' : settles ? 'processing' : 'paid';
    const inserted = await this.db
      .insertInto('sandbox_payouts')
      .values({
        payout_id: request.payoutId,
        ref: `po_sandbox_${request.payoutId}`,
        account_ref: request.providerAccountRef,
        currency: request.currency,
        amount_minor: request.amountMinor.toString(),
        status,
        failure_reason: rule === 'decline' ? DECLINED : null,
        settle_at_ms: settles ? nowMs + this.settleDelayMs : null,
        settle_status: rule === 'processing' ? 'paid' : rule === 'bounce' ? 'failed' : null,
        requests: 1,
        created_at_ms: nowMs,
        updated_at_ms: nowMs,
      })
      .onConflict((oc) => oc.column('payout_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) {
      // A concurrent send of the same payout id stored it first: answer as a resend.
      const first = await this.findPayout(request.payoutId);
      if (!first) throw new Error(`sandbox payout ${request.payoutId} vanished`);
      return this.answerAgain(first, request);
    }
    const providerRef = `po_sandbox_${request.payoutId}`;
    if (rule === 'decline') throw new PayoutDeclined(DECLINED);
    if (rule === 'timeout') throw new PayoutProviderUnavailable('The sandbox paid but its answer was lost (a simulated timeout).', true);
    return { status: settles ? 'processing' : 'paid', providerRef };
  }

  async getStatus(payoutId: string): Promise<ProviderPayout | null> {
    const p = await this.findPayout(payoutId);
    if (!p) return null;
    const { accountRef: _accountRef, requests: _requests, ...port } = p;
    return port;
  }

  // -------------------------------------------------------------------------------------------
  // Controls for tests and demos.

  /** Makes sends for a payout, or to an account, behave as `rule` says (replacing an earlier rule). */
  async setRule(target: { readonly payoutId: string } | { readonly accountRef: string }, rule: SandboxPayoutRule): Promise<void> {
    const key = 'payoutId' in target ? `payout:${target.payoutId}` : `account:${target.accountRef}`;
    const remaining = rule.times === undefined ? null : Math.max(0, Math.trunc(rule.times));
    await this.db
      .insertInto('sandbox_payout_rules')
      .values({ target: key, mode: rule.mode, remaining, created_at_ms: this.options.nowMs() })
      .onConflict((oc) => oc.column('target').doUpdateSet({ mode: rule.mode, remaining }))
      .execute();
  }

  /** The stored payout (settling it first if its time has come), or null when never sent. */
  async findPayout(payoutId: string): Promise<SandboxPayout | null> {
    const row = await this.db.selectFrom('sandbox_payouts').selectAll().where('payout_id', '=', payoutId).executeTakeFirst();
    if (!row) return null;
    if (row.status === 'processing' && row.settle_at_ms !== null && Number(row.settle_at_ms) <= this.options.nowMs()) {
      const settled: ProviderPayoutStatus = row.settle_status === 'failed' ? 'failed' : 'paid';
      // Compare-and-set: of two lookups settling it at once, one changes it; both read the result.
      await this.db
        .updateTable('sandbox_payouts')
        .set({ status: settled, failure_reason: settled === 'failed' ? BOUNCED : null, updated_at_ms: this.options.nowMs() })
        .where('payout_id', '=', payoutId)
        .where('status', '=', 'processing')
        .execute();
      const after = await this.db.selectFrom('sandbox_payouts').selectAll().where('payout_id', '=', payoutId).executeTakeFirstOrThrow();
      return fromRow(after);
    }
    return fromRow(row);
  }

  /** Payouts sent to an account, oldest first (at most 1000). */
  async payoutsTo(accountRef: string): Promise<SandboxPayout[]> {
    const rows = await this.db.selectFrom('sandbox_payouts').selectAll().where('account_ref', '=', accountRef).orderBy('created_at_ms').limit(1000).execute();
    return rows.map(fromRow);
  }

  // -------------------------------------------------------------------------------------------

  private async answerAgain(p: SandboxPayout, request: PayoutSendRequest): Promise<{ status: 'paid' | 'processing'; providerRef: string }> {
    if (p.accountRef !== request.providerAccountRef || p.currency !== request.currency || p.amountMinor !== request.amountMinor) {
      throw new PayoutDeclined(`Payout id ${request.payoutId} was already used for another payout.`);
    }
    await this.db
      .updateTable('sandbox_payouts')
      .set((eb) => ({ requests: eb('requests', '+', 1), updated_at_ms: this.options.nowMs() }))
      .where('payout_id', '=', p.payoutId)
      .execute();
    switch (p.status) {
      case 'paid':
      case 'processing':
        return { status: p.status, providerRef: p.providerRef };
      case 'failed':
        throw new PayoutDeclined(p.failureReason ?? DECLINED);
    }
  }

  /** The rule that applies to this send, using up one of its times; the payout's rule before the account's. */
  private async takeRule(payoutId: string, accountRef: string): Promise<SandboxPayoutMode | null> {
    for (const target of [`payout:${payoutId}`, `account:${accountRef}`]) {
      const rule = await this.db.selectFrom('sandbox_payout_rules').selectAll().where('target', '=', target).executeTakeFirst();
      if (!rule) continue;
      if (rule.remaining === null) return rule.mode;
      const used = await this.db
        .updateTable('sandbox_payout_rules')
        .set((eb) => ({ remaining: eb('remaining', '-', 1) }))
        .where('target', '=', target)
        .where('remaining', '>', 0)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) === 1) return rule.mode;
    }
    return null;
  }
}
