// The balance page's notices about an account under review: gifting paused (a card payment was
// charged back), and diamonds held by an admin. Each says why, since when, and what still works.
import type { Me } from '../../../src/protocol/accounts.js';
import { formatWhen } from './balance-format.js';
import { reviewWords } from './review-words.js';

export function AccountReviews({ me }: { me: Me }) {
  const { giftingFrozen, payoutsHeld } = me;
  if (giftingFrozen === null && payoutsHeld === null) return null;
  return (
    <>
      {giftingFrozen !== null ? (
        <div className="notice review" role="note" aria-labelledby="gifting-paused-title">
          <strong id="gifting-paused-title">Gifting is paused on your account</strong>
          <p>{reviewWords(giftingFrozen.reason, 'Our team will review your account and tell you when gifting resumes.')}</p>
          <p className="muted">Paused since {formatWhen(giftingFrozen.sinceMs)}. You can still watch LIVEs, chat and send hearts.</p>
        </div>
      ) : null}
      {payoutsHeld !== null ? (
        <div className="notice review" role="note" aria-labelledby="diamonds-held-title">
          <strong id="diamonds-held-title">Your diamonds are held for review</strong>
          <p>{reviewWords(payoutsHeld.reason, 'Our team is reviewing your account.')}</p>
          <p className="muted">
            Held since {formatWhen(payoutsHeld.sinceMs)}. Until the review ends you cannot redeem, and payouts you already asked for
            are not sent. Gifts still bring you diamonds.
          </p>
        </div>
      ) : null}
    </>
  );
}
