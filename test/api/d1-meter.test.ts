import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/api/src/app';
import { createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createClinic, createPatient } from '../helpers/factories';

describe('D1 meter (Server-Timing, benchmarks only)', () => {
  const app = createApp();
  const call = (path: string, e: Record<string, unknown>) =>
    app.request(
      `https://gratia.test${path}`,
      { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'x-debug-d1': '1' } },
      { ...env, ...e },
    );

  it('reports round trips and rows when enabled', async () => {
    const res = await call('/v1/organizations?limit=5', { EXPOSE_D1_METRICS: '1' });
    expect(res.status).toBe(200);
    const timing = res.headers.get('server-timing') ?? '';
    expect(timing).toMatch(/round_trips=1 statements=1 rows_read=\d+ rows_written=0/);
    const health = await call('/health', { EXPOSE_D1_METRICS: '1' });
    expect(health.headers.get('server-timing')).toContain('round_trips=0');
  });

  it('counts a batch as one round trip and its statements separately', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const patient = await createPatient(api, clinic.key);
    const get = () =>
      app.request(
        `https://gratia.test/v1/patients/${patient.id}`,
        { headers: { authorization: `Bearer ${clinic.key}`, 'x-debug-d1': '1' } },
        { ...env, EXPOSE_D1_METRICS: '1' },
      );
    // The first use in a while also refreshes the key's last_used_at (off the response path).
    expect((await get()).headers.get('server-timing')).toMatch(/round_trips=3 statements=4 /);
    const res = await get();
    expect(res.status).toBe(200);
    // The key lookup, then one batch of two statements (the patient and its consent history).
    expect(res.headers.get('server-timing')).toMatch(/round_trips=2 statements=3 /);
  });

  it('is absent unless enabled', async () => {
    const res = await call('/v1/organizations', {});
    expect(res.headers.get('server-timing')).toBeNull();
    const notProbe = await app.request('https://gratia.test/health', {}, { ...env, EXPOSE_D1_METRICS: '1' });
    expect(notProbe.headers.get('server-timing')).toBeNull();
  });
});
