// An account under review, in words: gifting paused after a chargeback, or a creator's diamonds held
// by an admin. The reason comes from the server (an admin's words, or the chargeback's own sentence).

/**
 * The reason, followed by what happens next unless the reason already says a review is coming
 * (the chargeback's reason does; an admin's short note usually does not).
 */
export function reviewWords(reason: string, next: string): string {
  const said = reason.trim();
  if (said === '') return next;
  const sentence = /[.!?]$/.test(said) ? said : `${said}.`;
  return /\breview/i.test(said) ? sentence : `${sentence} ${next}`;
}
