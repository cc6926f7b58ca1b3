// Errors that mean the storage found something that must never happen. They abort the batch
// (nothing is written) and reach every caller of it; they are bugs or tampering, never user errors.
export class LedgerInvariantError extends Error {
  readonly code = 'ledger_invariant';
}
