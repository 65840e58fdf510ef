import { isId } from '@gratia/core';
import type { Patient } from '@gratia/db';
import { createSurveyLink, LINK_DAYS, readSurveyLinkForStaff } from '@gratia/insight';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { qrDataUri } from '../../lib/qr';
import { formatWhen, problemPage } from './patient-views';
import { QueuedFlash, SendLinkChoice, sendFromForm, sentParam } from './send-link';
import { action, ConsolePage, exactlyOnce, FormKeys, html, outcome, page } from './shell';

// Asking a patient for feedback: from the confirmation of a paid visit ("Ask for feedback", one link
// per visit: asking again shows the same link) or from the patient's page ("Send a survey", a link of
// its own). The link's page shows it to copy (and as a QR code to scan at the desk); the form can also
// send it by e-mail or SMS through the outbox (issue 13), and the page then links to the message.

/** The form on a patient's page: a survey link about `visitId`, or one not tied to a visit. */
export function SurveyLinkForm(props: {
  patientId: string;
  csrf: string;
  visitId?: string;
  /** The patient, for the send choice (its addresses and consent). */
  patient?: Patient;
}) {
  return (
    <form method="post" action={`/console/patients/${props.patientId}/survey-link`}>
      <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
      {props.visitId ? <input type="hidden" name="visit_id" value={props.visitId} /> : null}
      {props.patient ? <SendLinkChoice patient={props.patient} /> : null}
      <button type="submit" class="small">
        {props.visitId ? 'Ask for feedback: survey link' : 'Send a survey'}
      </button>
    </form>
  );
}

export function registerConsoleSurveyLinks(app: Hono<AppEnv>) {
  app.post(
    '/console/patients/:id/survey-link',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      const visitId = f.visit_id && isId('vis', f.visit_id) ? f.visit_id : null;
      const send = sendFromForm(f);
      if (send === 'invalid') return c.redirect(`${back}?error=validation_failed&field=send`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await createSurveyLink(c.var.deps, {
          clinic: s.principal,
          patientId,
          visitId,
          ...(send && { send }),
        });
        if (!out.ok) return outcome(back, out.error);
        const sent = sentParam(send, out.value.messageId);
        return { location: `${back}/survey-links/${out.value.link.id}${sent ? `?${sent}` : ''}` };
      });
    }),
  );

  app.get(
    '/console/patients/:id/survey-links/:link',
    page('patients', async (c, s) => {
      const patientId = c.req.param('id') ?? '';
      const out = await readSurveyLinkForStaff(c.var.deps, {
        clinic: s.principal,
        patientId,
        linkId: c.req.param('link') ?? '',
      });
      if (!out.ok) return problemPage(c, s, 'link_not_found', 404);
      const { link, url, patient } = out.value;
      const tz = s.principal.organization.timezone;
      const now = c.var.clock.now();
      const live = link.revokedAt === null && link.expiresAt > now;
      return html(
        c,
        <ConsolePage
          title={`Survey for ${patient.firstName}`}
          principal={s.principal}
          csrf={s.session.csrf}
          area="patients"
          scripts={['/console/copy.js']}
        >
          <p>
            <a href={`/console/patients/${patientId}`}>
              Back to {patient.firstName} {patient.lastName}
            </a>
          </p>
          <h1>
            A survey for {patient.firstName} {patient.lastName}
          </h1>
          <section class="card" aria-labelledby="link">
            <h2 id="link">The patient's survey link</h2>
            <QueuedFlash q={c.req.query()} />
            {link.completedAt !== null ? (
              <p class="status ok" role="status">
                Answered on {formatWhen(link.completedAt, tz)}. Thank you for asking.
              </p>
            ) : live ? (
              <>
                <label for="survey-link">Link</label>
                <input id="survey-link" class="code" readonly value={url} />
                <button
                  type="button"
                  class="small"
                  data-copy="survey-link"
                  data-copy-status="copy-status"
                  hidden
                >
                  Copy the link
                </button>
                <p id="copy-status" role="status" class="muted" />
                <img class="qr" alt="QR code of the patient's survey link" src={qrDataUri(url)} />
                <p class="muted">
                  {link.visitId ? 'About the visit just recorded. ' : ''}Valid until{' '}
                  {formatWhen(link.expiresAt, tz)} ({LINK_DAYS.survey} days), for one answer.
                </p>
              </>
            ) : (
              <p class="status bad">This link has expired. Send a new survey from the patient's page.</p>
            )}
          </section>
        </ConsolePage>,
      );
    }),
  );
}
