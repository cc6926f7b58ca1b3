// Admin-only use cases check the actor themselves, not only the route: a new transport cannot
// forget it.
import { Forbidden } from '../domain/errors.js';
import type { Principal } from './authenticate.js';

export function requireAdmin(actor: Principal): void {
  if (actor.role !== 'admin' || !actor.scopes.includes('admin')) throw new Forbidden('Only admins can do this.');
}
