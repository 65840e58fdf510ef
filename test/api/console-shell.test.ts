import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

describe('the console frame', () => {
  it('shows the sign-in page without a session, and Today to signed-in clinic staff', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const anonymous = await api.get('/console');
    expect(anonymous.status).toBe(200);
    expect((await api.get('/console/patients')).status).toBe(401);
    expect(anonymous.text).toContain('Sign in with a passkey');
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const today = await desk.get('/console');
    expect(today.status).toBe(200);
    expect(today.text).toContain('Call list');
    expect(today.text).not.toContain('href="/console/staff"');
  });

  it('ends the session when the staff member is removed, and at the idle timeout', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console')).status).toBe(200);
    api.clock.advance!(31 * 60_000);
    expect((await desk.get('/console')).status).toBe(401);
  });
});
