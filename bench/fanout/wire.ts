// The two room protocols, as one load generator speaks them over the same raw `ws` client: ours
// (`{type, seq, ts, data}` JSON frames on /v1/lives/:id/ws) and Socket.IO's (Engine.IO v4 over
// WebSocket: `0{open}`, `40` connect, `42[event, payload]` events, `42<n>[…]`/`43<n>[…]` acks, `2`/`3`
// ping/pong). Both sides cost the generator the same: a frame that is only counted is not decoded
// (Socket.IO's first two bytes tell an event from a ping), and a parsed frame is one JSON.parse.

/** A room event as the generator sees it, whichever server sent it. */
export interface WireEvent {
  readonly type: string;
  /** The event's seq (ours; Socket.IO events carry one in their payload too), or null. */
  readonly seq: number | null;
  readonly data: unknown;
  /** Socket.IO with connectionStateRecovery: the packet's offset, to resume from. */
  readonly offset: string | null;
}

/** What a connection remembers across its sockets, to resume where it was. */
export interface Resume {
  /** Ours: the epoch of the last snapshot and the highest seq seen on any event since. */
  epoch: string | null;
  seq: number;
  /** Socket.IO with recovery: the session id from the connect packet and the last packet's offset. */
  pid: string | null;
  offset: string | null;
}

/** What `read` made of a frame: an application event (parsed when asked), or protocol chatter. */
export type ReadResult = WireEvent | 'event' | 'control' | 'connected';

/** Who a connection speaks as. */
export type Identity = { readonly kind: 'anonymous'; readonly viewerKey: string } | { readonly kind: 'sender'; readonly token: string; readonly user: string };

export interface RoomWire {
  readonly name: string;
  /** True when the socket is in the room as soon as it opens; false when a connect packet must be answered first. */
  readonly inRoomOnOpen: boolean;
  url(who: Identity, resume: Resume): string;
  /**
   * Reads one frame: counts it, or parses it when `parse`; answers protocol chatter through `reply`
   * (Socket.IO's connect and pongs) and keeps what resuming needs in `resume`.
   */
  read(frame: Buffer, parse: boolean, reply: (text: string) => void, who: Identity, resume: Resume): ReadResult;
  /** The frame that sends a gift; Socket.IO numbers it for its ack. */
  giftSend(id: string, giftId: string, count: number, ackId: number): string;
}

const CH_0 = 0x30;
const CH_2 = 0x32;
const CH_3 = 0x33;
const CH_4 = 0x34;

/** Our room: every frame is an event; `?since=` resumes; anonymous viewers pass a stable viewerKey. */
export class OursWire implements RoomWire {
  readonly name = 'ours';
  readonly inRoomOnOpen = true;

  constructor(
    private readonly wsBase: string,
    private readonly liveId: string,
  ) {}

  url(who: Identity, resume: Resume): string {
    const query = new URLSearchParams();
    if (who.kind === 'anonymous') query.set('viewerKey', who.viewerKey);
    else query.set('token', who.token);
    if (resume.epoch !== null) query.set('since', `${resume.epoch}:${resume.seq}`);
    return `${this.wsBase}/v1/lives/${this.liveId}/ws?${query.toString()}`;
  }

  read(frame: Buffer, parse: boolean): ReadResult {
    if (!parse) return 'event';
    const event = JSON.parse(frame.toString('utf8')) as { type: string; seq?: unknown; data: unknown };
    return { type: event.type, seq: typeof event.seq === 'number' ? event.seq : null, data: event.data, offset: null };
  }

  giftSend(id: string, giftId: string, count: number): string {
    return JSON.stringify({ type: 'gift.send', data: { id, giftId, count } });
  }
}

/** Socket.IO 4 (protocol 5) over Engine.IO 4, WebSocket transport only, default namespace. */
export class SocketIoWire implements RoomWire {
  readonly inRoomOnOpen = false;

  constructor(
    private readonly wsBase: string,
    /** Resume with connectionStateRecovery (pid + offset in the connect packet). */
    private readonly recovery: boolean,
  ) {}

  get name(): string {
    return this.recovery ? 'socketio-recovery' : 'socketio';
  }

  url(): string {
    return `${this.wsBase}/socket.io/?EIO=4&transport=websocket`;
  }

  read(frame: Buffer, parse: boolean, reply: (text: string) => void, who: Identity, resume: Resume): ReadResult {
    const first = frame[0];
    if (first === CH_4) {
      const second = frame[1];
      if (second === CH_2 && frame[2] === 0x5b /* [ */) {
        if (!parse) return 'event';
        const packet = JSON.parse(frame.toString('utf8', 2)) as unknown[];
        const payload = packet[1] as { seq?: unknown; data?: unknown } | undefined;
        const last = packet.at(-1);
        return {
          type: String(packet[0]),
          seq: typeof payload?.seq === 'number' ? payload.seq : null,
          data: payload?.data,
          offset: this.recovery && packet.length > 2 && typeof last === 'string' ? last : null,
        };
      }
      if (second === CH_3) {
        // An ack: 43<id>[answer]; always parsed (only senders get them).
        const text = frame.toString('utf8', 2);
        const bracket = text.indexOf('[');
        const answer = (JSON.parse(text.slice(bracket)) as unknown[])[0];
        return { type: 'gift.ack', seq: null, data: answer, offset: null };
      }
      if (second === CH_0) {
        // The namespace connect answer: 40{"sid":…,"pid":…}.
        const body = frame.length > 2 ? (JSON.parse(frame.toString('utf8', 2)) as { pid?: unknown }) : {};
        if (this.recovery && typeof body.pid === 'string') {
          if (body.pid !== resume.pid) resume.offset = null;
          resume.pid = body.pid;
        }
        return 'connected';
      }
      return 'control';
    }
    if (first === CH_2) {
      reply('3');
      return 'control';
    }
    if (first === CH_0) {
      // The Engine.IO open packet: answer with the Socket.IO connect (and what recovery needs).
      const auth: Record<string, string> = who.kind === 'sender' ? { user: who.user } : {};
      if (this.recovery && resume.pid !== null && resume.offset !== null) {
        auth.pid = resume.pid;
        auth.offset = resume.offset;
      }
      reply(Object.keys(auth).length > 0 ? `40${JSON.stringify(auth)}` : '40');
      return 'control';
    }
    return 'control';
  }

  giftSend(id: string, giftId: string, count: number, ackId: number): string {
    return `42${ackId}${JSON.stringify(['gift.send', { id, giftId, count }])}`;
  }
}
