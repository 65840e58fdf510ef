import { isErrorCode } from '@gratia/core';
import { applyCodeWord, givesInWords } from '@gratia/loyalty';
import type { PatientOverview } from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { isCallerRefusal, newSubmissionKey } from '../../lib/forms';
import { formatWhen } from './patient-views';
import { action, exactlyOnce, FormKeys, withError } from './shell';

// The patient page's "Code word" card (every clinic role): the word said at the desk, applied for this
// patient (the same use case as the API), the result or the reason in the card, the patient's own
// codes of campaigns that give codes per patient, and the words they used lately.

export function CodeWordSection(props: {
  patientId: string;
  csrf: string;
  o: PatientOverview;
  q: Record<string, string>;
  zone: string;
}) {
  const { o, q, zone } = props;
  const { codes, uses } = o.codeWords;
  const gave = (u: (typeof uses)[number]) =>
    u.kind === null
      ? ''
      : givesInWords(
          {
            kind: u.kind,
            points: u.points,
            discountBps: u.discountBps,
            discountAmount: u.discountAmount,
          },
          u.currency ?? o.balance.currency,
          u.offerTitle,
        );
  const applied = q.code_word ? uses.find((u) => u.id === q.code_word) : undefined;
  const refused = q.error?.startsWith('code_word_') && isErrorCode(q.error);
  const usedAt = q.used_at && /^\d{1,15}$/.test(q.used_at) ? Number(q.used_at) : null;
  return (
    <section class="card" aria-labelledby="code-word" id="code-word">
      <h2 id="code-word">Code word</h2>
      {applied ? (
        <p class="status ok" role="status">
          {applied.word} applied: {gave(applied)}.
          {applied.voucherId ? ' The gift voucher is in the gifts below.' : ''}
        </p>
      ) : null}
      {refused && q.error === 'code_word_already_used' && usedAt !== null ? (
        <p class="status bad">Last used on {formatWhen(usedAt, zone)}.</p>
      ) : null}
      <form method="post" action={`/console/patients/${props.patientId}/code-word`}>
        <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
        <label for="code-word-input">The word or code the patient says</label>
        <div class="row">
          <input id="code-word-input" name="word" required maxlength={80} autocomplete="off" />
          <button type="submit">Apply</button>
        </div>
      </form>
      {codes.length > 0 ? (
        <>
          <h3>Their own codes</h3>
          <ul>
            {codes.map((c) => (
              <li>
                <span class="code">{c.code}</span> ({c.word}, until {formatWhen(c.validUntil, zone)}
                {c.used > 0 ? `, used ${c.used} of ${c.perPatientLimit}` : ''})
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {uses.length > 0 ? (
        <>
          <h3>Used lately</h3>
          <ul>
            {uses.map((u) => (
              <li>
                {formatWhen(u.usedAt, zone)}: {u.word}, {gave(u)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function registerConsoleCodeWordForm(app: Hono<AppEnv>) {
  app.post(
    '/console/patients/:id/code-word',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await applyCodeWord(c.var.deps, { clinic: s.principal, patientId, word: f.word ?? '' });
        if (out.ok) return { location: `${back}?code_word=${out.value.use.id}#code-word` };
        const r = out.error;
        if (isCallerRefusal(r)) return { ended: r };
        // The card's own refusals come back to the card (with when, for a word already used).
        if (r.code === 'patient_not_found') return { location: withError(back, r) };
        const when = r.usedAt !== undefined ? `?used_at=${r.usedAt}` : '';
        return { location: `${withError(`${back}${when}`, r)}#code-word` };
      });
    }),
  );
}
