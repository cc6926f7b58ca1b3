// Prepares a LIVE on our server through its public HTTP API only, as people would: a creator signs
// up, turns gifts on and goes LIVE; each sender signs up, buys coins at the sandbox checkout (pays
// there, then the purchase is confirmed with the provider) and makes an API token for its socket.
import { randomBytes } from 'node:crypto';
import { LivegiftClient } from '../../src/sdk/livegift-client.js';

export interface OurLive {
  readonly liveId: string;
  /** One API token (`read`, `gifts:send`) per sender, in the order asked for. */
  readonly senderTokens: readonly string[];
}

/** The sandbox sells at most this many coins in one custom purchase. */
const PURCHASE_COINS_MAX = 2_500_000;

function account(role: string, n: number): { email: string; password: string; handle: string; displayName: string; birthDate: string } {
  const tag = randomBytes(3).toString('hex');
  return { email: `${role}${n}-${tag}@bench.test`, password: 'fan-out bench password', handle: `${role}${n}_${tag}`, displayName: `${role} ${n}`, birthDate: '1990-01-01' };
}

/** Pays at the sandbox checkout the way its page's form does. */
async function payAtCheckout(baseUrl: string, checkoutUrl: string): Promise<void> {
  const path = new URL(checkoutUrl).pathname;
  const paid = await fetch(`${baseUrl}${path}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
  if (paid.status !== 303) throw new Error(`the sandbox checkout answered ${paid.status} to pay`);
}

async function buyCoins(baseUrl: string, client: LivegiftClient, coins: number): Promise<void> {
  for (let left = coins; left > 0; left -= PURCHASE_COINS_MAX) {
    const { purchase, checkoutUrl } = await client.buyCoins({ coins: Math.min(left, PURCHASE_COINS_MAX), currency: 'USD' });
    await payAtCheckout(baseUrl, checkoutUrl);
    const confirmed = await client.purchase(purchase.id);
    if (confirmed.status !== 'paid') throw new Error(`a coin purchase ended ${confirmed.status}, not paid`);
  }
  const wallet = await client.wallet();
  if (wallet.coins < coins) throw new Error(`a sender holds ${wallet.coins} coins after buying ${coins}`);
}

/** A creator on air with gifts on, and `senders` funded senders with `coinsEach` coins each. */
export async function prepareOurLive(baseUrl: string, senders: number, coinsEach: number): Promise<OurLive> {
  const creator = new LivegiftClient({ baseUrl });
  await creator.signUp(account('creator', 0));
  await creator.setGiftsEnabled(true);
  const live = await creator.startLive({ title: 'Fan-out benchmark' });
  const senderTokens = await Promise.all(
    Array.from({ length: senders }, async (_, n) => {
      const sender = new LivegiftClient({ baseUrl });
      await sender.signUp(account('sender', n));
      await buyCoins(baseUrl, sender, coinsEach);
      const { token } = await sender.createApiToken({ name: 'fan-out bench', scopes: ['read', 'gifts:send'] });
      return token;
    }),
  );
  return { liveId: live.id, senderTokens };
}
