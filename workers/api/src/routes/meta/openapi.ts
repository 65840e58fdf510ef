import type { App } from '../../app';
import { STATIC_PAGE_HEADERS } from '../../pages/static-headers';
import { polishDocument } from './openapi-polish';
import { renderApiReference } from './reference-page';

export const OPENAPI_INFO = {
  title: 'Gratia API',
  version: '1.0.0',
  description:
    'The partner-network rewards platform for clinics: the network, patients and their coalition card, signed gift vouchers, bonus points and settlement. Errors are RFC 9457 problem+json with a stable `code`; each code is explained at `/problems/{code}`.',
};

/** Every tag an operation uses, in reading order; the document declares them with these descriptions. */
export const OPENAPI_TAGS = [
  { name: 'Meta', description: 'Liveness, and who the presented key belongs to.' },
  {
    name: 'Network',
    description: 'The operator’s side: organisations (clinics and partners) and their API keys.',
  },
  {
    name: 'Patients',
    description: 'A clinic’s patients, their contact consent and their coalition card.',
  },
  { name: 'Catalogue', description: 'The offers partners make available as gifts.' },
  {
    name: 'Vouchers',
    description:
      'Signed gift vouchers: issue, check and redeem at the counter exactly once, reverse, void; and the public keys that verify them offline.',
  },
  {
    name: 'Bonus points',
    description:
      'The coalition card’s account: each clinic’s rules, visits that earn, spending anywhere in the network, statements, the expiry call list with what came of each call, and a few figures of the clinic’s day.',
  },
  {
    name: 'Settlement',
    description:
      'Who owes whom each month: a line per redemption and reversal (with the network fee), statements per counterparty, closed months, CSV for accountants, and signed receipts every line can be checked against.',
  },
  {
    name: 'Audit',
    description: 'Every change, by whom (a staff member or an API key), on which record, and when.',
  },
  {
    name: 'Reports',
    description:
      'A clinic’s months in its own timezone: points issued, spent and expired and the liability left, gifts issued, redeemed and lapsed, visits and active patients; as JSON and CSV.',
  },
  {
    name: 'Feedback',
    description:
      'Satisfaction surveys (0-10 likelihood to recommend, what to improve, quotable words), the clinic’s NPS per month, and the suggestions board.',
  },
  {
    name: 'Questionnaires',
    description:
      'A clinic’s versioned questionnaire, patients’ answers (on their personal link or taken by staff) and the personal links themselves; consent given or withdrawn there is kept with the words shown and their version.',
  },
  {
    name: 'Segments',
    description:
      'Saved segments of a clinic’s patients as rules over what is known of them, with live counts, members, CSV and engagement month by month; a segment with a description is a persona.',
  },
  {
    name: 'Code words',
    description:
      'A clinic’s campaign words (“LAVENDER”) said at the desk, or one unique code per patient: what each gives (a discount on today’s visit, bonus points or a gift voucher), its window, limits and segment; applied exactly once per use, with the reason when it does not apply.',
  },
  {
    name: 'Insight',
    description:
      'What a clinic knows of each patient, pre-aggregated per patient: A/B/C by revenue with growth, the loyalty quadrant with its reasons, engagement and the win-back flag; the thresholds and gift budgets per class; distributions now, quadrant moves and cohorts’ engagement month by month, and the win-back list.',
  },
  {
    name: 'Referrals',
    description:
      'Each patient’s referral code and invite link, patients registered with a code (self-referral refused), the reward both patients get once on the referred patient’s first paid visit (capped per referrer a year), a patient’s referrals and the clinic’s referral tree.',
  },
  // VIP, birthdays and rewards (issue 12)
  {
    name: 'Loyalty settings',
    description:
      'A clinic’s offer settings: the referral reward and its yearly cap per referrer, the birthday reward and its plan item, and VIP (the segment that makes a patient VIP, the yearly gift limit, the perks); patients marked VIP by hand, and the list of VIPs.',
  },
  {
    name: 'Rewards',
    description:
      'What the offer rules gave a patient (referrals, every Nth visit, code words, birthdays), each written once per reason; a discount kept for a later visit is used exactly once.',
  },
  {
    name: 'Visit rewards',
    description:
      'Every-Nth-visit offers ("the 5th visit is on us"): rules, each patient’s punch cards, and the reversal of a paid visit recorded in error.',
  },
  {
    name: 'Plan',
    description:
      'The loyalty plan: per segment, how many interactions a year and of which kinds and channels (templates); per patient, dated items for the next 12 months with an owner, a channel, a purpose and a cost, adjusted by events (a visit closes a win-back, a detractor’s answer or expiring points add a call); every staff member’s agenda and iCalendar feed, the clinic’s coverage against its targets, the plan’s budget month by month, and the plan as CSV.',
  },
  {
    name: 'Messages',
    description:
      'Reaching the patient: the outbox of every message (written with the event that causes it, sent once through a queue with consent for its channel and purpose, outside quiet hours and under a monthly cap), its statuses and dead letters, the clinic’s delivery settings, and the provider callbacks and opt-outs.',
  },
  {
    name: 'Templates',
    description:
      'The words of each message kind per channel and language (ICU MessageFormat with variables), with a preview and the SMS length in segments.',
  },
  {
    name: 'Cards',
    description:
      'The patient’s card page: a signed link to the named card with its barcode and QR code, balance, next expiry, tier, progress and active gifts, and the holder’s photo.',
  },
];

/** The OpenAPI 3.1 document of every registered route, as served at /openapi.json. */
export function openApiDocument(app: App, baseUrl: string) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      ...OPENAPI_INFO,
      contact: { name: 'The network operator', url: `${baseUrl}/` },
      license: { name: 'Proprietary: use requires an API key from the network operator', url: `${baseUrl}/` },
    },
    servers: [{ url: baseUrl, description: 'This deployment' }],
    tags: OPENAPI_TAGS,
  });
  return polishDocument(app, doc);
}

export function registerOpenApi(app: App) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An organisation API key, or the operator token',
  });
  app.get('/openapi.json', (c) => {
    c.header('x-content-type-options', 'nosniff');
    c.header('cache-control', 'public, max-age=300');
    return c.json(openApiDocument(app, new URL(c.req.url).origin));
  });
  app.get('/docs', (c) => {
    // The reference runs no script and loads nothing: the same headers as every script-free page.
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.header(k, v);
    return c.html(renderApiReference(openApiDocument(app, new URL(c.req.url).origin)));
  });
}
