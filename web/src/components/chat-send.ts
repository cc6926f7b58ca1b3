// Saying something in a LIVE's chat, for the viewer's comment box and the creator's studio alike:
// the line being typed, the reason a line was refused (in words), and the form's submit.
import { useState, type SyntheticEvent } from 'react';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { explain } from '../api.js';

export function useChatSend(room: LiveRoomClient | null): {
  readonly text: string;
  readonly setText: (text: string) => void;
  readonly error: string | null;
  readonly submit: (event: SyntheticEvent<HTMLFormElement>) => void;
} {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const line = text.trim();
    if (line === '' || !room) return;
    setText('');
    setError(null);
    room.sendChat(line).catch((e: unknown) => { setError(explain(e)); });
  };
  return { text, setText, error, submit };
}
