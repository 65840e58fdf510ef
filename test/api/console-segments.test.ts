import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's segments: the list with live counts and personas as cards, the rule form (blank rows
// ignored, works without script) with its Count button, saving once, the segment page (rules in words,
// members, CSV, the charts), editing and archiving; front desk staff are not let in.

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const vip = await createPatient(api, net.clinic.key, {
    first_name: 'Vera',
    preferences: { tags: ['vip'] },
    consent: { email: true, source: 'front desk' },
  });
  await createPatient(api, net.clinic.key, { first_name: 'Otto' });
  await createPatient(api, net.otherClinic.key, { first_name: 'Xenia', preferences: { tags: ['vip'] } });
  const manager = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'manager' });
  return { api, net, vip, manager };
}

const ruleForm = (rows: Record<string, string>[]) =>
  Object.fromEntries(
    Array.from({ length: 6 }, (_, i) => {
      const r = rows[i] ?? {};
      return [
        [`field_${i}`, r.field ?? ''],
        [`op_${i}`, r.op ?? 'is'],
        [`key_${i}`, r.key ?? ''],
        [`value_${i}`, r.value ?? ''],
      ];
    }).flat(),
  );

describe('console: segments', () => {
  it('previews a count, saves once, and shows the segment with its rules in words and its members', async () => {
    const { manager, net } = await scene();
    const blank = await manager.get('/console/segments/new');
    expect(blank.status).toBe(200);
    expect(blank.text).toContain('name="field_5"');
    const rules = ruleForm([
      { field: 'tag', op: 'has', value: 'vip' },
      {},
      { field: 'consent', op: 'is', key: 'email', value: 'yes' },
    ]);
    const count = await manager.post('/console/segments/preview', { name: '', ...rules });
    expect(count.status, count.text).toBe(200);
    expect(count.text).toContain('1 patient meets these rules now.');
    const fields = {
      name: 'VIPs',
      description: 'Loves a fuss',
      submission: 'segment-form-submission-01',
      ...rules,
    };
    const saved = await manager.post('/console/segments', fields);
    expect(saved.status, saved.text).toBe(303);
    const location = saved.headers.get('location') ?? '';
    expect(location).toMatch(/^\/console\/segments\/seg_\w+\?saved=1$/);
    // The same submission again: the same place, nothing more.
    const again = await manager.post('/console/segments', fields);
    expect(again.headers.get('location')).toBe(location);
    const n = await env.DB.prepare('select count(*) n from segments where clinic_id = ?')
      .bind(net.clinic.id)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
    const page = await manager.get(location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Tagged “vip”');
    expect(page.text).toContain('Agreed to e-mail');
    expect(page.text).toContain('Vera');
    expect(page.text).not.toContain('Otto');
    expect(page.text).not.toContain('Xenia');
    expect(page.text).toContain('members.csv');
    expect(page.text).toContain('data-chart');
    expect(page.text).toContain('/console/charts.js');
    const list = await manager.get('/console/segments');
    expect(list.text).toContain('Personas');
    expect(list.text).toMatch(/VIPs<\/a><\/h3><p>Loves a fuss<\/p><p><span class="count">1<\/span>/);
  });

  it('says which rule is wrong, keeping what was typed', async () => {
    const { manager } = await scene();
    const res = await manager.post('/console/segments', {
      name: 'Big spenders',
      ...ruleForm([{ field: 'spend_12m', op: 'gte', value: 'lots' }]),
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Rule 1: Spend in the last 12 months takes “at least”, “at most”');
    expect(res.text).toContain('value="lots"');
  });

  it('edits and archives a segment; the CSV has every member', async () => {
    const { manager, vip } = await scene();
    const saved = await manager.post('/console/segments', {
      name: 'Spenders',
      ...ruleForm([{ field: 'spend_12m', op: 'gte', value: '500.00' }]),
    });
    const location = saved.headers.get('location') ?? '';
    const id = location.split('/')[3]?.split('?')[0] ?? '';
    expect((await manager.get(location)).text).toContain('Spent at least €500.00 in the last 12 months');
    const edit = await manager.get(`/console/segments/${id}/edit`);
    expect(edit.text).toContain('value="500.00"');
    const changed = await manager.post(`/console/segments/${id}`, {
      name: 'VIPs',
      ...ruleForm([{ field: 'tag', op: 'has', value: 'vip' }]),
    });
    expect(changed.status).toBe(303);
    const csv = await manager.get(`/console/segments/${id}/members.csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[1]).toContain(vip.id);
    const archived = await manager.post(`/console/segments/${id}/archive`, {});
    expect(archived.headers.get('location')).toBe('/console/segments?archived=1');
    expect((await manager.get(`/console/segments/${id}`)).status).toBe(404);
  });

  it('is for owners and managers: front desk staff are refused', async () => {
    const { api, net } = await scene();
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const res = await desk.get('/console/segments');
    expect(res.status).toBe(403);
    expect((await desk.get('/console')).text).not.toContain('/console/segments');
  });
});
