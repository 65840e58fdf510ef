import { newId, timingSafeEqual } from '@gratia/core';
import {
  consentEvents,
  type Deps,
  type MessageProvider,
  messageEvents,
  messages,
  patients,
  runBatch,
} from '@gratia/db';
import { and, eq, sql } from 'drizzle-orm';
import { TWILIO_BAD_NUMBER_CODES } from './providers';

// Delivery statuses reported by the providers, each callback's signature verified before anything is
// read: Resend signs with Svix (`svix-id`, `svix-timestamp`, `svix-signature` = v1,<base64 HMAC-SHA256
// of `${id}.${timestamp}.${body}` keyed by the base64 of the `whsec_` secret>), Twilio with
// `X-Twilio-Signature` (base64 HMAC-SHA1 of the URL and the sorted POST parameters keyed by the auth
// token). A hard bounce or an unreachable number marks the address invalid (no more sends to it); a
// spam complaint withdraws e-mail consent.

const encoder = new TextEncoder();
/** Svix refuses timestamps more than five minutes off, both ways (replays). */
export const SIGNATURE_TOLERANCE_S = 5 * 60;

const b64 = (bytes: ArrayBuffer) => {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
};

function fromB64(s: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function hmac(hash: 'SHA-256' | 'SHA-1', key: Uint8Array, data: string): Promise<string> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash }, false, ['sign']);
  return b64(await crypto.subtle.sign('HMAC', k, encoder.encode(data)));
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** A Svix-signed webhook (Resend). `now` in milliseconds. */
export async function verifySvix(
  secret: string,
  headers: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
  now: number,
): Promise<SignatureCheck> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing' };
  const ts = Number(timestamp);
  if (!Number.isFinite(ts) || Math.abs(now / 1000 - ts) > SIGNATURE_TOLERANCE_S)
    return { ok: false, reason: 'stale' };
  const key = fromB64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (!key) return { ok: false, reason: 'mismatch' };
  const expected = await hmac('SHA-256', key, `${id}.${timestamp}.${body}`);
  const good = signature
    .split(' ')
    .some((part) => part.startsWith('v1,') && timingSafeEqual(part.slice(3), expected));
  return good ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** The Svix signature header for a body (tests, and anyone replaying a callback locally). */
export async function svixSignature(
  secret: string,
  id: string,
  timestamp: string,
  body: string,
): Promise<string> {
  const key = fromB64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret)!;
  return `v1,${await hmac('SHA-256', key, `${id}.${timestamp}.${body}`)}`;
}

/** Twilio's request signature: the full URL, then each POST parameter's name and value, sorted by name. */
export async function twilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
): Promise<string> {
  const keys = [...new Set(params.keys())].sort();
  let data = url;
  for (const k of keys) for (const v of params.getAll(k)) data += k + v;
  return hmac('SHA-1', encoder.encode(authToken), data);
}

export async function verifyTwilio(
  authToken: string,
  url: string,
  params: URLSearchParams,
  signature: string | null,
): Promise<SignatureCheck> {
  if (!signature) return { ok: false, reason: 'missing' };
  return timingSafeEqual(signature, await twilioSignature(authToken, url, params))
    ? { ok: true }
    : { ok: false, reason: 'mismatch' };
}

export interface DeliveryReport {
  provider: Exclude<MessageProvider, 'dev'>;
  providerId: string;
  status: 'delivered' | 'bounced' | 'failed';
  detail: string;
  /** A hard bounce or an unreachable number: no more sends to the address. */
  invalidateAddress: boolean;
  /** A spam complaint: e-mail consent withdrawn. */
  complaint?: boolean;
}

/** A Resend webhook event as a report (null: an event type that changes nothing). */
export function resendReport(event: unknown): DeliveryReport | null {
  const e = event as {
    type?: string;
    data?: { email_id?: string; bounce?: { type?: string; message?: string } };
  };
  const id = e?.data?.email_id;
  if (typeof id !== 'string') return null;
  switch (e.type) {
    case 'email.delivered':
      return {
        provider: 'resend',
        providerId: id,
        status: 'delivered',
        detail: 'delivered',
        invalidateAddress: false,
      };
    case 'email.bounced': {
      const hard = (e.data?.bounce?.type ?? 'Permanent').toLowerCase() !== 'transient';
      return {
        provider: 'resend',
        providerId: id,
        status: hard ? 'bounced' : 'failed',
        detail: `bounced (${hard ? 'hard' : 'soft'})${e.data?.bounce?.message ? `: ${e.data.bounce.message}` : ''}`,
        invalidateAddress: hard,
      };
    }
    case 'email.complained':
      return {
        provider: 'resend',
        providerId: id,
        status: 'delivered',
        detail: 'marked as spam: e-mail consent withdrawn',
        invalidateAddress: false,
        complaint: true,
      };
    default:
      return null;
  }
}

/** A Twilio status callback as a report (null: an intermediate status such as queued or sent). */
export function twilioReport(params: URLSearchParams): DeliveryReport | null {
  const sid = params.get('MessageSid');
  const status = params.get('MessageStatus');
  if (!sid || !status) return null;
  const code = Number(params.get('ErrorCode') ?? '');
  if (status === 'delivered')
    return {
      provider: 'twilio',
      providerId: sid,
      status: 'delivered',
      detail: 'delivered',
      invalidateAddress: false,
    };
  if (status === 'undelivered' || status === 'failed') {
    const bad = TWILIO_BAD_NUMBER_CODES.has(code);
    return {
      provider: 'twilio',
      providerId: sid,
      status: bad ? 'bounced' : 'failed',
      detail: `${status}${code ? ` (error ${code})` : ''}`,
      invalidateAddress: bad,
    };
  }
  return null;
}

/**
 * Applies a report to the message the provider knows by its id, in one batch: the status (delivered
 * only from sent; bounced/failed from sent or delivered), an event, the address marked invalid, or the
 * e-mail consent withdrawn. Returns whether a message matched.
 */
export async function applyDeliveryReport(deps: Deps, r: DeliveryReport): Promise<boolean> {
  const { db } = deps;
  const now = deps.clock.now();
  const match = and(eq(messages.provider, r.provider), eq(messages.providerId, r.providerId));
  const from = r.status === 'delivered' ? sql`('sent')` : sql`('sent', 'delivered')`;
  const patient = sql`(select m.patient_id from messages m where m.provider = ${r.provider} and m.provider_id = ${r.providerId} limit 1)`;
  const done = await runBatch(db, {
    event: db.insert(messageEvents).select(
      sql`select ${newId('mev', now)}, m.id, ${r.status}, ${r.detail}, ${now} from messages m
          where m.provider = ${r.provider} and m.provider_id = ${r.providerId} limit 1`,
    ),
    row: db
      .update(messages)
      .set({ status: r.status, updatedAt: now, ...(r.status !== 'delivered' && { lastError: r.detail }) })
      .where(and(match, sql`${messages.status} in ${from}`)),
    ...(r.invalidateAddress
      ? {
          invalid: db
            .update(patients)
            .set(r.provider === 'resend' ? { emailInvalidAt: now } : { phoneInvalidAt: now })
            .where(sql`${patients.id} = ${patient}`),
        }
      : {}),
    ...(r.complaint
      ? {
          consent: db.insert(consentEvents).select(
            sql`select ${newId('cns', now)}, p.id, 'email', 0, 'email_complaint', null, ${now}, 'Marked as spam', null, 'all'
                from patients p where p.id = ${patient} and (p.consent_email = 1 or p.consent_email_service = 1)`,
          ),
          withdraw: db
            .update(patients)
            .set({ consentEmail: false, consentEmailService: false, updatedAt: now })
            .where(sql`${patients.id} = ${patient}`),
        }
      : {}),
    found: db.select({ id: messages.id }).from(messages).where(match).limit(1),
  });
  return done.found.length > 0;
}
