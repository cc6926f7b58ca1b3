// Times as the creator's pages say them: time on air ticking, durations and dates in words.
import { useEffect, useState } from 'react';

/** Time on air, ticking every second. */
export function Elapsed({ sinceMs }: { sinceMs: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => { setNow(Date.now()); }, 1000);
    return () => { clearInterval(timer); };
  }, []);
  return <span className="num">{clock(Math.max(0, now - sinceMs))}</span>;
}

/** 754_000 → "12:34"; an hour and more → "1:02:34". */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** 3_725_000 → "1 h 2 min"; 95_000 → "1 min 35 s"; 120_000 → "2 min". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return s % 60 > 0 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${s} s`;
}

/** A moment in the reader's own time zone, e.g. "Jan 15, 2027, 7:00 PM". */
export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}
