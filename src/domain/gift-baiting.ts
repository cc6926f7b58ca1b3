// Gift-baiting detection (PRODUCT.md, "Good practice and safety"): finds, in a creator's LIVE title
// or message, a promise of something in exchange for gifts or engagement — "follow for follow",
// "Send gifts and I'll give you a shoutout", "Share this LIVE and I'll follow" — so the creator can be
// coached privately at once. Pure and bounded: no I/O, at most BAITING_SCAN_MAX characters read, and
// no regular expression that could backtrack (the few used test a single character).
//
// How a text is read:
//  1. Characters are folded — NFKD, lower case, accents dropped, lookalike letters (fancy fonts, small
//     caps, Cyrillic/Greek twins) and leetspeak mapped, emoji and symbols between letters removed,
//     spaced-out letters joined — into words that remember where in the text they came from.
//  2. Words are looked up in a small lexicon (slang, abbreviations, the default gift names, a little
//     Spanish and Portuguese); phrases are joined ("shout out", "i will", "follow back").
//  3. An *ask* of the viewer (send gifts, share this LIVE, follow me, 100 roses, gifters) and a
//     *reward* from the creator (I'll follow, you get a shoutout, follow back, face reveal) are paired
//     when one clause links them, in either order — unless the clause negates it ("no need to", "you
//     don't have to") or thanks for something already done ("thank you for the rose").
// Precision matters more than recall: a false warning teaches creators to ignore the coaching.
import { DEFAULT_GIFTS } from './default-catalog.js';
import { THANKS_PHRASES } from './thanks.js';

/** What kind of promise was found. */
export type BaitingKind = 'gifts_for_reward' | 'engagement_for_reward' | 'follow_for_follow';

export interface BaitingFinding {
  readonly kind: BaitingKind;
  /** The words of the text that made the promise, as the creator wrote them (a substring of the input). */
  readonly excerpt: string;
  /** Why this is gift-baiting, in one sentence addressed to the creator (plain words, no jargon). */
  readonly why: string;
  /** What to say instead: the suggested thank-you phrases of src/domain/thanks.ts (THANKS_PHRASES), as a readonly array. */
  readonly suggestions: readonly string[];
}

/** Only the first this-many UTF-16 code units are read: titles and messages are far shorter (ROOM_TEXT_MAX). */
export const BAITING_SCAN_MAX = 2_000;

const WHY: Readonly<Record<BaitingKind, string>> = {
  gifts_for_reward:
    'Promising something in return for gifts is not allowed, because gifts must always be a free choice: thank your gifters instead of offering them a reward.',
  engagement_for_reward:
    'Promising something in return for likes, shares, follows or comments is not allowed: let viewers join in because they enjoy your LIVE, and thank them when they do.',
  follow_for_follow:
    'Trading follows ("follow for follow") is not allowed: let people follow you because they enjoy your LIVE, and thank them when they do.',
};

/** The same frozen list for every finding: the thank-you phrases the creator can send in one tap. */
const SUGGESTIONS: readonly string[] = Object.freeze([...THANKS_PHRASES]);

// ---------------------------------------------------------------------------------------------------
// 1. Characters → folded tokens with their place in the text.

const K_LETTER = 1; // a–z, or a letter of another script
const K_DIGIT = 2;
const K_JOIN = 3; // emoji, symbols, format characters: dropped between letters, a space elsewhere
const K_APOS = 4; // apostrophes: dropped inside a word ("i'll" → "ill")
const K_LEET = 5; // @ $ ! | : a letter inside a word, punctuation elsewhere
const K_SPACE = 6;
const K_SOFT = 7; // , ; ( ) " - …
const K_HARD = 8; // . ! and line breaks
const K_QUESTION = 9;
const K_EMIT = 10; // = & + and arrows, gift emoji: a word of their own
const K_HASH = 11;
const K_SLASH = 12;

const ASCII_KIND = new Uint8Array(128).fill(K_SOFT);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (ch >= 'a' && ch <= 'z') ASCII_KIND[c] = K_LETTER;
  else if (ch >= 'A' && ch <= 'Z') ASCII_KIND[c] = K_LETTER;
  else if (ch >= '0' && ch <= '9') ASCII_KIND[c] = K_DIGIT;
  else if (c <= 0x20 || c === 0x7f) ASCII_KIND[c] = K_SPACE;
}
/** Marks the kind of each of these ASCII characters. */
function asciiKinds(chars: string, kind: number): void {
  for (let i = 0; i < chars.length; i++) ASCII_KIND[chars.charCodeAt(i)] = kind;
}
asciiKinds('\n\r.', K_HARD);
asciiKinds('?', K_QUESTION);
asciiKinds("'`", K_APOS);
asciiKinds('*~^_', K_JOIN);
asciiKinds('@$!|', K_LEET);
asciiKinds('=&+:>', K_EMIT);
asciiKinds('#', K_HASH);
asciiKinds('/', K_SLASH);

/** What an ASCII operator stands for when it is a word of its own ("gift = follow", "like & share"). */
const ASCII_EMIT: Readonly<Record<string, string>> = { '=': '=', ':': '=', '>': '=', '&': 'and', '+': 'and' };

/** Gift emoji read as the gift's name ("send 🌹 and I'll follow"). */
const GIFT_EMOJI = new Map<number, string>([
  [0x1f339, 'rose'], [0x1f940, 'rose'], [0x1f381, 'gift'], [0x1f30c, 'galaxy'], [0x1f981, 'lion'],
  [0x1f369, 'doughnut'], [0x1f48e, 'diamond'], [0x1fa99, 'coin'], [0x1f4b0, 'coin'], [0x1f52b, 'moneygun'],
]);

/** Letters that look like Latin ones, after lower-casing: small caps, Cyrillic and Greek twins. */
const LOOKALIKE = new Map<string, string>();
for (const pair of [
  'aᴀаαɑ', 'bʙьβв', 'cᴄс', 'dᴅԁ', 'eᴇеε', 'fꜰғ', 'gɢɡ', 'hʜһн', 'iɪіιı', 'jᴊј', 'kᴋкκ', 'lʟӏℓ', 'mᴍм',
  'nɴηп', 'oᴏοо', 'pᴘрρ', 'rʀ', 'sꜱѕς', 'tᴛтτ', 'uᴜυ', 'vᴠν', 'wᴡԝω', 'xхχ', 'yʏуγ', 'zᴢ',
]) {
  for (const twin of pair.slice(1)) LOOKALIKE.set(twin, pair.charAt(0));
}

const MARK = /\p{M}/u;
const LETTER = /\p{L}/u;
const NUMBER = /\p{N}/u;
const SPACE = /[\p{Z}\p{Cc}]/u;
const JOINING = /[\p{S}\p{Cf}]/u;

/** Folds one non-ASCII code point: compatibility forms (fancy fonts, full width) and accents removed. */
function foldCodePoint(cp: number): string {
  if (cp >= 0x1f150 && cp <= 0x1f169) return String.fromCharCode(97 + cp - 0x1f150); // negative circled A–Z
  if (cp >= 0x1f170 && cp <= 0x1f189) return String.fromCharCode(97 + cp - 0x1f170); // negative squared A–Z
  if (cp >= 0x1f200) return '\u2063'; // emoji and other pictographs: a symbol
  let out = '';
  for (const ch of String.fromCodePoint(cp).normalize('NFKD').toLowerCase()) {
    if (!MARK.test(ch)) out += LOOKALIKE.get(ch) ?? ch;
  }
  return out;
}

/** The kind of one folded UTF-16 unit (ASCII or not). */
function kindOf(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c < 128) return ASCII_KIND[c] ?? K_SOFT;
  if (ch === '\u2019' || ch === '\u2018' || ch === '\u02bc' || ch === '\u00b4') return K_APOS;
  if (ch === '\u2028' || ch === '\u2029' || ch === '\u3002') return K_HARD;
  if (ch === '\u061f' || ch === '\u00bf') return ch === '\u061f' ? K_QUESTION : K_SOFT;
  if ((c >= 0x2190 && c <= 0x21ff) || (c >= 0x27a1 && c <= 0x27bf) || c === 0x2b95) return K_EMIT; // arrows
  if (LETTER.test(ch) || NUMBER.test(ch)) return K_LETTER;
  if (SPACE.test(ch)) return K_SPACE;
  if (JOINING.test(ch) || (c >= 0xfe00 && c <= 0xfe0f)) return K_JOIN;
  return K_SOFT;
}

/** The folded characters of a code point with their kinds, memoised: NFKD and \p{…} tests are the slow part. */
const FOLDED = new Map<number, readonly { ch: string; kind: number }[]>();
const FOLDED_MAX = 4_096;

function foldedCells(cp: number): readonly { ch: string; kind: number }[] {
  let cells = FOLDED.get(cp);
  if (cells === undefined) {
    cells = Array.from(foldCodePoint(cp), (ch) => ({ ch, kind: kindOf(ch) }));
    if (FOLDED.size >= FOLDED_MAX) FOLDED.clear(); // bounded: a cache, never a leak
    FOLDED.set(cp, cells);
  }
  return cells;
}

/** One folded character and the code point of the input it came from. */
interface Cell {
  ch: string;
  kind: number;
  start: number;
  end: number;
}

/** The input's first BAITING_SCAN_MAX code units as folded cells; lone surrogates become spaces. */
function cellsOf(text: string): Cell[] {
  const cells: Cell[] = [];
  const n = Math.min(text.length, BAITING_SCAN_MAX);
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      const kind = ASCII_KIND[c] ?? K_SOFT;
      const ch = kind === K_LETTER ? String.fromCharCode(c | 0x20) : text.charAt(i);
      cells.push({ ch, kind, start: i, end: i + 1 });
      i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    const width = cp > 0xffff ? 2 : 1;
    const end = i + width;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      cells.push({ ch: ' ', kind: K_SPACE, start: i, end });
    } else {
      const gift = GIFT_EMOJI.get(cp);
      if (gift !== undefined) {
        cells.push({ ch: gift, kind: K_EMIT, start: i, end });
      } else if (cp === 0x2795) {
        cells.push({ ch: 'and', kind: K_EMIT, start: i, end });
      } else if (cp === 0x1f449 || cp === 0x1f51c) {
        cells.push({ ch: '=', kind: K_EMIT, start: i, end }); // 👉 🔜 point from an ask to its reward
      } else if ((cp >= 0x3040 && cp <= 0x31ff) || (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3)) {
        cells.push({ ch: String.fromCharCode(cp), kind: K_LETTER, start: i, end }); // kana, CJK, Hangul: letters, nothing to fold
      } else {
        for (const cell of foldedCells(cp)) cells.push({ ch: cell.ch, kind: cell.kind, start: i, end });
      }
    }
    i = end;
  }
  return cells;
}

/** A run of word characters, before the lexicon. */
interface Token {
  s: string;
  start: number;
  end: number;
  /** Strongest separation before it: 0 space, 1 comma-like, 2 sentence end, 3 question mark. */
  brk: number;
  apos: boolean;
  hash: boolean;
  mention: boolean;
  /** An operator or gift emoji standing for a word ("=", "and", "rose"). */
  emit: boolean;
  /** Separated from the previous token by exactly one "/" or "." ("s/o"). */
  slash: boolean;
  /** Joined from spaced-out letters, or a hashtag: may be several words run together. */
  compound: boolean;
}

function isWordKind(kind: number): boolean {
  return kind === K_LETTER || kind === K_DIGIT;
}

function endsInLetter(s: string): boolean {
  const c = s.charCodeAt(s.length - 1);
  return c >= 0x61 && c <= 0x7a;
}

/** Splits cells into tokens; leetspeak symbols and joiners are decided by their neighbours. */
class Tokenizer {
  readonly tokens: Token[] = [];
  private cur: Token | null = null;
  private brk = 0;
  private hash = false;
  private mention = false;
  private seps = '';

  constructor(private readonly cells: readonly Cell[]) {}

  run(): Token[] {
    const cells = this.cells;
    // nextSolid[k]: the kind of the first cell from k on that is not a joiner or an apostrophe.
    const nextSolid = new Uint8Array(cells.length + 1);
    nextSolid[cells.length] = K_SPACE;
    for (let k = cells.length - 1; k >= 0; k--) {
      const kind = cells[k]?.kind ?? K_SPACE;
      nextSolid[k] = kind === K_JOIN || kind === K_APOS ? (nextSolid[k + 1] ?? K_SPACE) : kind;
    }
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[k];
      if (cell === undefined) break;
      const nextIsLetter = cells[k + 1]?.kind === K_LETTER;
      const inWord = this.cur !== null && endsInLetter(this.cur.s);
      switch (cell.kind) {
        case K_LETTER:
        case K_DIGIT:
          this.append(cell.ch, cell);
          break;
        case K_LEET:
          if (cell.ch === '@' && inWord && nextIsLetter) this.append('a', cell);
          else if (cell.ch === '@' && this.cur === null && nextIsLetter) this.mention = true;
          else if (cell.ch === '$' && (inWord || nextIsLetter)) this.append('s', cell);
          else if (cell.ch === '!' && inWord && nextIsLetter) this.append('i', cell);
          else if (cell.ch === '|' && (inWord || nextIsLetter)) this.append('l', cell);
          else this.separate(cell.ch === '!' ? K_HARD : K_SOFT, cell.ch);
          break;
        case K_JOIN:
        case K_APOS:
          if (this.cur !== null && isWordKind(nextSolid[k + 1] ?? K_SPACE)) {
            if (cell.kind === K_APOS) this.cur.apos = true;
          } else {
            this.separate(K_SPACE, '');
          }
          break;
        case K_EMIT:
          // A gift emoji between letters is decoration ("f🌹o🌹l🌹l🌹o🌹w"); elsewhere it is a word.
          if (!(cell.ch.length > 1 && inWord && nextIsLetter)) this.emit(cell);
          break;
        case K_HASH:
          this.close();
          this.hash = true;
          break;
        default:
          this.separate(cell.kind, cell.ch);
      }
    }
    this.close();
    return this.tokens;
  }

  private append(ch: string, cell: Cell): void {
    if (this.cur === null) {
      const slash = this.seps === '/' || this.seps === '.';
      this.cur = { s: ch, start: cell.start, end: cell.end, brk: this.brk, apos: false, hash: this.hash, mention: this.mention, emit: false, slash, compound: this.hash };
    } else {
      this.cur.s += ch;
      this.cur.end = cell.end;
    }
  }

  private emit(cell: Cell): void {
    const s = cell.ch.length > 1 ? cell.ch : (ASCII_EMIT[cell.ch] ?? '=');
    const brk = this.brk;
    this.close();
    this.tokens.push({ s, start: cell.start, end: cell.end, brk, apos: false, hash: false, mention: false, emit: true, slash: false, compound: false });
    this.brk = 0;
    this.seps = '';
  }

  private close(): void {
    if (this.cur !== null) {
      this.tokens.push(this.cur);
      this.brk = 0;
      this.hash = false;
      this.mention = false;
      this.seps = '';
    }
    this.cur = null;
  }

  private separate(kind: number, ch: string): void {
    this.close();
    if (kind === K_SOFT || kind === K_SLASH) this.brk = Math.max(this.brk, 1);
    else if (kind === K_HARD) this.brk = Math.max(this.brk, 2);
    else if (kind === K_QUESTION) this.brk = 3;
    this.seps += ch;
  }
}

function tokensOf(cells: readonly Cell[]): Token[] {
  return mergeSpacedLetters(new Tokenizer(cells).run());
}

/** "f o l l o w", "f.o.l.l.o.w", "f 4 f": three or more one-character tokens in a row become one; "s/o" too. */
function mergeSpacedLetters(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  let k = 0;
  while (k < tokens.length) {
    const first = tokens[k];
    if (first === undefined) break;
    let j = k;
    while (j < tokens.length) {
      const t = tokens[j];
      if (t === undefined || t.s.length !== 1 || t.emit || t.mention || (j > k && t.hash)) break;
      j++;
    }
    const run = j - k;
    const second = tokens[k + 1];
    if (run >= 3) {
      let s = '';
      for (let m = k; m < j; m++) s += tokens[m]?.s ?? '';
      const last = tokens[j - 1] ?? first;
      out.push({ ...first, s, end: last.end, compound: true });
      k = j;
    } else if (run === 2 && second !== undefined && second.slash && ((first.s === 's' && second.s === 'o') || (first.s === 'f' && second.s === 'b'))) {
      out.push({ ...first, s: first.s === 's' ? 'shoutout' : 'followback', end: second.end });
      k += 2;
    } else {
      out.push(first);
      k++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// 2. The lexicon: what each word can mean. A word may carry several roles; the grammar below decides.

const GIVE = 1 << 0; // send, give, drop, gift (a viewer's giving verb)
const GIFTN = 1 << 1; // gift, rose, galaxy, coins (something given)
const GIFTER = 1 << 2; // gifters, top gifter
const ENGV = 1 << 3; // follow, share, like, tap, subscribe, comment (a viewer's engagement verb)
const ENGN = 1 << 4; // likes, follows, followers, shares (engagement counted)
const PROMISE = 1 << 5; // i will, imma, gonna
const IPRON = 1 << 6; // i, we, te (Spanish "te sigo"): a present-tense promise when a reward verb follows
const RV = 1 << 7; // a reward verb: follow, shout out, dm, pin, dance
const RN = 1 << 8; // a reward noun: shoutout, follow back, face reveal, prize
const BACK = 1 << 9;
const GETS = 1 << 10; // get, gets, wins, unlocks
const COND = 1 << 11; // if, when, whoever, everyone, first, every
const FOR = 1 << 12;
const EQ = 1 << 13; // = → : in return
const AND = 1 << 14;
const NEG = 1 << 15;
const THANKS = 1 << 16;
const PAST = 1 << 17; // sent, gave, followed: already done, never an ask
const YOU = 1 << 18;
const ME = 1 << 19;
const DET = 1 << 20;
const NUM = 1 << 21;
const OBJ = 1 << 22; // live, stream, page: what a viewer shares or follows
const PLEASE = 1 << 23;
const TO = 1 << 24;
const FILLER = 1 << 25; // definitely, also, be: skipped between a promise and its verb
const FOLLOWISH = 1 << 26; // follow, subscribe, follow back: decides follow_for_follow
const MORE = 1 << 27; // some, more, them, all: what a giving verb may take before its object
const MENTION = 1 << 28; // @someone
const WANT = 1 << 29; // want, wanna: "Want a shoutout? Send a rose"

interface Piece {
  readonly w: string;
  readonly tags: number;
}

const LEX = new Map<string, readonly Piece[]>();
const CANON = new Map<string, Piece>();

/** Defines a canonical word with its roles and the spellings that mean it (lower case, no accents or apostrophes). */
function def(tags: number, canon: string, ...spellings: string[]): void {
  const piece: Piece = { w: canon, tags };
  CANON.set(canon, piece);
  LEX.set(canon, [piece]);
  for (const s of spellings) LEX.set(s, [piece]);
}

/** Defines several words with the same roles, each its own canonical word. */
function defEach(tags: number, ...words: string[]): void {
  for (const w of words) def(tags, w);
}

/** A spelling that stands for several canonical words ("f4f" → follow for follow). */
function alias(spelling: string, canonWords: string): void {
  LEX.set(
    spelling,
    canonWords.split(' ').map((w) => {
      const piece = CANON.get(w);
      if (piece === undefined) throw new Error(`gift-baiting lexicon: alias ${spelling} names unknown word ${w}`);
      return piece;
    }),
  );
}

// Giving, and what is given.
def(GIVE | RV, 'send', 'sends', 'sending', 'sendin', 'snd', 'sned');
def(GIVE | RV, 'give', 'gives', 'giving', 'givin', 'giv');
def(GIVE | GIFTN | RV, 'gift', 'gifts', 'gifting', 'giftin', 'gft', 'gfts', 'gifties', 'giftz');
def(GIVE | RV, 'drop', 'drops', 'dropping', 'droppin');
def(GIVE, 'donate', 'donates', 'donating');
def(GIVE, 'support', 'supporting');
def(GIVE, 'spam', 'spams', 'spamming', 'spammin');
def(GIVE, 'throw', 'throws', 'throwing', 'toss', 'shower', 'tip', 'tips', 'tipping');
def(GIVE, 'manda', 'mandas', 'manden', 'mande', 'mandem', 'mandame', 'mandar', 'envia', 'envias', 'envien', 'enviem', 'enviar', 'regala', 'regalen', 'regalame', 'regalar', 'regalas', 'dame');
def(GIFTN, 'rose', 'roses', 'rosa', 'rosas', 'rosita', 'rositas', 'rosinha', 'rosinhas');
def(GIFTN, 'coin', 'coins', 'moneda', 'monedas', 'moeda', 'moedas');
def(GIFTN, 'galaxy', 'galaxies', 'galaxys', 'galaxia', 'galaxias');
def(GIFTN, 'lion', 'lions', 'leon', 'leones', 'leao');
def(GIFTN, 'universe', 'universes', 'universo', 'universos');
def(GIFTN, 'doughnut', 'doughnuts', 'donut', 'donuts');
def(GIFTN, 'corgi', 'corgis');
def(GIFTN, 'diamond', 'diamonds', 'diamante', 'diamantes');
def(GIFTN, 'present', 'presents', 'presente', 'presentes', 'regalo', 'regalos', 'regalito', 'regalitos');
def(GIFTN, 'moneygun', 'moneyguns');
def(GIFTER, 'gifter', 'gifters', 'giftr', 'giftrs', 'donor', 'donors', 'donator', 'donators');
defEach(PAST, 'sent', 'gave', 'given', 'dropped', 'donated', 'gifted', 'spammed', 'tipped', 'mandaste', 'enviaste', 'regalaste');

// Engagement.
def(ENGV | ENGN | RV | FOLLOWISH, 'follow', 'follows', 'following', 'followin', 'folow', 'flw', 'fllw', 'folo', 'follw', 'fol', 'sigueme', 'siganme', 'seguime', 'segueme', 'segue', 'sigam', 'sigan');
def(ENGN | FOLLOWISH, 'followers', 'follower', 'flwrs', 'seguidores');
def(ENGV | ENGN | RV | FOLLOWISH, 'subscribe', 'subscribes', 'subscribing', 'sub', 'subs', 'subbing', 'suscribete', 'suscribanse', 'inscrevase');
def(ENGN | FOLLOWISH, 'subscribers', 'subscriber');
def(ENGV | ENGN | RV, 'like', 'likes', 'liking', 'likee', 'curte', 'curtam');
def(ENGV | ENGN | RV, 'share', 'shares', 'sharing', 'sharin', 'repost', 'reposts', 'reposting', 'retweet', 'comparte', 'compartan', 'compartir', 'compartilha', 'compartilhem', 'compartilhe');
def(ENGV | ENGN, 'comment', 'comments', 'commenting', 'comenta', 'comenten', 'comente');
def(ENGV | ENGN, 'tap', 'taps', 'tapping', 'tappin');
def(ENGV, 'type', 'types', 'typing', 'write', 'escribe', 'escriban');
def(ENGV, 'join', 'joins', 'joining');
def(ENGV, 'hit', 'smash', 'press', 'click', 'hitting', 'smashing', 'pressing', 'clicking');
def(ENGN, 'heart', 'hearts');
defEach(PAST, 'followed', 'shared', 'liked', 'subscribed', 'subbed', 'commented', 'tapped', 'joined', 'reposted', 'seguiste', 'compartiste');
defEach(OBJ, 'live', 'lives', 'stream', 'streams', 'livestream', 'page', 'account', 'channel', 'video', 'vid', 'videos', 'post', 'posts', 'profile', 'link', 'button', 'room', 'screen', 'friends', 'tiktok', 'insta', 'instagram', 'ig', 'youtube', 'yt', 'twitch', 'clip', 'clips', 'vivo', 'directo', 'perfil', 'canal', 'club', 'fanclub', 'team', 'squad', 'fam', 'family', 'chat');
defEach(0, 'out', 'up', 'over', 'away', 'with', 'name', 'names', 'people', 'ppl');

// Promises and rewards.
def(PROMISE, 'will', 'gonna', 'gona', 'wil', 'shall', 'gon', 'would');
def(PROMISE | IPRON, 'ill', 'imma', 'ima', 'immma');
def(IPRON, 'i', 'we', 'im', 'eu', 'te', 'les', 'iam');
def(RV, 'shout', 'shouting', 'shoutin');
def(RV | RN, 'shoutout', 'shoutouts', 'shouout', 'shotout', 'shoutou', 'shoutie', 'shouty', 'shoutouted');
def(RV | RN | FOLLOWISH | BACK, 'followback', 'followbacks', 'fb', 'fbk', 'folbak', 'followbck', 'flwback', 'followbak', 'fback');
def(RV | RN, 'dm', 'dms', 'pm', 'pms', 'message', 'msg', 'text', 'inbox');
def(RV | RN, 'pin', 'pins', 'pinning');
def(RV, 'add', 'adding', 'notice', 'noticing', 'visit', 'visiting', 'tag', 'tagging', 'bless', 'blessing');
def(RV | RN, 'mention', 'mentions', 'mentioning');
def(RN, 'pinned', 'noticed', 'mentioned', 'featured', 'blessed');
def(RV | RN, 'dance', 'dances', 'dancing', 'bailo', 'bailar', 'danco', 'dancar');
def(RV | RN, 'sing', 'singing', 'song', 'songs', 'canto', 'cantar');
def(RV | RN, 'reveal', 'reveals', 'revealing');
def(RV | RN, 'call', 'calls', 'calling', 'videocall');
def(RV | RN, 'feature', 'featuring', 'wave', 'duet', 'duets', 'stitch');
def(RV, 'do', 'doing', 'show', 'showing', 'play', 'playing');
def(RN, 'picks', 'pick', 'chooses', 'choose', 'decides', 'prize', 'prizes', 'reward', 'rewards', 'giveaway', 'giveaways', 'surprise', 'vip', 'spotlight', 'pushups', 'pushup', 'squat', 'squats', 'burpee', 'burpees', 'plank', 'planks', 'situps', 'backflip', 'backflips', 'flip', 'flips', 'cartwheel', 'cartwheels', 'premio', 'premios', 'sorteo', 'sorteio');
def(RV | FOLLOWISH, 'sigo', 'seguire', 'sigos');
def(RV | RN, 'saludo', 'saludare');
def(RV, 'doy', 'dou', 'menciono', 'mando');
def(RV, 'sayname');
def(BACK, 'back', 'bak', 'bck', 'bk');
def(GETS, 'get', 'gets', 'getting', 'gettin', 'win', 'wins', 'earn', 'earns', 'receive', 'receives', 'unlock', 'unlocks', 'unlocking', 'recibe', 'reciben', 'gana', 'ganan', 'ganha', 'score', 'scores');
def(WANT, 'want', 'wants', 'wanna', 'need', 'needs', 'quieres', 'quer', 'queres');

// Glue.
defEach(COND, 'if', 'when', 'whenever', 'once', 'whoever', 'whomever', 'whoevers', 'anyone', 'anybody', 'everyone', 'everybody', 'every', 'each', 'per', 'who', 'first', '1st', 'next', 'till', 'until', 'si', 'quien', 'quienes', 'cada', 'se', 'quem');
def(COND | MORE, 'all', 'yall');
def(FOR, 'for', 'por', 'pra', 'para');
def(EQ, '=', 'equals', 'means');
def(AND, 'and', 'n', 'nd', 'then', 'so', 'y', 'e', 'que', 'plus');
def(NEG, 'no', 'not', 'dont', 'doesnt', 'didnt', 'never', 'without', 'optional', 'nobody', 'noone', 'nothing', 'wont', 'cant', 'cannot', 'regardless', 'whether', 'nor', 'stop', 'unnecessary', 'forbidden', 'banned', 'against', 'sin', 'nao', 'nunca', 'isnt', 'arent', 'aint', 'neither', 'shouldnt', 'mustnt', 'anyway', 'anyways', 'allowed', 'policy', 'meaning');
def(THANKS, 'thanks', 'thank', 'thx', 'thnx', 'thanx', 'tnx', 'ty', 'tysm', 'tyvm', 'thankyou', 'thanku', 'appreciate', 'appreciated', 'grateful', 'gracias', 'obrigado', 'obrigada', 'valeu', 'merci', 'danke');
def(YOU, 'you', 'u', 'ya', 'yu', 'youu', 'yourself', 'youre', 'ustedes', 'voce', 'vc', 'vcs', 'voces', 'guys');
def(YOU | DET, 'your', 'ur', 'yours', 'yor', 'tu', 'tus', 'seu', 'sua');
def(ME, 'me', 'us', 'mine');
defEach(DET, 'a', 'an', 'the', 'this', 'that', 'these', 'those', 'my', 'our', 'el', 'la', 'las', 'los', 'un', 'una', 'um', 'uma', 'o', 'mi', 'mis', 'thee', 'da');
def(NUM, 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'twenty', 'fifty', 'hundred', 'thousand', 'million', 'dozen', 'uno', 'dos', 'tres', 'cinco', 'diez', 'cien', 'mil');
def(PLEASE, 'please', 'pls', 'plz', 'plss', 'plzz', 'plox', 'pleasee', 'porfa', 'porfavor', 'pf', 'pfv');
def(TO, 'to', 'til');
defEach(FILLER, 'def', 'definitely', 'deffo', 'also', 'totally', 'personally', 'immediately', 'instantly', 'right', 'gladly', 'happily', 'literally', 'even', 'just', 'really', 'surely', 'sure', 'always', 'be', 'auto', 'automatically', 'asap', 'rn', 'now', 'too', 'guaranteed');
defEach(MORE, 'some', 'more', 'them', 'em', 'lots', 'lot', 'of', 'most', 'many', 'few', 'something', 'anything', 'stuff', 'it', 'in', 'big', 'huge', 'tons', 'ton', 'bunch', 'any', 'whatever', 'mas', 'muchos', 'muchas', 'those');

alias('f4f', 'follow for follow');
alias('fxf', 'follow for follow');
alias('follow4follow', 'follow for follow');
alias('followforfollow', 'follow for follow');
alias('l4l', 'like for like');
alias('like4like', 'like for like');
alias('likeforlike', 'like for like');
alias('s4s', 'share for share');
alias('sub4sub', 'subscribe for subscribe');
alias('subforsub', 'subscribe for subscribe');
alias('share4share', 'share for share');
alias('c4c', 'comment for comment');
alias('g4g', 'gift for gift');
alias('gift4gift', 'gift for gift');

/** Contractions, read only when written with an apostrophe ("we'll" is not "well"). */
const WITH_APOSTROPHE = new Map<string, readonly Piece[]>();
for (const [spelling, words] of [['ill', 'i will'], ['well', 'we will'], ['id', 'i would'], ['youll', 'you will'], ['were', 'we'], ['im', 'i']] as const) {
  WITH_APOSTROPHE.set(spelling, words.split(' ').flatMap((w) => LEX.get(w) ?? []));
}

interface Phrase {
  readonly words: readonly string[];
  readonly piece: Piece;
}

/** Phrases by their first canonical word, longest first. */
const PHRASES = new Map<string, Phrase[]>();
const NO_PHRASES: readonly Phrase[] = [];

function canonOf(word: string): string {
  return LEX.get(word)?.[0]?.w ?? word;
}

function phrase(tags: number, canon: string, ...spellings: string[]): void {
  const piece: Piece = { w: canon, tags };
  if (!CANON.has(canon)) CANON.set(canon, piece);
  for (const spelling of spellings) {
    const words = spelling.split(' ').map(canonOf);
    const first = words[0] ?? '';
    const list = PHRASES.get(first) ?? [];
    list.push({ words, piece });
    list.sort((a, b) => b.words.length - a.words.length);
    PHRASES.set(first, list);
  }
}

phrase(PROMISE | IPRON, 'ill', 'i will', 'i am going to', 'im going to', 'i am gonna', 'im gonna', 'i would', 'we will', 'we are going to', 'we are gonna', 'going to', 'i shall', 'i can', 'we can');
phrase(GETS, 'get', 'you will get', 'you get', 'will get', 'you will be', 'you can get', 'you will receive', 'you receive', 'you win', 'you will win', 'you earn');
phrase(IPRON, 'make me', 'make me', 'see me', 'makes me', 'watch me', 'ill make');
phrase(RV | RN, 'shoutout', 'shout out', 'shout outs', 'give a shout');
phrase(RV | RN | FOLLOWISH | BACK, 'followback', 'follow back', 'follow u back', 'f back', 'sigo de vuelta', 'sigo de volta', 'followed back', 'follow you back');
phrase(RV | RN, 'likeback', 'like back', 'sub back', 'gift back', 'share back');
phrase(RV | RN, 'reveal', 'face reveal', 'face cam reveal');
phrase(RN, 'pushups', 'push up', 'push ups', 'video call', 'sit ups', 'jumping jacks');
phrase(RV, 'sayname', 'say your name', 'say your names', 'say names', 'read your name', 'shout your name', 'say the names', 'say ur name');
phrase(GIFTN, 'moneygun', 'money gun', 'money guns', 'finger heart', 'finger hearts', 'hand heart', 'hand hearts', 'heart me');
phrase(GIFTER, 'gifter', 'top gifter', 'top gifters', 'top supporter', 'top supporters');
phrase(BACK, 'back', 'de vuelta', 'de volta');
phrase(ENGV, 'like', 'dale like', 'da like', 'hit like', 'leave a like');
phrase(EQ, '=', 'in return', 'in exchange', 'in exchange for', 'in return for');
phrase(NEG, 'no', 'what does', 'no need', 'or not', 'even if', 'instead of', 'not needed', 'not required', 'not allowed', 'no pressure', 'do not', 'not necessary', 'no obligation');
phrase(0, 'ok', 'no cap', 'no joke', 'no lie', 'dont forget', 'do not forget', 'dont miss', 'never miss', 'no worries');
phrase(THANKS, 'thanks', 'thank you', 'thank u', 'thanks you', 'muito obrigado', 'muchas gracias');
phrase(FOR, 'for', 'in order to');

// The default gift names ("Money Gun", "Finger Heart") are words for gifts too.
for (const g of DEFAULT_GIFTS) {
  const words = g.name.toLowerCase().split(' ');
  if (words.length === 1) {
    const name = words[0] ?? '';
    if (!LEX.has(name)) def(GIFTN, name, `${name}s`);
  } else {
    phrase(GIFTN, words.join(''), words.join(' '));
  }
}

/** Squeezed spellings ("foooollow" → "folow"), looked up for tokens of four letters or more. */
const SQUEEZED = new Map<string, readonly Piece[]>();

function squeeze(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) if (s.charAt(i) !== s.charAt(i - 1)) out += s.charAt(i);
  return out;
}

for (const [spelling, pieces] of LEX) {
  if (spelling.length >= 3) {
    const key = squeeze(spelling);
    if (!SQUEEZED.has(key)) SQUEEZED.set(key, pieces);
  }
}

/** Run-together tokens ("followforfollow", "#sendgifts") are split into lexicon words of at most this length. */
const SPLIT_WORD_MAX = 12;
const FOR_WORD: readonly Piece[] = LEX.get('for') ?? [];
const SPLIT_ANCHORS = ['follow', 'gift', 'share', 'like', 'sub', 'shout', 'send', 'rose', 'f4f', 'l4l', 'galaxy', 'lion'];

// ---------------------------------------------------------------------------------------------------
// 3. Tokens → words.

interface Word {
  w: string;
  tags: number;
  /** The folded token it came from ("roses" for the canonical "rose"). */
  raw: string;
  start: number;
  end: number;
  brk: number;
}

function lookup(s: string, apos: boolean): readonly Piece[] | undefined {
  if (apos) {
    const contraction = WITH_APOSTROPHE.get(s);
    if (contraction !== undefined) return contraction;
  }
  const exact = LEX.get(s);
  if (exact !== undefined) return exact;
  return s.length >= 4 && hasDoubleLetter(s) ? SQUEEZED.get(squeeze(s)) : undefined;
}

function hasDoubleLetter(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) === s.charCodeAt(i - 1)) return true;
  return false;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

const LEET_DIGITS: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g' };

function unleet(s: string, one: string): string {
  let out = '';
  for (const ch of s) out += ch === '1' ? one : (LEET_DIGITS[ch] ?? ch);
  return out;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return s.length > 0;
}

/** A number of things: "100", "10k", "1m". */
function isCount(s: string): boolean {
  const last = s.charAt(s.length - 1);
  return isDigits(s) || (s.length >= 2 && (last === 'k' || last === 'm') && isDigits(s.slice(0, -1)));
}

/** Splits a run-together token into lexicon words, fewest pieces first; undefined when it cannot. */
function split(s: string): readonly Piece[] | undefined {
  if (s.length > 60) return undefined;
  const best: (readonly Piece[] | undefined)[] = [[]];
  for (let end = 1; end <= s.length; end++) {
    let found: readonly Piece[] | undefined;
    for (let start = Math.max(0, end - SPLIT_WORD_MAX); start < end; start++) {
      const before = best[start];
      if (before === undefined) continue;
      const part = s.slice(start, end);
      const use = part === '4' ? FOR_WORD : part.length > 1 || part === 'a' || part === 'i' || part === 'u' ? LEX.get(part) : undefined;
      if (use === undefined) continue;
      if (found === undefined || before.length + use.length < found.length) found = [...before, ...use];
    }
    best.push(found);
  }
  return best[s.length];
}

function resolve(t: Token): readonly Piece[] {
  const s = t.s;
  if (t.mention) return [{ w: '@', tags: MENTION }];
  if (isCount(s)) return [{ w: s, tags: NUM }];
  const direct = lookup(s, t.apos);
  if (direct !== undefined) return direct;
  let hasDigit = false;
  for (let i = 0; i < s.length && !hasDigit; i++) hasDigit = isDigit(s.charCodeAt(i));
  if (hasDigit) {
    const leet = lookup(unleet(s, 'i'), t.apos) ?? lookup(unleet(s, 'l'), t.apos);
    if (leet !== undefined) return leet;
    // "100roses", "gift4follow": numbers and words run together.
    const parts: Piece[] = [];
    let run = '';
    const flush = (): boolean => {
      if (run === '') return true;
      const pieces: readonly Piece[] | undefined = isDigits(run) ? [{ w: run, tags: NUM }] : lookup(run, false);
      run = '';
      if (pieces === undefined) return false;
      parts.push(...pieces);
      return true;
    };
    let ok = true;
    for (let i = 0; i < s.length && ok; i++) {
      const ch = s.charAt(i);
      const prev = s.charAt(i - 1);
      if (i > 0 && (ch >= '0' && ch <= '9') !== (prev >= '0' && prev <= '9')) ok = flush();
      run += ch;
    }
    if (ok && flush() && parts.length > 1) return parts;
  }
  if (t.compound || (s.length >= 7 && SPLIT_ANCHORS.some((a) => s.includes(a)))) {
    const parts = split(s);
    if (parts !== undefined) return parts;
  }
  return [{ w: s, tags: 0 }];
}

/** The words of a text: resolved, phrases joined, repeats folded, and "4"/"2"/"x" read in context. */
function wordsOf(text: string): Word[] {
  const raw: Word[] = [];
  for (const t of tokensOf(cellsOf(text))) {
    const pieces = resolve(t);
    for (let p = 0; p < pieces.length; p++) {
      const piece = pieces[p];
      if (piece === undefined) continue;
      raw.push({ w: piece.w, tags: piece.tags, raw: t.s, start: t.start, end: t.end, brk: p === 0 ? t.brk : 0 });
    }
  }
  // Phrases, longest first, never across a sentence end.
  const joined: Word[] = [];
  for (let i = 0; i < raw.length; ) {
    const word = raw[i];
    if (word === undefined) break;
    let taken = 1;
    let merged: Word = word;
    for (const ph of PHRASES.get(word.w) ?? NO_PHRASES) {
      const n = ph.words.length;
      let match = i + n <= raw.length;
      for (let k = 0; match && k < n; k++) {
        const other = raw[i + k];
        match = other !== undefined && other.w === ph.words[k] && (k === 0 || other.brk <= 1);
      }
      if (match) {
        const last = raw[i + n - 1] ?? word;
        merged = { w: ph.piece.w, tags: ph.piece.tags, raw: word.raw, start: word.start, end: last.end, brk: word.brk };
        taken = n;
        break;
      }
    }
    joined.push(merged);
    i += taken;
  }
  // "tap tap tap", "🌹🌹🌹": one word.
  const words: Word[] = [];
  for (const word of joined) {
    const prev = words[words.length - 1];
    if (prev !== undefined && prev.w === word.w && word.brk <= 1 && (word.tags & (FOR | EQ | AND)) === 0) prev.end = word.end;
    else words.push(word);
  }
  // "gift 4 follow", "follow x follow", "share 2 get": a digit or letter standing for a word.
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const next = words[i + 1];
    const prev = words[i - 1];
    if (word === undefined) continue;
    const countable = next !== undefined && ((next.tags & GIFTN) !== 0 || ((next.tags & ENGN) !== 0 && next.raw.endsWith('s')));
    // "gift 4 gift", "shoutouts 4 gifts" — but "send 4 roses", "get 4 roses".
    const exchange = prev !== undefined && next !== undefined && (prev.w === next.w || ((prev.tags & (RN | ENGV | ENGN)) !== 0 && (prev.tags & (GIVE | GETS)) === 0));
    if (word.w === '4' && next !== undefined && (!countable || exchange)) word.tags = FOR;
    else if (word.w === '2' && next !== undefined && !countable) word.tags = TO;
    else if (word.w === 'x' && prev !== undefined && next !== undefined && (prev.tags & next.tags & (ENGV | ENGN | GIFTN | RN)) !== 0) word.tags = FOR;
  }
  return words;
}

// ---------------------------------------------------------------------------------------------------
// 4. Asks, rewards, and the links between them.

interface Span {
  /** First and last word. */
  s: number;
  e: number;
  /** Ask: it asks for gifts (not only engagement). */
  gift: boolean;
  /** Ask or reward about following or subscribing. */
  followish: boolean;
  /** Ask: a verb ("send gifts"); a noun ask ("100 roses") needs its link right after it. */
  verb: boolean;
  /** Noun ask: a link word just before it ("for roses", "every rose", "if we get 100 roses"). */
  lead: boolean;
  /** Noun ask: a link word right after it ("roses =", "100 likes and"). */
  trail: boolean;
  /** Reward: an explicit promise ("I'll …", "you get …"), not just a reward noun. */
  strong: boolean;
}

/** Function words that may stand between a bare reward noun and its ask. */
const GLUE = AND | EQ | FOR | GETS | TO | WANT | COND | YOU | ME | DET | PLEASE | FILLER | NUM | MORE | PROMISE | IPRON;

/** Words that may also stand there: "to join my VIP list", "to become a mod", "an instant follow back". */
const GLUE_WORDS = new Set(['join', 'become', 'on', 'into', 'instant', 'free', 'personal', 'special', 'exclusive', 'private', 'extra', 'quick']);

/** Words that link an ask to what follows it. */
const LINK = AND | FOR | EQ | COND | PROMISE | IPRON | PLEASE | TO | GETS | NUM;

const END: Word = { w: '', tags: 0, raw: '', start: 0, end: 0, brk: 2 };

const REWARD_ANY_NEXT = new Set(['dance', 'sing', 'reveal', 'do', 'shout', 'shoutout', 'wave', 'duet', 'show', 'play', 'saludo', 'sigo', 'doy', 'mando', 'menciono', 'sayname', 'followback', 'likeback', 'call', 'feature']);
const REWARD_GIVES = new Set(['give', 'send', 'gift', 'drop']);
const PERSON_WORDS = new Set(['them', 'people', 'ppl', 'everyone', 'those', 'back', 'out']);
const THE_PERSON = new Set(['first', 'next', 'top', 'winner', 'person', 'gifter', 'biggest', 'best']);
const ENG_ANY_NEXT = new Set(['comment', 'type']);
/** Words a giving verb may have before its object: "send out", "send over", "send the next galaxy". */
const GIVE_SKIPS = new Set(['out', 'up', 'over', 'with']);
const ENG_NEXT_OK = new Set(['now', 'rn', 'below', 'here', 'with', 'it', 'everyone', 'everybody', 'asap', 'too']);
const NOUN_LEAD = new Set(['every', 'each', 'per', 'at', 'any', 'cada']);
const NOUN_BEFORE = new Set(['a', 'an', 'more', 'most', 'some', 'un', 'una', 'um', 'uma', 'your', 'the']);
const ABSORB = new Set(['out', 'name', 'names', 'people', 'ppl', 'them']);

class Reader {
  private readonly n: number;
  /** Words inside an ask or a reward already found. */
  private readonly consumed: Uint8Array;
  private readonly thanked: Uint8Array;

  constructor(private readonly words: readonly Word[]) {
    this.n = words.length;
    this.consumed = new Uint8Array(this.n);
    this.thanked = new Uint8Array(this.n);
    // Words right after a thank-you name what was already done ("thanks for the rose").
    for (let i = 0; i < this.n; i++) {
      if ((this.at(i).tags & THANKS) === 0) continue;
      for (let j = i + 1; j < this.n; j++) {
        const w = this.at(j);
        if (w.brk >= 1 || (w.tags & (AND | PROMISE | IPRON | COND)) !== 0) break;
        this.thanked[j] = 1;
      }
    }
  }

  at(i: number): Word {
    return this.words[i] ?? END;
  }

  has(i: number, tags: number): boolean {
    return (this.at(i).tags & tags) !== 0;
  }

  /** Word i starts a new clause (or is the first word). */
  clauseStart(i: number): boolean {
    return i <= 0 || this.at(i).brk >= 1;
  }

  /** Word i ends its clause. */
  clauseEnd(i: number): boolean {
    return i >= this.n - 1 || this.at(i + 1).brk >= 1;
  }

  free(i: number): boolean {
    return i >= 0 && i < this.n && this.consumed[i] === 0 && this.thanked[i] === 0 && !this.has(i, PAST);
  }

  take(span: Span): void {
    for (let i = span.s; i <= span.e; i++) this.consumed[i] = 1;
  }

  /** The previous word, skipping fillers: the subject of a verb at i. */
  subjectOf(i: number): number {
    let j = i - 1;
    while (j >= 0 && this.has(j, FILLER) && !this.clauseStart(j + 1)) j--;
    return this.clauseStart(i) ? -1 : j;
  }

  /** What may follow a reward verb: a person, "back", the end of the clause, or anything for "dance". */
  rewardObjectOk(v: number): boolean {
    const verb = this.at(v).w;
    if (REWARD_ANY_NEXT.has(verb)) return true;
    const i = v + 1;
    if (this.clauseEnd(v)) return true;
    const next = this.at(i);
    if (REWARD_GIVES.has(verb)) {
      if ((next.tags & (YOU | BACK | RN | GIFTN)) !== 0 || next.w === 'away') return true;
      return this.has(i, DET | MORE | NUM) && this.has(i + 1, RN | GIFTN | BACK); // "a shoutout", "one back"
    }
    if ((next.tags & (YOU | BACK | COND | GIFTER | AND | FOR | EQ | PLEASE | FILLER | NUM)) !== 0) return true;
    if (PERSON_WORDS.has(next.w)) return true;
    if (next.w === 'to' && this.has(i + 1, YOU)) return true; // "subscribe to yours"
    return next.w === 'the' && THE_PERSON.has(this.at(i + 1).w);
  }

  /** The end of a reward's span: its object words ("you", "back", "a shoutout", "everyone"). */
  absorb(from: number): number {
    let e = from;
    for (let k = 0; k < 4; k++) {
      const j = e + 1;
      if (j >= this.n || this.at(j).brk >= 1) break;
      const w = this.at(j);
      if ((w.tags & (YOU | BACK | DET | NUM | RN | FILLER | COND | MORE | ME)) === 0 && !ABSORB.has(w.w)) break;
      if ((w.tags & (GIVE | ENGV)) !== 0 && (w.tags & RN) === 0) break;
      e = j;
    }
    return e;
  }

  /** "I'll follow you", "imma give you a shoutout", "I do a dance", "te sigo". */
  promiseAt(i: number): Span | null {
    if (!this.has(i, PROMISE | IPRON)) return null;
    // A bare "will" promises only with its subject left out ("send gifts and will follow"), not after "it".
    if (!this.has(i, IPRON) && !this.clauseStart(i) && !this.has(i - 1, AND | FILLER)) return null;
    let v = i + 1;
    let fillers = 0;
    while (v < this.n && this.has(v, FILLER) && !this.has(v, RV) && this.at(v).brk === 0 && fillers < 3) {
      v++;
      fillers++;
    }
    // After "=", "I" and any verb is a promise: "every 10 roses = I eat a spicy chip".
    const openVerb = this.has(i - 1, EQ) && this.has(i, IPRON) && this.at(v).tags === 0;
    if (v >= this.n || this.at(v).brk >= 1 || !(this.has(v, RV) || openVerb)) return null;
    if (this.has(i, IPRON) && !this.has(i, PROMISE) && this.at(v).w === 'like') return null; // "I like roses"
    if (!openVerb && !this.rewardObjectOk(v)) return null;
    const followish = this.has(v, FOLLOWISH);
    return { s: i, e: this.absorb(v), gift: false, followish, verb: true, lead: false, trail: false, strong: true };
  }

  /** "gets a follow", "you'll get a shoutout", "wins a DM", "get noticed". */
  getsAt(i: number): Span | null {
    if (!this.has(i, GETS)) return null;
    for (let j = i + 1; j <= i + 4 && j < this.n; j++) {
      const w = this.at(j);
      if (w.brk >= 1) return null;
      const afterArticle = this.has(j - 1, DET) && (this.at(j - 1).w === 'a' || this.at(j - 1).w === 'an' || this.at(j - 1).w === 'my');
      if ((w.tags & RN) !== 0 || (afterArticle && (w.tags & (FOLLOWISH | ENGN)) !== 0)) {
        return { s: i, e: this.absorb(j), gift: false, followish: (w.tags & FOLLOWISH) !== 0, verb: false, lead: false, trail: false, strong: true };
      }
      if ((w.tags & (DET | NUM | FILLER | YOU | ME | MORE)) === 0 && w.tags !== 0) return null;
    }
    return null;
  }

  /** "follow for follow", "gift = follow", "like for a like": the second of an exchange. */
  exchangeAt(i: number): Span | null {
    const w = this.at(i);
    const exchangeable = w.w === 'follow' || w.w === 'like' || w.w === 'share' || w.w === 'subscribe' || w.w === 'gift' || w.w === 'comment';
    if (!exchangeable || this.has(i + 1, NUM)) return null;
    let j = i - 1;
    if (this.at(j).w === 'a' || this.at(j).w === 'an' || this.at(j).w === 'my' || this.has(j, NUM)) j--;
    if (j < 0 || !this.has(j, FOR | EQ) || this.thanked[j] === 1) return null;
    // Plural: "likes for likes", "likes = follows", "roses for follows" — not "shoutouts for likes".
    if (w.raw.endsWith('s') && this.at(j - 1).w !== w.w && !this.has(j, EQ) && !this.has(j - 1, GIFTN)) return null;
    const s = j + 1;
    return { s, e: i, gift: false, followish: (w.tags & FOLLOWISH) !== 0, verb: false, lead: false, trail: false, strong: false };
  }

  /** "a follow for every rose", "my follow if you gift": an engagement noun offered for something. */
  offeredAt(i: number): Span | null {
    const w = this.at(i);
    const article = this.at(i - 1).w;
    if ((w.tags & (FOLLOWISH | ENGN)) === 0 || (w.tags & RN) !== 0 || !(article === 'a' || article === 'an' || article === 'my')) return null;
    if (!this.has(i + 1, FOR | COND) || this.at(i + 1).brk > 0) return null;
    if (this.at(i + 2).w === w.w || this.at(i + 3).w === w.w) return null; // "a follow for a follow": the first is the ask
    return { s: i - 1, e: i, gift: false, followish: (w.tags & FOLLOWISH) !== 0, verb: false, lead: false, trail: false, strong: false };
  }

  /** A bare reward noun: "shoutout", "follow back", "face reveal", "a DM". Not "shoutout to Ana". */
  rewardNounAt(i: number): Span | null {
    if (!this.has(i, RN) || this.has(i - 1, PAST)) return null;
    let e = i;
    if (this.at(i + 1).w === 'to' && this.at(i + 1).brk === 0) {
      const whom = this.at(i + 2);
      if ((whom.tags & (YOU | COND | GIFTER)) === 0) return null; // "shoutout to Ana", "to my mods"
      if ((whom.tags & YOU) !== 0) e = i + 2;
    }
    return { s: i, e, gift: false, followish: this.has(i, FOLLOWISH), verb: false, lead: false, trail: false, strong: false };
  }

  /** "send gifts", "drop a rose", "gift me", "give me a follow"; null for "send me a message". */
  giveAskAt(i: number): Span | null {
    if (!this.has(i, GIVE) || !this.free(i) || this.described(i)) return null;
    const subject = this.subjectOf(i);
    if (subject >= 0 && this.has(subject, IPRON | PROMISE | DET)) return null;
    let last = i;
    for (let j = i + 1; j <= i + 5; j++) {
      if (j >= this.n || this.at(j).brk >= 1) break;
      const w = this.at(j);
      if ((w.tags & GIFTN) !== 0) return this.ask(i, j, true, false);
      if ((w.tags & (ENGN | ENGV)) !== 0 && (w.tags & GIVE) === 0) return this.ask(i, j, false, (w.tags & FOLLOWISH) !== 0);
      if ((w.tags & (ME | DET | NUM | MORE | FILLER | PLEASE | OBJ)) !== 0 || GIVE_SKIPS.has(w.w) || (this.has(j - 1, DET) && THE_PERSON.has(w.w))) {
        last = j;
        continue;
      }
      if ((w.tags & RN) !== 0) return null; // "send me a message"
      if ((w.tags & (AND | FOR | EQ | COND | PROMISE | IPRON | TO | GETS | YOU | THANKS)) !== 0) break;
      return null; // "give it a try"
    }
    return this.ask(i, last, true, false);
  }

  /** "everyone sending roses", "all sharing": people described (and thanked), not asked. */
  described(i: number): boolean {
    const before = this.at(i - 1).w;
    return this.at(i).raw.endsWith('ing') && (before === 'everyone' || before === 'everybody' || before === 'all') && this.at(i).brk === 0;
  }

  /** "share this LIVE", "follow me", "subscribe", "hit that follow button"; not "follow the rules". */
  engageAskAt(i: number): Span | null {
    if (!this.has(i, ENGV) || !this.free(i) || this.described(i)) return null;
    const word = this.at(i);
    const subject = this.subjectOf(i);
    if (subject >= 0 && this.has(subject, IPRON | PROMISE | DET)) return null;
    const followish = (word.tags & FOLLOWISH) !== 0;
    const next = this.at(i + 1);
    if (ENG_ANY_NEXT.has(word.w)) {
      // "comment below", "type 1 in chat" — not "the comment of the day", "content types".
      return !word.raw.endsWith('s') && !this.clauseEnd(i) && next.w !== 'of' ? this.ask(i, i, false, followish) : null;
    }
    if (this.clauseEnd(i)) return this.ask(i, i, false, followish);
    if (word.w === 'hit') {
      for (let j = i + 1; j <= i + 3 && j < this.n && this.at(j).brk === 0; j++) {
        if (this.has(j, ENGN | ENGV | OBJ)) return this.ask(i, j, false, this.has(j, FOLLOWISH));
        if (!this.has(j, DET)) return null;
      }
      return null;
    }
    if ((next.tags & ME) !== 0 || ENG_NEXT_OK.has(next.w)) return this.ask(i, i + 1, false, followish);
    if ((next.tags & LINK) !== 0) return this.ask(i, i, false, followish);
    if ((next.tags & DET) !== 0 && next.w !== 'your' && next.w !== 'ur') {
      if (next.w !== 'a' && (this.clauseEnd(i + 1) || this.has(i + 2, LINK))) return this.ask(i, i + 1, false, followish);
      if (this.has(i + 2, OBJ | ENGN)) return this.ask(i, i + 2, false, followish);
      if (this.has(i + 3, OBJ) && this.at(i + 2).brk === 0) return this.ask(i, i + 3, false, followish);
    }
    return null;
  }

  /** "100 roses", "every galaxy", "10k likes", "gifters": an ask by its count or its link words. */
  nounAskAt(i: number): Span | null {
    if (!this.free(i)) return null;
    if (this.has(i, GIFTER)) {
      const span = this.ask(i, i, true, false);
      span.lead = true;
      span.trail = true;
      return span;
    }
    if (!this.has(i, GIFTN | ENGN)) return null;
    let s = i;
    let counted = false;
    while (s - 1 >= 0 && !this.clauseStart(s) && s > i - 3) {
      const prev = this.at(s - 1);
      if ((prev.tags & NUM) !== 0) counted = true;
      else if (!(NOUN_BEFORE.has(prev.w) || NOUN_LEAD.has(prev.w))) break;
      s--;
      if (NOUN_LEAD.has(prev.w)) break;
    }
    const before = this.at(s - 1);
    const lead = NOUN_LEAD.has(this.at(s).w) || (!this.clauseStart(s) && (before.tags & (FOR | COND | GETS | EQ)) !== 0);
    const opens = this.clauseStart(s) || counted || lead || (before.tags & AND) !== 0;
    const nextWord = this.at(i + 1);
    const trail = opens && i + 1 < this.n && nextWord.brk <= 1 && (nextWord.brk === 1 || (nextWord.tags & (AND | EQ | FOR | GETS | TO | PROMISE | IPRON | COND)) !== 0);
    if (!lead && !trail) return null;
    const span = this.ask(s, i, this.has(i, GIFTN), this.has(i, FOLLOWISH));
    span.verb = false;
    span.lead = lead;
    span.trail = trail;
    return span;
  }

  ask(s: number, e: number, gift: boolean, followish: boolean): Span {
    return { s, e, gift, followish, verb: true, lead: false, trail: false, strong: false };
  }

  /** Hard breaks (sentence ends) among words a+1 … b. */
  hardBreaks(a: number, b: number): number {
    let count = 0;
    for (let j = a + 1; j <= b; j++) if (this.at(j).brk >= 2) count++;
    return count;
  }

  /** A negation or disclaimer around the pair, within its sentence ("no need to", "gifts or not"). */
  negated(lo: number, hi: number): boolean {
    for (let j = lo; j <= hi; j++) if (this.has(j, NEG)) return true;
    for (let j = lo - 1, k = 0; j >= 0 && k < 5 && this.at(j + 1).brk < 2; j--, k++) if (this.has(j, NEG)) return true;
    for (let j = hi + 1, k = 0; j < this.n && k < 2 && this.at(j).brk < 2; j++, k++) if (this.has(j, NEG)) return true;
    return false;
  }

  /** Any of these tags among words a … b, not counting words a thank-you is about. */
  anyIn(a: number, b: number, tags: number): boolean {
    for (let j = Math.max(a, 0); j <= b; j++) if (this.has(j, tags) && this.thanked[j] === 0) return true;
    return false;
  }

  /** Words a … b are all function words ("if you want a", "to whoever"): what a bare reward noun may be linked by. */
  onlyGlue(a: number, b: number): boolean {
    for (let j = a; j <= b; j++) if (!this.has(j, GLUE) && !GLUE_WORDS.has(this.at(j).w)) return false;
    return true;
  }

  /** Another ask or reward lies among words a … b: the pair is not each other's. */
  between(a: number, b: number): boolean {
    for (let j = a; j <= b; j++) if (this.consumed[j] === 1) return true;
    return false;
  }

  /** Ask first, then its reward: "send gifts and I'll follow", "100 roses = dance", "follow for follow". */
  linksForward(ask: Span, reward: Span): boolean {
    const gap = reward.s - ask.e - 1;
    if (gap < 0 || gap > (reward.strong ? 8 : 4)) return false;
    if ((!ask.verb && !ask.trail) || this.between(ask.e + 1, reward.s - 1)) return false;
    const breaks = this.hardBreaks(ask.e, reward.s);
    if (reward.strong) return breaks === 0 || (breaks === 1 && ask.verb);
    if (breaks > 0 || !this.onlyGlue(ask.e + 1, reward.s - 1)) return false;
    return gap === 0 || this.anyIn(ask.e + 1, reward.s - 1, AND | EQ | FOR | GETS | TO | WANT); // "… if you want a shoutout"
  }

  /** Reward first, then what it is for: "shoutout to whoever sends a galaxy", "follow back if you gift". */
  linksBackward(reward: Span, ask: Span): boolean {
    const gap = ask.s - reward.e - 1;
    if (gap < 0 || gap > (reward.strong ? 8 : 4) || this.between(reward.e + 1, ask.s - 1)) return false;
    const breaks = this.hardBreaks(reward.e, ask.s);
    const wanted = this.anyIn(reward.s - 3, reward.s - 1, WANT) && this.at(ask.s).brk === 3;
    if (breaks > 0 && !(breaks === 1 && wanted && ask.verb)) return false;
    if (!reward.strong && !this.onlyGlue(reward.e + 1, ask.s - 1)) return false;
    return wanted || ask.lead || this.anyIn(reward.s, ask.s - 1, COND | FOR | EQ) || this.anyIn(ask.s, ask.e, COND);
  }

  /** The first baiting pair, by where its excerpt starts. */
  find(): { lo: number; hi: number; ask: Span; reward: Span } | null {
    const rewards: Span[] = [];
    const asks: Span[] = [];
    for (let i = 0; i < this.n; i++) {
      if (this.thanked[i] === 1) continue;
      const r = this.promiseAt(i) ?? this.getsAt(i);
      if (r !== null) {
        rewards.push(r);
        this.take(r);
        i = r.e;
      }
    }
    for (let i = 0; i < this.n; i++) {
      if (!this.free(i)) continue;
      const r = this.exchangeAt(i) ?? this.offeredAt(i);
      if (r !== null) {
        rewards.push(r);
        this.take(r);
      }
    }
    for (let i = 0; i < this.n; i++) {
      const a = this.giveAskAt(i) ?? this.engageAskAt(i) ?? this.nounAskAt(i);
      if (a !== null) {
        asks.push(a);
        this.take(a);
        i = a.e;
      }
    }
    for (let i = 0; i < this.n; i++) {
      if (!this.free(i)) continue;
      const r = this.rewardNounAt(i);
      if (r !== null) {
        rewards.push(r);
        this.take(r);
        i = r.e;
      }
    }
    let best: { lo: number; hi: number; ask: Span; reward: Span } | null = null;
    for (const ask of asks) {
      for (const reward of rewards) {
        const forward = reward.s > ask.e;
        const linked = forward ? this.linksForward(ask, reward) : reward.e < ask.s && this.linksBackward(reward, ask);
        if (!linked) continue;
        const lo = Math.min(ask.s, reward.s);
        const hi = Math.max(ask.e, reward.e);
        if (this.negated(lo, hi)) continue;
        if (best === null || lo < best.lo || (lo === best.lo && hi < best.hi)) best = { lo, hi, ask, reward };
      }
    }
    return best;
  }
}

/**
 * The first gift-baiting promise found in a creator's title or message, or null. Pure, fast (≤ 50 µs
 * for 200 characters), never throws, for any string including empty, huge (cap work at the first
 * 2,000 characters), or odd Unicode.
 *
 * @example
 * detectGiftBaiting("Send gifts and I'll give you a shoutout")?.kind // 'gifts_for_reward'
 * detectGiftBaiting('Thank you so much') // null
 */
export function detectGiftBaiting(text: string): BaitingFinding | null {
  const words = wordsOf(text);
  if (words.length < 2) return null;
  const found = new Reader(words).find();
  if (found === null) return null;
  const { ask, reward } = found;
  const kind: BaitingKind = ask.gift ? 'gifts_for_reward' : ask.followish && reward.followish ? 'follow_for_follow' : 'engagement_for_reward';
  const first = words[found.lo] ?? END;
  const last = words[found.hi] ?? END;
  return { kind, excerpt: text.slice(first.start, last.end), why: WHY[kind], suggestions: SUGGESTIONS };
}
