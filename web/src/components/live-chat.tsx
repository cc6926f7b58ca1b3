// The LIVE page's chat: the last lines, floating over the stage on a phone and in the side column on a
// desktop, the creator's thank-yous highlighted. Each line someone else said can be reported: a small
// flag button on the line (keyboard reachable), or a long press on the line on a touch screen.
import { useRef, type PointerEvent } from 'react';
import '../styles/moderation.css';

export interface ChatLine {
  readonly key: number;
  readonly who: string;
  /** What is shown after the name. */
  readonly text: string;
  readonly kind: 'chat' | 'creator' | 'thanks';
  /** Who said it, and their words as said: what a report of this line names. */
  readonly senderId: string;
  readonly said: string;
}

/** How long a finger rests on a line before it asks to report it. */
const LONG_PRESS_MS = 550;

export function ChatLines({ chat, meId, onReport }: { chat: readonly ChatLine[]; meId: string | null; onReport: (line: ChatLine, opener: HTMLElement) => void }) {
  const press = useRef<{ timer: ReturnType<typeof setTimeout>; key: number } | null>(null);
  const cancelPress = () => {
    if (press.current) clearTimeout(press.current.timer);
    press.current = null;
  };
  const startPress = (line: ChatLine, event: PointerEvent<HTMLLIElement>) => {
    if (event.pointerType === 'mouse') return;
    cancelPress();
    const button = event.currentTarget.querySelector('button');
    press.current = {
      key: line.key,
      timer: setTimeout(() => {
        press.current = null;
        if (button) onReport(line, button);
      }, LONG_PRESS_MS),
    };
  };
  return (
    <ul className="chat" aria-live="polite" aria-label="Chat">
      {chat.map((line) => {
        const reportable = line.senderId !== meId;
        return (
          <li
            key={line.key}
            className={`chat-line ${line.kind}`}
            onPointerDown={reportable ? (e) => { startPress(line, e); } : undefined}
            onPointerUp={cancelPress}
            onPointerLeave={cancelPress}
            onPointerCancel={cancelPress}
            onContextMenu={reportable ? (e) => { e.preventDefault(); } : undefined}
          >
            <strong>{line.who}</strong> {line.text}
            {reportable ? (
              <button type="button" className="chat-report" aria-label={`Report ${line.who}’s message`} title="Report this message" onClick={(e) => { onReport(line, e.currentTarget); }}>
                <FlagIcon />
              </button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

export function FlagIcon({ size = 14 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M5 21V4" />
      <path d="M5 4h11l-2 4 2 4H5" fill="currentColor" fillOpacity="0.25" />
    </svg>
  );
}
