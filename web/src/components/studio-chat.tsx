// The LIVE's chat in the studio: the last lines (the creator's own and their thank-yous marked) and
// a box to say something to the viewers.
import { useEffect, useRef, useState } from 'react';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { useChatSend } from './chat-send.js';

/** Lines kept, at most. */
const CHAT_MAX = 30;

export interface ChatLine {
  readonly key: number;
  readonly who: string;
  readonly text: string;
  readonly kind: 'chat' | 'creator' | 'thanks';
}

/** The chat lines and thank-yous of a room (null: not there yet). Call it before the room connects. */
export function useStudioChat(room: LiveRoomClient | null): readonly ChatLine[] {
  const [lines, setLines] = useState<readonly ChatLine[]>([]);
  const keys = useRef(0);
  useEffect(() => {
    if (!room) return;
    const add = (line: Omit<ChatLine, 'key'>) => {
      setLines((list) => [...list, { ...line, key: keys.current++ }].slice(-CHAT_MAX));
    };
    const offs = [
      room.on('chat.message', (e) => { add({ who: e.data.sender.displayName, text: e.data.text, kind: e.data.isCreator ? 'creator' : 'chat' }); }),
      room.on('thanks.sent', (e) => { add({ who: e.data.from.displayName, text: `${e.data.text} — to ${e.data.to.displayName}`, kind: 'thanks' }); }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [room]);
  return lines;
}

export function CreatorChat({ room, lines }: { room: LiveRoomClient | null; lines: readonly ChatLine[] }) {
  const { text, setText, error, submit } = useChatSend(room);
  return (
    <section className="panel" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      {lines.length === 0 ? (
        <p className="empty muted">Chat lines show here as they come in. Say hello!</p>
      ) : (
        <ul className="studio-chat" aria-live="polite" aria-label="Chat">
          {lines.map((line) => (
            <li key={line.key} className={`chat-line ${line.kind}`}><strong>{line.who}</strong> {line.text}</li>
          ))}
        </ul>
      )}
      <form className="studio-say" onSubmit={submit}>
        <input aria-label="Say something to your viewers" placeholder="Say something to your viewers…" maxLength={200} value={text} onChange={(e) => { setText(e.target.value); }} />
        <button type="submit" className="button small">Send</button>
      </form>
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
    </section>
  );
}
