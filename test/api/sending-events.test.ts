import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createClinic } from '../helpers/factories';
import { messagesOf } from '../helpers/messages';
import { invite } from '../helpers/staff';

// Issue 13, events that message someone: a staff invitation with an e-mail address is e-mailed its
// link (a staff_sign_in message without a patient, to the invitation's own address), once.

describe('staff invitations', () => {
  it('writes one staff_sign_in e-mail with the invite link; none without an address', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const inv = await invite(api, clinic.id, { email: 'olga@example.com' });
    await invite(api, clinic.id, { name: 'No Mail' });
    const rows = await messagesOf(clinic.id, 'invite:');
    expect(
      rows.map((r) => [
        r.reason_key,
        r.kind,
        r.purpose,
        r.channel,
        r.patient_id,
        r.to_address,
        r.status,
        r.created_by,
      ]),
    ).toEqual([
      [
        `invite:${inv.id}`,
        'staff_sign_in',
        'service',
        'email',
        null,
        'olga@example.com',
        'queued',
        'operator',
      ],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toEqual({ url: inv.url });
    const audit = await env.DB.prepare(
      "select count(*) as n from audit_events where subject_id = ? and action = 'staff.invite'",
    )
      .bind(inv.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });
});
