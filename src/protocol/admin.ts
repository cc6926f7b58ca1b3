// Admin on the wire: the audit log, the ledger's reconciliation report, users and their roles,
// every creator's payouts, and the catalog as admins edit it.
import { z } from 'zod';
import { PublicUser, Review, Role } from './accounts.js';
import { TimeMs } from './common.js';
import { Gift } from './gifts.js';
import { Payout, PayoutStatus } from './payouts.js';

export const AuditEntry = z
  .object({ seq: z.number().int(), atMs: TimeMs, actorId: z.string().nullable(), action: z.string(), subject: z.string(), details: z.record(z.string(), z.unknown()) })
  .meta({ id: 'AuditEntry' });
export const AuditPage = z.object({ entries: z.array(AuditEntry), nextBeforeSeq: z.number().int().nullable() });
export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  beforeSeq: z.coerce.number().int().positive().optional(),
  subject: z.string().min(1).max(200).optional(),
});

export const ReconcileReport = z
  .object({
    ok: z.boolean(),
    transfers: z.number().int(),
    accounts: z.number().int(),
    head: z.object({ seq: z.string(), hash: z.string() }),
    totals: z.record(z.string(), z.string()),
    problems: z.array(z.object({ kind: z.string(), detail: z.string() })),
  })
  .meta({ id: 'ReconcileReport' });

export const ProviderReconcileReport = z
  .object({
    ok: z.boolean(),
    provider: z.string().describe('Whose records were read: sandbox, stripe, or both (sandbox+stripe)'),
    subjects: z.number().int().describe('Purchases and payouts compared'),
    ourMovements: z.number().int(),
    theirMovements: z.number().int(),
    totals: z.record(z.string(), z.record(z.string(), z.object({ ours: z.string(), theirs: z.string() }))).describe('Per currency and kind (charge, refund, chargeback, payout)'),
    fees: z.record(z.string(), z.string()).describe("The provider's fees per currency (not in our ledger)"),
    skipped: z.number().int().describe('Our transfers not from a provider (the demo seed)'),
    differences: z.array(
      z.object({
        kind: z.string(),
        subject: z.string().describe('Our purchase or payout id'),
        currency: z.string(),
        ours: z.string(),
        theirs: z.string(),
        problem: z.enum(['missing_at_provider', 'missing_in_ledger', 'amount_differs']),
        ourRefs: z.array(z.string()),
        theirRefs: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'ProviderReconcileReport' });

// ---------------------------------------------------------------------------------------------
// Users, as admins see them: standing (age, gifts, suspension, ban) and the role they can change.

export const AdminUser = z
  .object({
    id: z.string(),
    handle: z.string(),
    displayName: z.string(),
    email: z.string(),
    role: Role,
    adult: z.boolean().describe('18 or older today'),
    giftsEnabled: z.boolean().describe('The creator’s LIVE Gifts toggle'),
    liveSuspension: z
      .object({ untilMs: TimeMs.nullable().describe('null: permanent'), reason: z.string() })
      .nullable()
      .describe('Set while the user may not go LIVE'),
    banned: z.boolean(),
    banReason: z.string().nullable(),
    giftingFrozen: Review.nullable().describe('Gifting paused for review (set by a lost dispute, or an admin)'),
    payoutsHeld: Review.nullable().describe("The creator's diamonds held for review"),
    createdAtMs: TimeMs,
  })
  .meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof AdminUser>;

export const AdminUserQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  q: z.string().trim().min(1).max(100).optional().describe('Part of a handle, display name or email (any case)'),
  role: Role.optional(),
  cursor: z.string().regex(/^[\w-]{1,64}$/, 'a nextCursor from the previous page').optional().describe('nextCursor of the previous page'),
});
export type AdminUserQuery = z.infer<typeof AdminUserQuery>;

export const AdminUserPage = z.object({
  users: z.array(AdminUser),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});
export type AdminUserPage = z.infer<typeof AdminUserPage>;

export const UserIdParams = z.object({ id: z.string().min(1).max(64) });

export const UpdateUserBody = z
  .object({
    role: Role.optional(),
    giftingFrozen: z.boolean().optional().describe('false: the review is done and gifting resumes; true: pause gifting (give a reason)'),
    payoutsHeld: z.boolean().optional().describe('true: hold the creator’s diamonds for review (give a reason); false: release them'),
    reason: z.string().trim().min(1).max(300).optional().describe('Why, shown to the user; needed when freezing or holding'),
  })
  .refine((b) => b.role !== undefined || b.giftingFrozen !== undefined || b.payoutsHeld !== undefined, { error: 'Change at least one of role, giftingFrozen, payoutsHeld.' });
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

// ---------------------------------------------------------------------------------------------
// Every creator's payouts, newest first.

/** Where a page of payouts continues: the last payout's creation time and id. */
export interface AdminPayoutCursor {
  readonly createdAtMs: number;
  readonly id: string;
}

export function encodeAdminPayoutCursor(c: AdminPayoutCursor): string {
  return `${c.createdAtMs}.${c.id}`;
}

export const AdminPayoutQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  status: PayoutStatus.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,16}\.[\w-]{1,64}$/, 'a nextCursor from the previous page')
    .transform((text): AdminPayoutCursor => {
      const dot = text.indexOf('.');
      return { createdAtMs: Number(text.slice(0, dot)), id: text.slice(dot + 1) };
    })
    .optional()
    .describe('nextCursor of the previous page'),
});

export const AdminPayout = Payout.extend({
  creator: PublicUser.nullable().describe('null only if the user row is gone'),
  accountLabel: z.string().nullable().describe('e.g. "Bank •••• 1234"; null only if the account row is gone'),
}).meta({ id: 'AdminPayout' });
export type AdminPayout = z.infer<typeof AdminPayout>;

export const AdminPayoutPage = z.object({
  payouts: z.array(AdminPayout),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});
export type AdminPayoutPage = z.infer<typeof AdminPayoutPage>;

// ---------------------------------------------------------------------------------------------
// The catalog as admins edit it: every gift (retired and out-of-schedule ones too) and the art files
// a gift may use.

export const AdminCatalog = z
  .object({
    gifts: z.array(Gift),
    artFiles: z.array(z.string()).describe('File names under /assets/gifts/ a gift’s art or scene may name'),
  })
  .meta({ id: 'AdminCatalog' });
export type AdminCatalog = z.infer<typeof AdminCatalog>;
