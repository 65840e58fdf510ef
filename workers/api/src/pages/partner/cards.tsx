import { normalizeCardNumber } from '@gratia/core';
import { readCardHolder } from '@gratia/loyalty';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { Page } from '../layout';
import { PRIVATE_IMAGE_HEADERS } from '../static-headers';
import { counterSession, html, sessionCaller, sessionEnded } from './common';
import { PointsForm } from './points-views';
import { SignIn } from './views';

// A card at the counter (issue 13): the card's QR code scanned with the counter's camera, or its Code
// 128 barcode read by a USB scanner (it types the digits) into the "Check" field, or the number typed,
// opens /partner/cards/{number}: the holder's first name and initial, their clinic and, if they added
// one, their photo, so the counter can see the card is the holder's (named cards are not
// transferable), with the form that takes points already filled in. Any signed-in partner: cards are
// network-wide. The photo is served to the counter's session only, never cached.

/** The card number a scanned or typed text names, if it is one (a voucher token never is). */
export function scannedCardNumber(text: string): string | null {
  const card = normalizeCardNumber(text.trim());
  return /^\d{16}$/.test(card) ? card : null;
}

const CARD_STYLE = `.holder{display:flex;gap:1rem;align-items:center}.holder img{width:7rem;height:7rem;border-radius:12px;object-fit:cover;flex:none}`;

export function registerPartnerCards(app: Hono<AppEnv>) {
  app.get('/partner/cards/:number', async (c) => {
    const session = await counterSession(c);
    if (!session) return html(c, <SignIn />, 401);
    const cardNumber = scannedCardNumber(c.req.param('number')) ?? '';
    const out = await readCardHolder(c.var.deps, { caller: sessionCaller(c, session), cardNumber });
    if (!out.ok) return sessionEnded(c, out.error);
    const h = out.value;
    if (!h)
      return html(
        c,
        <Page title="Card not found">
          <p class="eyebrow">Partner counter</p>
          <h1>Card not found</h1>
          <p class="status bad" role="alert">
            No card has this number. Check the digits, or scan the card again.
          </p>
          <p>
            <a href="/partner">Back to the counter</a>
          </p>
        </Page>,
        404,
      );
    const name = `${h.firstName} ${h.lastName.slice(0, 1)}.`;
    return html(
      c,
      <Page title={`Card of ${name}`} style={CARD_STYLE}>
        <p class="eyebrow">Partner counter</p>
        <h1>Card of {name}</h1>
        <section class="card holder" aria-label="Card holder">
          {h.photoKey ? (
            <img src={`/partner/cards/${h.cardNumber}/photo`} alt={`The card holder, ${name}`} />
          ) : null}
          <div>
            <p>
              <strong>{name}</strong>
              <br />
              {h.clinicName}
              <br />
              <span class="code">…{h.cardNumber.slice(-4)}</span>
            </p>
            <p class="muted">
              {h.photoKey
                ? 'Check that the person is the one in the photo: the card is theirs alone.'
                : 'No photo on this card: ask for the holder’s name if in doubt.'}
            </p>
          </div>
        </section>
        <PointsForm csrf={session.csrf} cardNumber={h.cardNumber} />
        <p>
          <a href="/partner">Back to the counter</a>
        </p>
      </Page>,
    );
  });

  app.get('/partner/cards/:number/photo', async (c) => {
    const session = await counterSession(c);
    if (!session) return c.body(null, 401, PRIVATE_IMAGE_HEADERS);
    const cardNumber = scannedCardNumber(c.req.param('number')) ?? '';
    const out = await readCardHolder(c.var.deps, { caller: sessionCaller(c, session), cardNumber });
    if (!out.ok) return sessionEnded(c, out.error);
    const photo = out.value?.photoKey ? await c.env.CARD_PHOTOS.get(out.value.photoKey) : null;
    if (!photo) return c.body(null, 404, PRIVATE_IMAGE_HEADERS);
    return c.body(photo.body, 200, {
      ...PRIVATE_IMAGE_HEADERS,
      'content-type': photo.httpMetadata?.contentType ?? 'application/octet-stream',
    });
  });
}
