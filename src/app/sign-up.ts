// Creates an account. Anyone 13+ may sign up; 18+ unlocks money features (checked where they are used).
import { ageInYears, parseBirthDate } from '../domain/age.js';
import { AgeRestricted, ValidationFailed } from '../domain/errors.js';
import { userAccounts } from '../domain/accounts.js';
import type { AuditLog, Clock, Ids, LedgerStore, PasswordHasher, User, UserStore } from './ports.js';

/** Youngest age at which an account may be created at all (watch and chat only until 18). */
export const MINIMUM_SIGN_UP_AGE = 13;

export interface SignUpInput {
  /** Unique, case-insensitive; stored lower-cased. */
  readonly email: string;
  readonly password: string;
  /** Unique, case-insensitive, 3-24 of [a-z0-9_.]. */
  readonly handle: string;
  readonly displayName: string;
  /** YYYY-MM-DD; decides what the account may do (18+ for money, LIVE and diamonds). */
  readonly birthDate: string;
  /** Only admins (or the CLI) create moderators and admins. */
  readonly role?: User['role'];
}

export async function signUp(
  input: SignUpInput,
  deps: { users: UserStore; passwords: PasswordHasher; ids: Ids; clock: Clock; audit: AuditLog; ledger: LedgerStore },
): Promise<User> {
  const nowMs = deps.clock.nowMs();
  if (parseBirthDate(input.birthDate) === null) throw new ValidationFailed('The date of birth is not a real date.', { field: 'birthDate' });
  const age = ageInYears(input.birthDate, nowMs);
  if (age < 0 || age > 130) throw new ValidationFailed('The date of birth is not plausible.', { field: 'birthDate' });
  if (age < MINIMUM_SIGN_UP_AGE) throw new AgeRestricted('create an account');
  const id = deps.ids.uuid();
  await deps.users.create({
    id,
    email: input.email,
    handle: input.handle,
    displayName: input.displayName,
    birthDate: input.birthDate,
    passwordHash: await deps.passwords.hash(input.password),
    role: input.role ?? 'user',
    createdAtMs: nowMs,
  });
  // Every user has a coin wallet and diamond balances from the start; they stay empty until used.
  await deps.ledger.openAccounts(Object.values(userAccounts(id)));
  await deps.audit.append({ atMs: nowMs, actorId: id, action: 'user.signed_up', subject: `user:${id}`, details: { handle: input.handle, role: input.role ?? 'user' } });
  const user = await deps.users.findById(id);
  if (!user) throw new Error(`user ${id} vanished after creation`);
  return user;
}
