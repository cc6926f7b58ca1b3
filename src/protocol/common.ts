// Wire basics shared by every route and event: the error shape, ids, and counts. Integers on the
// wire are JSON numbers; every amount is bounded far below 2^53, so no precision is lost.
import { z } from 'zod';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, machine-readable reason, e.g. insufficient_coins'),
      message: z.string().describe('What a person reads'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A client-made idempotency key: a UUID (v7 recommended). */
export const ClientId = z.uuid().describe('Client-generated UUID; the idempotency key of this request');

/** A positive whole number of coins/diamonds/minor units that fits a JSON number exactly. */
export const Amount = z.number().int().positive().max(2 ** 52);
export const NonNegative = z.number().int().nonnegative().max(2 ** 53 - 1);
export const TimeMs = z.number().int().nonnegative().describe('Milliseconds since the Unix epoch');

export const Ok = z.object({ ok: z.literal(true) });
