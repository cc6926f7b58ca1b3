// The gift-baiting ladder's countdown as the creator sees it: mm:ss ticking each second, and for
// screen readers a polite announcement when it starts and at each whole minute (never every second).
import { useEffect, useRef, useState } from 'react';
import { clock } from './studio-time.js';

/** Milliseconds left until `endsAtMs`, ticking each second; calls `onEnd` once when it reaches 0. */
export function useCountdown(endsAtMs: number, onEnd?: () => void): number {
  const [now, setNow] = useState(() => Date.now());
  const ended = useRef(onEnd);
  useEffect(() => {
    ended.current = onEnd;
  });
  useEffect(() => {
    let fired = false;
    const tick = () => {
      const t = Date.now();
      setNow(t);
      if (!fired && t >= endsAtMs) {
        fired = true;
        ended.current?.();
      }
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => { clearInterval(timer); };
  }, [endsAtMs]);
  return Math.max(0, endsAtMs - now);
}

/** "9:41", rounded up to the second so it never shows 0:00 while time is left. */
export function countdownText(leftMs: number): string {
  return clock(Math.ceil(leftMs / 1000) * 1000);
}

/** "4 minutes left", "1 minute left", "less than a minute left". */
function minutesLeft(leftMs: number): string {
  const minutes = Math.ceil(leftMs / 60_000);
  if (leftMs <= 0) return 'The countdown is over.';
  if (minutes <= 1) return 'Less than a minute left in the countdown.';
  return `${minutes} minutes left in the countdown.`;
}

/**
 * The visible timer (role timer: read when reached, never announced by itself each second) and a
 * polite live region that says the minutes left when they change. The region gets its words just
 * after it mounts, so the first announcement is heard when the countdown starts.
 */
export function CountdownClock({ leftMs, className }: { leftMs: number; className?: string }) {
  const words = minutesLeft(leftMs);
  const [said, setSaid] = useState('');
  useEffect(() => {
    // Set after mount: a live region that appears with its words already in it is often not read.
    const timer = setTimeout(() => { setSaid(words); }, 50);
    return () => { clearTimeout(timer); };
  }, [words]);
  return (
    <>
      <span className={`num countdown-clock ${className ?? ''}`} role="timer">{countdownText(leftMs)}</span>
      <span className="visually-hidden" role="status" aria-live="polite">{said}</span>
    </>
  );
}
