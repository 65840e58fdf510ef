import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock } from '@gratia/core';
import { type OrgPrincipal, runBatch, segments } from '@gratia/db';
import {
  applyCodeWord,
  createCodeWord,
  generateCodeWordCodes,
  getCodeWord,
  updateCodeWord,
} from '@gratia/loyalty';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';

// The code word use cases beside their rules, without HTTP: who may change campaigns, a key revoked
// between the read and the write, a segment's membership evaluated when the word is applied, and the
// clock deciding the window.

async function scene(at = T0) {
  const deps = testDeps(fixedClock(at));
  const clinic = await orgWithCaller(deps, 'clinic');
  const patient = await patientOf(deps, clinic);
  return { deps, clinic, patientId: patient.id };
}

const asStaff = (p: OrgPrincipal, role: 'owner' | 'manager' | 'front_desk'): OrgPrincipal => ({
  ...p,
  staff: { id: 'stf_01JD0000000000000000000000', name: 'Desk', role },
});

const campaign = (clinic: OrgPrincipal, over: Partial<Parameters<typeof createCodeWord>[1]> = {}) => ({
  clinic,
  word: 'Lavender',
  reward: { kind: 'points' as const, points: 30 },
  validUntil: T0 + 10 * DAY_MS,
  ...over,
});

describe('code word use cases', () => {
  it('only owners and managers create, change and make codes; the front desk applies', async () => {
    const { deps, clinic, patientId } = await scene();
    const desk = asStaff(clinic.principal, 'front_desk');
    expect(await createCodeWord(deps, campaign(desk))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const made = await createCodeWord(deps, campaign(asStaff(clinic.principal, 'manager')));
    if (!made.ok) throw new Error(made.error.code);
    const id = made.value.id;
    expect(await updateCodeWord(deps, { clinic: desk, id, end: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await generateCodeWordCodes(deps, { clinic: desk, id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const applied = await applyCodeWord(deps, { clinic: desk, patientId, word: 'lavender' });
    expect(applied.ok && applied.value.gives).toBe('30 bonus points');
  });

  it('a key revoked before the write applies nothing and says unauthorized', async () => {
    const { deps, clinic, patientId } = await scene();
    await createCodeWord(deps, campaign(clinic.principal));
    await env.DB.prepare('update api_keys set revoked_at = ? where id = ?').bind(T0, clinic.keyId).run();
    const out = await applyCodeWord(deps, { clinic: clinic.principal, patientId, word: 'LAVENDER' });
    expect(out).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const uses = await env.DB.prepare('select count(*) as n from code_word_uses where clinic_id = ?')
      .bind(clinic.org.id)
      .first<{ n: number }>();
    expect(uses?.n).toBe(0);
  });

  it('segment membership is read when the word is applied, and an archived segment admits no one', async () => {
    const { deps, clinic, patientId } = await scene();
    const segId = 'seg_01JD0000000000000000000001';
    await runBatch(deps.db, {
      seg: deps.db.insert(segments).values({
        id: segId,
        clinicId: clinic.org.id,
        name: 'Everyone',
        rules: [],
        createdAt: T0,
        updatedAt: T0,
      }),
    });
    const made = await createCodeWord(
      deps,
      campaign(clinic.principal, { segmentId: segId, perPatientLimit: 5 }),
    );
    expect(made.ok).toBe(true);
    expect((await applyCodeWord(deps, { clinic: clinic.principal, patientId, word: 'LAVENDER' })).ok).toBe(
      true,
    );
    await deps.db.update(segments).set({ archivedAt: T0 }).where(eq(segments.id, segId));
    expect(
      await applyCodeWord(deps, { clinic: clinic.principal, patientId, word: 'LAVENDER' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'code_word_not_eligible' },
    });
  });

  it('the window is the clock’s: not started, then active, then expired', async () => {
    const { clinic, patientId } = await scene();
    const early = testDeps(fixedClock(T0));
    await createCodeWord(early, campaign(clinic.principal, { validFrom: T0 + DAY_MS }));
    expect(
      await applyCodeWord(early, { clinic: clinic.principal, patientId, word: 'LAVENDER' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'code_word_not_started' },
    });
    const during = testDeps(fixedClock(T0 + 2 * DAY_MS));
    const ok = await applyCodeWord(during, { clinic: clinic.principal, patientId, word: 'LAVENDER' });
    expect(ok.ok).toBe(true);
    const late = testDeps(fixedClock(T0 + 10 * DAY_MS));
    expect(
      await applyCodeWord(late, { clinic: clinic.principal, patientId, word: 'LAVENDER' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'code_word_expired' },
    });
    const made = ok.ok ? ok.value.use.codeWordId : '';
    const read = await getCodeWord(late, { clinic: clinic.principal, id: made });
    expect(read.ok && read.value.codeWord.status).toBe('expired');
    expect(read.ok && read.value.uses.map((u) => u.seq)).toEqual([1]);
  });
});
