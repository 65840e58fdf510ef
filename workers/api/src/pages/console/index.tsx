import { endPageSession } from '@gratia/network';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { form } from '../../lib/forms';
import { CONSOLE, csrfOk, endSession, readSession } from '../../lib/page-session';
import { registerConsoleAgenda } from './agenda';
import { registerConsoleAudit } from './audit';
import { registerConsoleBranches } from './branches';
import { registerConsoleCardLink } from './card-link';
import { registerConsoleCodeWordForm } from './code-word-section';
import { COPY_SCRIPT } from './copy-script';
import { registerConsoleFeedback } from './feedback';
import { registerConsoleGifts } from './gifts';
import { registerConsoleInsight } from './insight';
import { registerConsoleInsightSettings } from './insight-settings';
import { registerConsoleOffers } from './offers';
import { registerConsoleOffersSettings } from './offers-settings';
import { registerConsoleOutbox } from './outbox';
import { registerConsolePatientLanguage } from './patient-language';
import { registerConsolePatientLoyalty } from './patient-loyalty';
import { registerConsolePatientPlan } from './patient-plan';
import { registerConsolePatients } from './patients';
import { registerConsolePlan } from './plan';
import { registerConsolePlanCoverage } from './plan-coverage';
import { registerConsoleProgramme } from './programme';
import { registerConsoleQuestionnaire } from './questionnaire';
import { registerConsoleReferrals } from './referrals';
import { registerConsoleReports } from './reports';
import { registerConsoleSegments } from './segments';
import { registerSendGift } from './send-gift';
import { FORM_EXPIRED, html, SignInPage } from './shell';
import { registerConsoleStaff } from './staff';
import { registerConsoleStatements } from './statements';
import { registerConsoleSurveyLinks } from './survey-links';
import { registerConsoleTemplates } from './templates';
import { registerConsoleToday } from './today';
import { registerConsoleVisitRules } from './visit-rules';
import { registerConsoleWinBack } from './win-back';

// /console: the clinic's web console, for the front desk and the owner. Server-rendered pages and
// plain forms (POST, then redirect) that work without JavaScript; staff sign in with passkeys. Every
// page calls the same use cases as the API, as the signed-in staff member's console key.

const CONSOLE_HEADERS = {
  // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the page's own
  // form posts, which would defeat the Origin check.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function registerConsole(app: Hono<AppEnv>) {
  for (const path of ['/console', '/console/*'])
    app.use(path, async (c, next) => {
      await next();
      for (const [k, v] of Object.entries(CONSOLE_HEADERS))
        if (!c.res.headers.has(k)) c.res.headers.set(k, v);
    });

  registerConsoleToday(app);
  registerConsoleReports(app);
  registerConsoleStatements(app);
  registerConsolePatients(app);
  registerConsoleGifts(app);
  registerSendGift(app);
  registerConsoleProgramme(app);
  registerConsoleBranches(app);
  registerConsoleStaff(app);
  registerConsoleAudit(app);
  registerConsoleQuestionnaire(app);
  registerConsoleFeedback(app);
  registerConsoleSurveyLinks(app);
  registerConsoleInsightSettings(app);
  registerConsoleSegments(app);
  registerConsoleInsight(app);
  registerConsoleWinBack(app);
  registerConsoleReferrals(app);
  registerConsoleOffers(app);
  registerConsoleCodeWordForm(app);
  // Templates and languages (issue 13)
  registerConsoleTemplates(app);
  registerConsolePatientLanguage(app);
  // VIP, birthdays and rewards (issue 12)
  registerConsoleOffersSettings(app);
  registerConsoleOutbox(app);
  registerConsolePatientLoyalty(app);
  registerConsoleAgenda(app);
  registerConsolePlanCoverage(app);
  registerConsoleVisitRules(app);
  // The loyalty plan: templates, dated items, regeneration (issue 12)
  registerConsolePlan(app);
  registerConsolePatientPlan(app);
  registerConsoleCardLink(app);

  app.get('/console/copy.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=300');
    return c.body(COPY_SCRIPT);
  });

  app.post('/console/signout', async (c) => {
    const session = await readSession(c, CONSOLE);
    if (!session) return c.redirect('/console', 303);
    const f = await form(c);
    // A sign-out from another site (or a stale form) is refused: it must not end the session either.
    if (!f || !csrfOk(c, session, f.csrf)) return html(c, <SignInPage error={FORM_EXPIRED} />, 403);
    await endPageSession(c.var.deps, { sessionId: session.id });
    endSession(c, CONSOLE);
    return c.redirect('/console', 303);
  });
}
