import type { PlanChannel, PlanKind } from '@gratia/db';

// The words for a plan's kinds and channels, shared by the console, the calendar feed and the CSV.

export const PLAN_KIND_TEXT: Record<PlanKind, string> = {
  thank_you: 'thank-you after a visit',
  birthday: 'birthday',
  points_expiring: 'points expiring',
  survey_request: 'survey request',
  new_service: 'news of a new service',
  event_invitation: 'event invitation',
  personal_gift: 'personal gift',
  recommendation_request: 'recommendation request',
  win_back: 'win-back',
  detractor_follow_up: 'follow-up of a detractor',
};

export const PLAN_CHANNEL_TEXT: Record<PlanChannel, string> = {
  call: 'call',
  sms: 'SMS',
  email: 'e-mail',
  in_person: 'in person',
  gift: 'gift',
};

/** What to do, as a calendar's title starts: "Call", "Text", "E-mail", "See", "Gift for". */
export const PLAN_CHANNEL_VERB: Record<PlanChannel, string> = {
  call: 'Call',
  sms: 'Text',
  email: 'E-mail',
  in_person: 'See',
  gift: 'Gift for',
};

/** "Dana M.": a first name and an initial, all an agenda's title needs. */
export const shortName = (first: string, last: string) =>
  `${first}${last.trim() ? ` ${last.trim().charAt(0).toUpperCase()}.` : ''}`;
