import { formatMoney } from '@gratia/core';
import { readCard } from '@gratia/loyalty';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { qrDataUri } from '../../lib/qr';
import { problemPage } from './patient-views';
import { ConsolePage, html, page } from './shell';

// The patient's card page for the clinic (issue 13): the "Card page" line on the patient's page, and
// /console/patients/{id}/card with the page's signed link to copy (the console's copy button), its QR
// code to show on the desk's screen, and what the patient sees (balance, discount, gifts). Reading it
// writes nothing: the link is derived from the patient id. Any clinic role (as the patient's page).

/** The patient page's line: where the card page's link is. */
export function CardPageLine({ patientId, firstName }: { patientId: string; firstName: string }) {
  return (
    <p>
      <a href={`/console/patients/${patientId}/card`}>Card page: the link to send {firstName}</a>
    </p>
  );
}

export function registerConsoleCardLink(app: Hono<AppEnv>) {
  app.get(
    '/console/patients/:id/card',
    page('patients', async (c, s) => {
      const patientId = c.req.param('id') ?? '';
      const card = await readCard(c.var.deps, { patientId, clinicId: s.principal.organizationId });
      if (!card) return problemPage(c, s, 'patient_not_found', 404);
      const name = `${card.firstName} ${card.lastName}`;
      return html(
        c,
        <ConsolePage
          title={`Card page: ${name}`}
          principal={s.principal}
          csrf={s.session.csrf}
          area="patients"
          scripts={['/console/copy.js']}
        >
          <p>
            <a href={`/console/patients/${patientId}`}>Back to the patient</a>
          </p>
          <h1>Card page: {name}</h1>
          <section class="card" aria-labelledby="link">
            <h2 id="link">The link to send</h2>
            <p class="hint">
              {card.firstName}'s own page of their card: number, barcode and QR code, points and their worth,
              the discount and the next one, their gifts; in their language ({card.locale}). Anyone with the
              link sees it, so send it to {card.firstName} only.
            </p>
            <label for="card-link">Card page link</label>
            <input id="card-link" class="code" readonly value={card.url} />
            <button
              type="button"
              class="small"
              data-copy="card-link"
              data-copy-status="card-copy-status"
              hidden
            >
              Copy the link
            </button>
            <p id="card-copy-status" role="status" class="muted" />
            <p>
              <a href={card.url} target="_blank" rel="noopener noreferrer">
                Open the card page
              </a>
            </p>
            <img class="qr" alt="QR code of the patient's card page link" src={qrDataUri(card.url)} />
          </section>
          <section class="card" aria-labelledby="what">
            <h2 id="what">What {card.firstName} sees</h2>
            <ul>
              <li>
                {card.balance.balance.toLocaleString('en-GB')} points, worth{' '}
                {formatMoney(card.worth.amount, card.worth.currency)}
              </li>
              <li>{card.discountBps ? `${card.discountBps / 100}% discount` : 'No discount tier yet'}</li>
              <li>
                {card.gifts.length} gift{card.gifts.length === 1 ? '' : 's'} to use
              </li>
              <li>{card.hasPhoto ? 'Their photo is on the card' : 'No photo on the card yet'}</li>
            </ul>
          </section>
        </ConsolePage>,
      );
    }),
  );
}
