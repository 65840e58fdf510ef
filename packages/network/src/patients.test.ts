import { describe, expect, it } from 'vitest';
import { orgWithCaller, patientOf, testDeps } from '../../../test/helpers/deps';
import { readPatient, updatePatient } from './patients';

// Patients and consent against the local D1, without HTTP.

describe('updatePatient (use case)', () => {
  it('records only real consent changes, from the row itself, and keeps the search text in step', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const p = await patientOf(deps, clinic);
    const grant = () =>
      updatePatient(deps, {
        clinic: clinic.principal,
        patientId: p.id,
        changes: { consent: { sms: true, source: 'desk' } },
      });
    await grant();
    await grant(); // the consent in force again: no event
    await updatePatient(deps, {
      clinic: clinic.principal,
      patientId: p.id,
      changes: { lastName: 'Łukasiewicz' },
    });
    const read = await readPatient(deps, { clinic: clinic.principal, patientId: p.id });
    if (!read.ok) throw new Error(read.error.code);
    expect(read.value.consentHistory.map((e) => [e.channel, e.granted, e.source])).toEqual([
      ['sms', true, 'desk'],
    ]);
    expect(read.value.patient.searchText).toContain('łukasiewicz');
  });

  it("does not reach another clinic's patient", async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const other = await orgWithCaller(deps, 'clinic');
    const p = await patientOf(deps, clinic);
    const out = await updatePatient(deps, {
      clinic: other.principal,
      patientId: p.id,
      changes: { consent: { email: true } },
    });
    expect(out).toMatchObject({ ok: false, error: { code: 'patient_not_found' } });
    const read = await readPatient(deps, { clinic: clinic.principal, patientId: p.id });
    expect(read.ok && read.value.consentHistory).toEqual([]);
  });
});
