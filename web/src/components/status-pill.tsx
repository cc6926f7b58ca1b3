// A status in a small rounded pill, its tone in colour and its meaning in words (never colour alone).

export type Tone = 'ok' | 'wait' | 'bad' | 'plain';

export function StatusPill({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`status-pill ${tone}`}>{children}</span>;
}
