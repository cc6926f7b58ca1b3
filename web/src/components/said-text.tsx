// What a creator said, in quotes, with the words that made the promise (the detector's excerpt)
// marked — in the creator's strikes, the moderators' queue and the appeals.

export function SaidText({ text, excerpt }: { text: string; excerpt: string | null }) {
  const at = excerpt !== null && excerpt !== '' ? text.indexOf(excerpt) : -1;
  if (excerpt === null || at < 0) return <span>“{text}”</span>;
  return (
    <span>
      “{text.slice(0, at)}<mark>{excerpt}</mark>{text.slice(at + excerpt.length)}”
    </span>
  );
}
