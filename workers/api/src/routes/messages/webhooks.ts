import {
  applyDeliveryReport,
  applySmsReply,
  resendReport,
  twilioReport,
  verifySvix,
  verifyTwilio,
} from '@gratia/messaging';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { problem } from '../../lib/problem';
import { STATIC_PAGE_HEADERS } from '../../pages/static-headers';

// The providers' callbacks (issue 13), outside the API document (no API key: each is verified by its
// provider's signature before anything is read or written):
// - POST /webhooks/resend: Resend's delivery events, signed with Svix (RESEND_WEBHOOK_SECRET);
// - POST /webhooks/twilio/status: Twilio's status callbacks (X-Twilio-Signature, TWILIO_AUTH_TOKEN);
// - POST /webhooks/twilio/inbound: replies to our number; a stop word withdraws SMS consent at once.
// Without the provider's secret configured the endpoint does not exist (404 not_found): nothing can be
// verified, so nothing is accepted. A bad, missing or stale signature is 401 invalid_signature.

const BODY_LIMIT = 64 * 1024;
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const notConfigured = (c: Context<AppEnv>) =>
  problem(c, 'not_found', `No route for ${c.req.method} ${c.req.path} (the provider is not configured)`);
const badSignature = (c: Context<AppEnv>, reason: string) =>
  problem(c, 'invalid_signature', `The request's signature is ${reason}`);

async function twilioForm(c: Context<AppEnv>): Promise<URLSearchParams | Response> {
  const token = c.env.TWILIO_AUTH_TOKEN;
  if (!token) return notConfigured(c);
  const text = await c.req.text();
  if (text.length > BODY_LIMIT) return problem(c, 'payload_too_large', 'The callback is too large');
  const params = new URLSearchParams(text);
  // Twilio signs the URL it was given: the public base URL and the path (with any query).
  const url = new URL(c.req.url);
  const signed = `${c.var.deps.config.baseUrl}${url.pathname}${url.search}`;
  const check = await verifyTwilio(token, signed, params, c.req.header('x-twilio-signature') ?? null);
  if (!check.ok) return badSignature(c, check.reason);
  return params;
}

export function registerMessageWebhooks(app: Hono<AppEnv>) {
  // Machine endpoints beside the pages: whatever they answer (TwiML, JSON, a problem) carries the pages'
  // security headers (no framing, no sniffing, no caching, no referrer).
  app.use('/webhooks/*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.res.headers.set(k, v);
  });
  app.post('/webhooks/resend', async (c) => {
    const secret = c.env.RESEND_WEBHOOK_SECRET;
    if (!secret) return notConfigured(c);
    const body = await c.req.text();
    if (body.length > BODY_LIMIT) return problem(c, 'payload_too_large', 'The callback is too large');
    const check = await verifySvix(
      secret,
      {
        id: c.req.header('svix-id') ?? null,
        timestamp: c.req.header('svix-timestamp') ?? null,
        signature: c.req.header('svix-signature') ?? null,
      },
      body,
      c.var.deps.clock.now(),
    );
    if (!check.ok) return badSignature(c, check.reason);
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      return problem(c, 'malformed_json', 'The callback body is not JSON');
    }
    const report = resendReport(event);
    const matched = report ? await applyDeliveryReport(c.var.deps, report) : false;
    return c.json({ received: true, matched }, 200);
  });

  app.post('/webhooks/twilio/status', async (c) => {
    const params = await twilioForm(c);
    if (params instanceof Response) return params;
    const report = twilioReport(params);
    if (report) await applyDeliveryReport(c.var.deps, report);
    return c.body(null, 204);
  });

  app.post('/webhooks/twilio/inbound', async (c) => {
    const params = await twilioForm(c);
    if (params instanceof Response) return params;
    const from = params.get('From');
    if (from) await applySmsReply(c.var.deps, { from, body: params.get('Body') ?? '' });
    return c.body(TWIML, 200, { 'content-type': 'text/xml; charset=utf-8' });
  });
}
