import { env } from 'cloudflare:workers';
import { addDays, localDate } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's plan: the Plan area (templates per class and segment, the editor, reset to default,
// how many patients have a plan), a patient's plan page (generate, regenerate, owner, an item of
// staff's own) and the Plan card on the patient's page; front desk staff read and generate plans but
// do not keep templates.

const TODAY = localDate(T0, 'Europe/Berlin');

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Vera', birth_date: '1980-05-20' });
  const manager = await staffSession(api, {
    organizationId: net.clinic.id,
    kind: 'clinic',
    role: 'manager',
    name: 'Mona',
  });
  const desk = await staffSession(api, {
    organizationId: net.clinic.id,
    kind: 'clinic',
    role: 'front_desk',
    name: 'Dora',
  });
  return { api, net, patient, manager, desk };
}

const editorForm = (lines: { kind: string; channel: string; count: string; offer?: string }[]) =>
  Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => {
      const l = lines[i];
      return [
        [`kind_${i}`, l?.kind ?? ''],
        [`channel_${i}`, l?.channel ?? 'call'],
        [`count_${i}`, l?.count ?? ''],
        [`offer_${i}`, l?.offer ?? ''],
      ];
    }).flat(),
  );

describe('console: the Plan area', () => {
  it('shows the defaults, saves a template once, and resets it to the default', async () => {
    const { manager, net } = await scene();
    const page = await manager.get('/console/plan');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('0 of 1 patients have a plan.');
    expect(page.text).toContain('No plan has been generated yet.');
    expect(page.text).toContain('Class A');
    expect(page.text).toContain('Default');
    const editor = await manager.get('/console/plan/templates/B');
    expect(editor.status).toBe(200);
    expect(editor.text).toContain('name="count_11"');
    const fields = {
      name: 'Regulars',
      submission: 'plan-template-submission-01',
      ...editorForm([
        { kind: 'thank_you', channel: 'sms', count: '4' },
        { kind: 'birthday', channel: 'call', count: '1' },
        {},
        { kind: 'survey_request', channel: 'email', count: '2' },
      ] as never),
    };
    const saved = await manager.post('/console/plan/templates/B', fields);
    expect(saved.status, saved.text).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/plan?saved=1');
    const again = await manager.post('/console/plan/templates/B', fields);
    expect(again.headers.get('location')).toBe('/console/plan?saved=1');
    const rows = await env.DB.prepare('select * from plan_templates where clinic_id = ?')
      .bind(net.clinic.id)
      .all<{ version: number; interactions_per_year: number; name: string }>();
    expect(rows.results).toEqual([
      expect.objectContaining({ version: 1, interactions_per_year: 7, name: 'Regulars' }),
    ]);
    const list = await manager.get('/console/plan?saved=1');
    expect(list.text).toContain('4× Thank-you after a visit · SMS');
    expect(list.text).toContain('Reset Regulars to default');
    const reset = await manager.post('/console/plan/templates/B/reset');
    expect(reset.headers.get('location')).toBe('/console/plan?reset=1');
    const gone = await env.DB.prepare('select count(*) n from plan_templates where clinic_id = ?')
      .bind(net.clinic.id)
      .first<{ n: number }>();
    expect(gone!.n).toBe(0);
  });

  it('says what is wrong with a mix, and keeps what was entered', async () => {
    const { manager } = await scene();
    const res = await manager.post(
      '/console/plan/templates/C',
      editorForm([{ kind: '', channel: 'sms', count: '3' }]),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Line 1: choose a kind.');
    const tooMany = await manager.post(
      '/console/plan/templates/C',
      editorForm([{ kind: 'birthday', channel: 'sms', count: '2' }]),
    );
    expect(tooMany.status).toBe(303);
    expect(tooMany.headers.get('location')).toContain('error=validation_failed');
  });

  it('keeps front-desk staff out, and an unknown segment is not found', async () => {
    const { desk, manager } = await scene();
    expect((await desk.get('/console/plan')).status).toBe(403);
    expect((await desk.post('/console/plan/templates/B/reset')).status).toBe(403);
    expect((await manager.get('/console/plan/templates/seg_01JD0000000000000000000000')).status).toBe(404);
  });
});

describe('console: a patient’s plan', () => {
  it('a front-desk member generates it, sees dated items with owners, hands it over, adds an item', async () => {
    const { desk, manager, patient } = await scene();
    const empty = await desk.get(`/console/patients/${patient.id}/plan`);
    expect(empty.status, empty.text).toBe(200);
    expect(empty.text).toContain('Generate plan');
    const made = await desk.post(`/console/patients/${patient.id}/plan`);
    expect(made.headers.get('location')).toBe(`/console/patients/${patient.id}/plan?generated=1`);
    const page = await desk.get(`/console/patients/${patient.id}/plan?generated=1`);
    expect(page.text).toContain('The plan is generated for the next 12 months.');
    expect(page.text).toContain('Regenerate');
    expect(page.text).toContain('Owner: Dora');
    expect(page.text).toContain('2027-05-13'); // the birthday, a week before
    expect(page.text.match(/data-plan-item-status=/g)).toHaveLength(4);
    // A front-desk member who does not own it may not hand it over; the manager may.
    const other = await staffSession(createClient(), {
      organizationId: (await env.DB.prepare('select clinic_id from patients where id = ?')
        .bind(patient.id)
        .first<{ clinic_id: string }>())!.clinic_id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const refused = await other.post(`/console/patients/${patient.id}/plan/owner`, {
      owner_staff_id: other.staffId,
    });
    expect(refused.headers.get('location')).toContain('error=forbidden');
    const handed = await manager.post(`/console/patients/${patient.id}/plan/owner`, {
      owner_staff_id: manager.staffId,
    });
    expect(handed.headers.get('location')).toBe(`/console/patients/${patient.id}/plan?owner=1`);
    const added = await desk.post(`/console/patients/${patient.id}/plan/items`, {
      kind: 'event_invitation',
      channel: 'call',
      due_on: addDays(TODAY, 2),
      purpose: 'Open day',
    });
    expect(added.headers.get('location')).toBe(`/console/patients/${patient.id}/plan?added=1`);
    const after = await desk.get(`/console/patients/${patient.id}/plan`);
    expect(after.text).toContain('Owner: Mona');
    expect(after.text).toContain('Open day');
    expect(after.text).toContain('Added by staff');
    // The patient's page shows the next items and a link to the plan.
    const overview = await desk.get(`/console/patients/${patient.id}`);
    expect(overview.text).toContain('id="plan-summary"');
    expect(overview.text).toContain(`href="/console/patients/${patient.id}/plan"`);
    expect(overview.text).toContain('Event invitation · Call');
  });

  it('refuses a due date out of range, and another clinic’s patient is not found', async () => {
    const { api, desk, patient, net } = await scene();
    const bad = await desk.post(`/console/patients/${patient.id}/plan/items`, {
      kind: 'thank_you',
      channel: 'sms',
      due_on: addDays(TODAY, -90),
    });
    expect(bad.headers.get('location')).toContain('error=validation_failed');
    const theirs = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    expect((await theirs.get(`/console/patients/${patient.id}/plan`)).status).toBe(404);
    const post = await theirs.post(`/console/patients/${patient.id}/plan`);
    expect(post.headers.get('location')).toContain('error=patient_not_found');
  });
});
