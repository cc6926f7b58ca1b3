// The creator's thank-you to a gifter (PRODUCT.md, "Good practice and safety"): one tap sends one of
// these suggested phrases, or the creator writes their own. The web app shows the same list.

/** The suggested phrases, in the order they are offered. */
export const THANKS_PHRASES = ['Great job', 'Thank you so much', 'This helps me so much, thank you!'] as const;
export type ThanksPhrase = (typeof THANKS_PHRASES)[number];

/** Own words (and chat messages) are 1–200 characters once trimmed. */
export const ROOM_TEXT_MAX = 200;

/** The text to show, trimmed, or null when it is empty or too long. */
export function roomText(text: string): string | null {
  const trimmed = text.trim();
  return trimmed.length >= 1 && trimmed.length <= ROOM_TEXT_MAX ? trimmed : null;
}
