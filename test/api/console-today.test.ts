import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createPatient, createPointsScene, recordVisit } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's Today page: the figures, the call list with call outcomes (and who called), and the
// latest redemptions of the clinic's gifts.

const callsOf = async (patientId: string) =>
  (
    await env.DB.prepare('select outcome, staff_id from call_outcomes where patient_id = ? order by at')
      .bind(patientId)
      .all<{ outcome: string; staff_id: string | null }>()
  ).results;

async function scene() {
  const api = createClient();
  // Points earned now lapse in 20 days: this month (the clock starts on 1 November).
  const { net, patient } = await createPointsScene(api, { expiry_days: 20 });
  await recordVisit(api, net.clinic.key, patient.id, 12_345);
  const desk = await staffSession(api, {
    organizationId: net.clinic.id,
    kind: 'clinic',
    role: 'front_desk',
    name: 'Frida Desk',
  });
  return { api, net, patient, desk };
}

describe('Today', () => {
  it('lists patients whose points lapse this month; staff record a call and see who called', async () => {
    const { patient, desk } = await scene();
    const page = await desk.get('/console');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Mira');
    expect(page.text).toContain('1,234 points');
    expect(page.text).toContain('Not called yet');
    const rec = await desk.post('/console/calls', {
      patient_id: patient.id,
      outcome: 'left_message',
      note: 'Voicemail',
    });
    expect(rec.status).toBe(303);
    expect(rec.headers.get('location')).toContain('called=');
    const after = await desk.get('/console');
    expect(after.text).toContain('Left a message');
    expect(after.text).toContain('by Frida Desk');
    expect(after.text).toContain('Voicemail');
    expect(await callsOf(patient.id)).toEqual([{ outcome: 'left_message', staff_id: desk.staffId }]);
    // "Do not call" takes them off the list.
    await desk.post('/console/calls', { patient_id: patient.id, outcome: 'do_not_call' });
    expect((await desk.get('/console')).text).not.toContain('Mira');
  });

  it('records a call once however often the form is sent, and only with its CSRF token', async () => {
    const { api, patient, desk } = await scene();
    const fields = { patient_id: patient.id, outcome: 'reached', submission: 'same-submission-key-0001' };
    expect((await desk.post('/console/calls', fields)).status).toBe(303);
    expect((await desk.post('/console/calls', fields)).status).toBe(303);
    expect(await callsOf(patient.id)).toHaveLength(1);
    const noCsrf = await api.post('/console/calls', {
      rawBody: new URLSearchParams({
        patient_id: patient.id,
        outcome: 'reached',
        submission: 'x'.repeat(20),
      }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: desk.cookie,
        origin: 'https://gratia.test',
      },
    });
    expect(noCsrf.status).toBe(403);
    const crossSite = await desk.post(
      '/console/calls',
      { patient_id: patient.id, outcome: 'reached' },
      { origin: 'https://evil.test' },
    );
    expect(crossSite.status).toBe(403);
    expect(await callsOf(patient.id)).toHaveLength(1);
  });

  it("refuses another clinic's patient as if it did not exist, and writes nothing", async () => {
    const { api, net, desk } = await scene();
    const theirs = await createPatient(api, net.otherClinic.key);
    const res = await desk.post('/console/calls', { patient_id: theirs.id, outcome: 'reached' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console?error=patient_not_found');
    expect(await callsOf(theirs.id)).toEqual([]);
    const ghost = await desk.post('/console/calls', {
      patient_id: 'pat_01JD0000000000000000000000',
      outcome: 'reached',
    });
    expect(ghost.headers.get('location')).toBe('/console?error=patient_not_found');
  });

  it('shows what a bad cursor or outcome is, without failing', async () => {
    const { patient, desk } = await scene();
    expect((await desk.get('/console?calls=%%%')).status).toBe(200);
    const odd = await desk.post('/console/calls', { patient_id: patient.id, outcome: 'shouted' });
    expect(odd.headers.get('location')).toBe('/console?error=validation_failed');
  });
});
