// The sandbox's hosted checkout page: what a buyer sees instead of a real processor's page. Plain
// HTML forms (no script), one self-contained page, so it works in any browser and in tests through
// app.inject. Every state change goes through the provider; this file only presents and redirects.
//
//   GET  /sandbox/checkout/:ref           the page
//   POST /sandbox/checkout/:ref/:action   pay | decline | pending → 303 to the return URL (?ref=…)
//                                         refund | dispute | dispute-lost | dispute-won → 303 to the page
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  availableActions,
  SANDBOX_ACTIONS,
  SandboxActionRefused,
  SandboxCheckoutNotFound,
  type SandboxAction,
  type SandboxCheckout,
  type SandboxPaymentProvider,
} from './sandbox-payment-provider.js';

const REF = /^[A-Za-z0-9_-]{1,200}$/;
const FORM = 'application/x-www-form-urlencoded';
/** A form body larger than this is refused (the only field is a refund amount). */
const FORM_BODY_LIMIT_BYTES = 4096;

/** The provider methods the page uses (the whole provider in production; a narrower fake is fine). */
export type SandboxCheckoutActions = Pick<SandboxPaymentProvider, 'getCheckout' | 'perform'>;

/**
 * The checkout page and its actions as a Fastify plugin.
 *
 * @example
 * app.register(sandboxCheckoutRoutes(provider));
 */
export function sandboxCheckoutRoutes(provider: SandboxCheckoutActions): FastifyPluginAsync {
  return (app) => {
    // The page's forms post urlencoded bodies; the parser stays inside this plugin's scope.
    if (!app.hasContentTypeParser(FORM)) {
      app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
      });
    }

    app.get<{ Params: { ref: string } }>('/sandbox/checkout/:ref', async (request, reply) => {
      const { ref } = request.params;
      const checkout = REF.test(ref) ? await provider.getCheckout(ref) : null;
      if (checkout === null) return sendPage(reply, 404, notFoundPage());
      return sendPage(reply, 200, checkoutPage(checkout), checkout.returnUrl);
    });

    app.post<{ Params: { ref: string; action: string }; Body: unknown }>('/sandbox/checkout/:ref/:action', async (request, reply) => {
      const { ref, action } = request.params;
      if (!REF.test(ref) || !isAction(action)) return sendPage(reply, 404, notFoundPage());
      let amountMinor: bigint | undefined;
      if (action === 'refund') {
        const before = await provider.getCheckout(ref);
        if (before === null) return sendPage(reply, 404, notFoundPage());
        const field = formField(request.body, 'amount');
        if (field !== undefined && field.trim() !== '') {
          amountMinor = parseMajor(field, before.currency) ?? undefined;
          if (amountMinor === undefined) return sendPage(reply, 400, messagePage('Not an amount', `“${field}” is not an amount in ${before.currency}.`, pagePath(ref)));
        }
      }
      let after: SandboxCheckout;
      try {
        after = await provider.perform(ref, action, amountMinor);
      } catch (error) {
        if (error instanceof SandboxCheckoutNotFound) return sendPage(reply, 404, notFoundPage());
        if (!(error instanceof SandboxActionRefused)) throw error;
        // A double-clicked Pay (or a browser re-posting the form) finds its own work done: send the
        // buyer on as the first post did instead of showing an error for it. No second webhook.
        const now = await provider.getCheckout(ref);
        if (now !== null && alreadyDone(action, now)) return redirectAfter(reply, action, now);
        return sendPage(reply, 409, messagePage('That cannot be done now', error.message, pagePath(ref)));
      }
      return redirectAfter(reply, action, after);
    });
    return Promise.resolve();
  };
}

function isAction(value: string): value is SandboxAction {
  return (SANDBOX_ACTIONS as readonly string[]).includes(value);
}

function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function alreadyDone(action: SandboxAction, c: SandboxCheckout): boolean {
  switch (action) {
    case 'pay':
      return c.status === 'paid';
    case 'decline':
      return c.status === 'declined';
    case 'pending':
      return c.status === 'pending' || c.status === 'paid';
    case 'refund':
    case 'dispute':
    case 'dispute-lost':
    case 'dispute-won':
      return false;
  }
}

function pagePath(ref: string): string {
  return `/sandbox/checkout/${encodeURIComponent(ref)}`;
}

function returnUrlFor(c: SandboxCheckout): string {
  const url = new URL(c.returnUrl);
  url.searchParams.set('ref', c.providerRef);
  return url.href;
}

function redirectAfter(reply: FastifyReply, action: SandboxAction, c: SandboxCheckout): FastifyReply {
  const location = action === 'pay' || action === 'decline' || action === 'pending' ? returnUrlFor(c) : pagePath(c.providerRef);
  return reply.header('cache-control', 'no-store').redirect(location, 303);
}

function sendPage(reply: FastifyReply, status: number, html: string, returnUrl?: string): FastifyReply {
  // Forms post to this page's origin and the redirect after them goes to the return URL's origin;
  // browsers apply form-action to that redirect too, so both are allowed and nothing else is.
  const formAction = returnUrl === undefined ? "'self'" : `'self' ${new URL(returnUrl).origin}`;
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`)
    .send(html);
}

// ---------------------------------------------------------------------------------------------
// Money for display. Amounts stay bigint minor units until this point; Intl formats the exact
// decimal string, so no float ever touches them.

function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMinor(amountMinor: bigint, currency: string): string {
  const digits = fractionDigits(currency);
  const scale = 10n ** BigInt(digits);
  const sign = amountMinor < 0n ? '-' : '';
  const abs = amountMinor < 0n ? -amountMinor : amountMinor;
  const whole = (abs / scale).toString();
  const decimal = digits === 0 ? whole : `${whole}.${(abs % scale).toString().padStart(digits, '0')}`;
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(`${sign}${decimal}` as `${number}`);
}

/** "4.99" in USD → 499n; null when it is not a plain positive amount with at most the currency's decimals. */
export function parseMajor(text: string, currency: string): bigint | null {
  const digits = fractionDigits(currency);
  const match = /^\s*(\d{1,15})(?:\.(\d*))?\s*$/.exec(text);
  if (match === null) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
}

// ---------------------------------------------------------------------------------------------
// The pages.

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STYLE = `
:root{color-scheme:dark;--bg:#0f0f14;--surface:#1b1b24;--raised:#252531;--text:#f4f4f8;--muted:#a9a9bb;
--accent:#ff4f6d;--teal:#3ee6d0;--gold:#ffc83d;--amber:#ffb020;--danger:#ff6b6b}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);
font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;display:flex;flex-direction:column;align-items:center}
.banner{width:100%;padding:10px 16px;background:repeating-linear-gradient(135deg,#3a2a05 0 14px,#2c2004 14px 28px);
color:var(--gold);font-weight:700;letter-spacing:.06em;text-align:center;font-size:14px;border-bottom:1px solid #5a4208}
main{width:100%;max-width:420px;padding:24px 16px 40px}
.card{background:var(--surface);border-radius:16px;padding:24px 20px;box-shadow:0 10px 30px rgba(0,0,0,.35)}
.merchant{margin:0 0 4px;color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.08em}
h1{margin:0 0 18px;font-size:20px;line-height:1.3;overflow-wrap:anywhere}
.coins{display:flex;align-items:center;gap:10px;font-size:30px;font-weight:800;color:var(--gold);font-variant-numeric:tabular-nums}
.coin{width:30px;height:30px;border-radius:50%;flex:none;background:radial-gradient(circle at 35% 30%,#fff3c4 0 14%,#ffd860 15% 55%,#e0a100 56% 100%);
box-shadow:inset 0 0 0 3px #c98f00,0 2px 8px rgba(255,200,61,.35)}
.coins small{font-size:15px;font-weight:600;color:var(--muted)}
.price{display:flex;justify-content:space-between;align-items:baseline;margin:18px 0 6px;padding-top:16px;border-top:1px solid var(--raised)}
.price strong{font-size:24px;font-variant-numeric:tabular-nums}
.status{margin:14px 0 0;padding:10px 12px;border-radius:12px;background:var(--raised);font-size:15px}
.status.ok{color:var(--teal)}.status.bad{color:var(--danger)}.status.wait{color:var(--amber)}
.actions{display:grid;gap:10px;margin-top:20px}
form{margin:0}
button{width:100%;min-height:48px;padding:12px 16px;border:0;border-radius:12px;font:inherit;font-weight:700;cursor:pointer;
color:var(--text);background:var(--raised);transition:transform .15s ease,filter .15s ease}
button:hover{filter:brightness(1.12)}button:active{transform:scale(.98)}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid var(--teal);outline-offset:2px}
button.primary{background:var(--accent);color:#fff;box-shadow:0 6px 18px rgba(255,79,109,.35)}
button.danger{background:transparent;color:var(--danger);box-shadow:inset 0 0 0 2px var(--danger)}
.refund{display:grid;grid-template-columns:1fr auto;gap:10px;align-items:end}
.refund label{display:grid;gap:4px;font-size:13px;color:var(--muted)}
.refund input{min-height:48px;padding:10px 12px;border-radius:12px;border:1px solid #3a3a48;background:var(--bg);color:var(--text);font:inherit;font-variant-numeric:tabular-nums}
.refund button{width:auto}
.hint{margin:18px 0 0;color:var(--muted);font-size:13px}
.ref{margin:20px 0 0;color:var(--muted);font-size:12px;overflow-wrap:anywhere}
a{color:var(--teal)}
@media (prefers-reduced-motion:reduce){button{transition:none}button:active{transform:none}}
`;

function layout(title: string, body: string, refreshS?: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">${refreshS === undefined ? '' : `\n<meta http-equiv="refresh" content="${refreshS}">`}
<title>${escapeHtml(title)} · Livegift sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<div class="banner" role="note">SANDBOX — no real money</div>
<main>
${body}
</main>
</body>
</html>
`;
}

function actionForm(ref: string, action: SandboxAction, label: string, kind: 'primary' | 'plain' | 'danger'): string {
  const cls = kind === 'plain' ? '' : ` class="${kind}"`;
  return `<form method="post" action="${escapeHtml(`${pagePath(ref)}/${action}`)}"><button type="submit"${cls}>${escapeHtml(label)}</button></form>`;
}

function statusLine(c: SandboxCheckout): string {
  const refunded = c.refundedMinor > 0n ? ` · ${formatMinor(c.refundedMinor, c.currency)} refunded` : '';
  const dispute =
    c.disputeStatus === 'opened' ? ' · dispute open'
    : c.disputeStatus === 'lost' ? ' · dispute lost'
    : c.disputeStatus === 'won' ? ' · dispute won'
    : '';
  switch (c.status) {
    case 'open':
      return '';
    case 'pending':
      return `<p class="status wait" role="status">Waiting for 3-D Secure… this page refreshes by itself.</p>`;
    case 'paid':
      return `<p class="status ${c.disputeStatus === 'lost' ? 'bad' : c.disputeStatus === 'opened' ? 'wait' : 'ok'}" role="status">Paid${escapeHtml(refunded + dispute)}</p>`;
    case 'declined':
      return `<p class="status bad" role="status">Declined. No money was taken.</p>`;
    case 'expired':
      return `<p class="status bad" role="status">This checkout expired. Start a new purchase in Livegift.</p>`;
  }
}

function checkoutPage(c: SandboxCheckout): string {
  const price = formatMinor(c.amountMinor, c.currency);
  const actions = new Set(availableActions(c));
  const forms: string[] = [];
  if (actions.has('pay')) forms.push(actionForm(c.providerRef, 'pay', `Pay ${price}`, 'primary'));
  if (actions.has('pending')) forms.push(actionForm(c.providerRef, 'pending', 'Pay with 3-D Secure (pending, then succeeds)', 'plain'));
  if (actions.has('decline')) forms.push(actionForm(c.providerRef, 'decline', 'Decline', 'danger'));
  if (actions.has('refund')) {
    const left = formatMinor(c.amountMinor - c.refundedMinor, c.currency);
    forms.push(
      `<form method="post" action="${escapeHtml(`${pagePath(c.providerRef)}/refund`)}" class="refund">` +
        `<label>Amount to refund (empty: all ${escapeHtml(left)})<input name="amount" inputmode="decimal" autocomplete="off" placeholder="${escapeHtml(left)}"></label>` +
        `<button type="submit">Refund</button></form>`,
    );
  }
  if (actions.has('dispute')) forms.push(actionForm(c.providerRef, 'dispute', 'Open dispute', 'danger'));
  if (actions.has('dispute-lost')) forms.push(actionForm(c.providerRef, 'dispute-lost', 'Lose dispute', 'danger'));
  if (actions.has('dispute-won')) forms.push(actionForm(c.providerRef, 'dispute-won', 'Win dispute', 'plain'));

  const hint =
    c.status === 'open' ? '<p class="hint">Every button here simulates what a real card could do. Livegift hears about it by signed webhook.</p>'
    : c.status === 'paid' ? '<p class="hint">Refunds and disputes are sent to Livegift as webhooks, as a real processor would send them.</p>'
    : '';
  const back = c.status === 'open' ? '' : `<p class="hint"><a href="${escapeHtml(returnUrlFor(c))}">Back to Livegift</a></p>`;
  const body = `<section class="card" aria-labelledby="what">
<p class="merchant">Livegift · Recharge</p>
<h1 id="what">${escapeHtml(c.description)}</h1>
<div class="coins"><span class="coin" aria-hidden="true"></span><span>${escapeHtml(new Intl.NumberFormat('en').format(c.coins))}</span><small>coins</small></div>
<div class="price"><span>Total</span><strong>${escapeHtml(price)}</strong></div>
${statusLine(c)}
${forms.length > 0 ? `<div class="actions">\n${forms.join('\n')}\n</div>` : ''}
${hint}${back}
<p class="ref">Checkout <code>${escapeHtml(c.providerRef)}</code></p>
</section>`;
  return layout(c.status === 'open' ? `Pay ${price}` : 'Checkout', body, c.status === 'pending' ? 2 : undefined);
}

function messagePage(title: string, message: string, backPath?: string): string {
  const back = backPath === undefined ? '' : `<p class="hint"><a href="${escapeHtml(backPath)}">Back to the checkout</a></p>`;
  return layout(title, `<section class="card"><h1>${escapeHtml(title)}</h1><p class="status bad" role="alert">${escapeHtml(message)}</p>${back}</section>`);
}

function notFoundPage(): string {
  return messagePage('Checkout not found', 'There is no sandbox checkout at this address. It may belong to another Livegift server.');
}
