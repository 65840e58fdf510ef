import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork, createOffer, createPatient, issueVoucher } from '../helpers/factories';
import { messagesOf } from '../helpers/messages';
import { staffSession } from '../helpers/staff';

// "Send" on a gift's console page (issue 13): each channel with its address and consent, the
// patient's request recorded as service-only consent, the message queued and linked in the outbox.

const location = (res: { headers: Headers }) => res.headers.get('location') ?? '';

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, {
    email: 'greta@example.com',
    phone: '+4915199999999',
    consent: { email: true, sms: false },
  });
  const offer = await createOffer(api, net.partner.key);
  const gift = await issueVoucher(api, net.clinic.key, {
    patient_id: patient.id,
    offer_id: offer.id,
    notify: false,
  });
  const desk = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'front_desk' });
  const other = await staffSession(api, {
    organizationId: net.otherClinic.id,
    kind: 'clinic',
    role: 'owner',
  });
  return { api, net, patient, gift, desk, other };
}

describe('console: sending a gift', () => {
  it('shows each channel with its address and consent, and queues the message on Send', async () => {
    const { net, gift, desk } = await scene();
    const page = await desk.get(`/console/gifts/${gift.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('E-mail greta@example.com — consent given');
    expect(page.text).toContain('SMS +4915199999999 — no consent');
    expect(page.text).toContain('no offers or advertising');

    const res = await desk.post(`/console/gifts/${gift.id}/send`, { channel: 'email' });
    expect(location(res)).toMatch(new RegExp(`^/console/gifts/${gift.id}\\?sent=msg_[0-9A-Z]+#send$`));
    const id = /sent=(msg_[0-9A-Z]+)/.exec(location(res))![1];
    const rows = await messagesOf(net.clinic.id);
    expect(rows.map((r) => [r.id, r.channel, r.reason_key, r.created_by])).toEqual([
      [id, 'email', `voucher:${gift.id}:send:1`, expect.stringMatching(/^key_/)],
    ]);
    const after = await desk.get(location(res).split('#')[0]!);
    expect(after.text).toContain('Queued: the message is in the outbox.');
    expect(after.text).toContain(`href="/console/outbox/${id}"`);
  });

  it('refuses SMS without consent, then sends it when the patient asks now (consent recorded)', async () => {
    const { api, net, patient, gift, desk } = await scene();
    const refused = await desk.post(`/console/gifts/${gift.id}/send`, { channel: 'sms' });
    expect(location(refused)).toBe(`/console/gifts/${gift.id}?error=no_consent`);
    expect((await desk.get(location(refused))).text).toContain('Record their consent first');
    expect(await messagesOf(net.clinic.id)).toEqual([]);

    const asked = await desk.post(`/console/gifts/${gift.id}/send`, { channel: 'sms', record_consent: '1' });
    expect(location(asked)).toContain('?sent=msg_');
    const p = await api.get(`/v1/patients/${patient.id}`, { token: net.clinic.key });
    expect(p.body.consent_history).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'sms', granted: true, source: 'console' })]),
    );
    expect((await messagesOf(net.clinic.id)).map((r) => r.channel)).toEqual(['sms']);
    expect((await desk.get(`/console/gifts/${gift.id}`)).text).toContain(
      'SMS +4915199999999 — consent to service messages given',
    );
  });

  it("rejects a bad channel and another clinic's gift, and offers no Send on a voided gift", async () => {
    const { net, gift, desk, other } = await scene();
    expect(location(await desk.post(`/console/gifts/${gift.id}/send`, { channel: 'fax' }))).toBe(
      `/console/gifts/${gift.id}?error=validation_failed&field=channel`,
    );
    expect(location(await other.post(`/console/gifts/${gift.id}/send`, { channel: 'email' }))).toBe(
      `/console/gifts/${gift.id}?error=voucher_not_found`,
    );
    await desk.post(`/console/gifts/${gift.id}/void`, { reason: 'Mistake' });
    expect((await desk.get(`/console/gifts/${gift.id}`)).text).not.toContain('Send the link');
    expect(location(await desk.post(`/console/gifts/${gift.id}/send`, { channel: 'email' }))).toBe(
      `/console/gifts/${gift.id}?error=voucher_not_active`,
    );
    expect(await messagesOf(net.clinic.id)).toEqual([]);
  });
});
