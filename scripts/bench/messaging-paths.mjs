// Reaching the patient (issue 13), measured on the built network: a gift given to a consenting patient
// (the issue batch now writes its voucher_issued message), "Send" on a gift, the outbox (API and
// console), the template editor's list, and the patient's card page for the longest card. What should
// stay flat from one size to the next: round trips, and rows read and written (a message is one row;
// the outbox is read a page at a time through its index; the card page reads the patient's own rows).
//
// The queue's consumer runs outside any request (wrangler dev's local queue): per message it is one
// round trip to claim the row and read what it needs, one to record the outcome; it is not timed here.

export async function messagingPaths(ctx, m, { clinic, desk, longest }) {
  const page = (p) => ({ url: `${ctx.base}${p}`, init: { headers: { cookie: desk.cookie } } });
  const key = clinic.key;
  // A consenting patient (e-mail), and a gift from the clinic's catalogue.
  const patient = await ctx.call('POST', '/v1/patients', key, {
    first_name: 'Bench',
    last_name: 'Messages',
    email: 'bench.messages@example.com',
    consent: { email: true, sms: false, source: 'paper_form' },
  });
  const offers = await ctx.call('GET', '/v1/offers?limit=1', key);
  const offerId = offers.data?.[0]?.id;
  const gift = offerId
    ? { patient_id: patient.id, offer_id: offerId }
    : { patient_id: patient.id, value: { amount: 2_500, currency: 'EUR' } };
  await m(
    'POST /v1/vouchers (with its voucher_issued message)',
    () => ctx.req('POST', '/v1/vouchers', key, gift),
    [201],
  );
  const voucher = await ctx.call('POST', '/v1/vouchers', key, { ...gift, notify: false });
  await m(
    'POST /v1/vouchers/{id}/send (e-mail)',
    () => ctx.req('POST', `/v1/vouchers/${voucher.id}/send`, key, { channel: 'email' }),
    [202],
  );
  await m('GET /v1/messages (first page of 50)', () => ctx.req('GET', '/v1/messages?limit=50', key), [200]);
  const first = (await ctx.call('GET', '/v1/messages?limit=1', key)).data[0];
  await m('GET /console/outbox', () => page('/console/outbox'), [200]);
  if (first) await m('GET /console/outbox/{id}', () => page(`/console/outbox/${first.id}`), [200]);
  const card = await ctx.call('GET', `/v1/patients/${longest.patientId}/card`, key);
  await m(
    'GET /v1/patients/{id}/card (the longest card)',
    () => ctx.req('GET', `/v1/patients/${longest.patientId}/card`, key),
    [200],
  );
  const cardPath = new URL(card.url).pathname;
  await m(
    'GET /c/{token} (the card page, the longest card)',
    () => ({ url: `${ctx.base}${cardPath}`, init: {} }),
    [200],
  );
  await m('GET /console/templates', () => page('/console/templates'), [200]);
}
