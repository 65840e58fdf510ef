import type { MessageChannel, MessageKind, PatientLocale } from '@gratia/db';
import { DEFAULT_TEMPLATES, MESSAGE_VARIABLES, type TemplateText } from './default-templates';
import { formatDay, formatIcu, formatMoney, formatNumber, type Vars } from './i18n';

// A message's text: the clinic's template for its kind, channel and language (else the default),
// formatted with the message's variables in the patient's language. Variables are stored raw and
// formatted here, so a message reads right in whatever language it is sent in:
// - `*_date` holding a calendar day (YYYY-MM-DD) becomes a long date ("3 March 2027", "3 марта 2027 г.");
// - `*_minor` (money in minor units) with `currency` becomes `*` as money ("€12.50", "12,50 €");
// - `points` stays a number for ICU plurals, and `points_text` is it grouped ("1,250").

export function defaultTemplate(
  kind: MessageKind,
  channel: MessageChannel,
  locale: PatientLocale,
): TemplateText {
  return DEFAULT_TEMPLATES[locale][kind][channel];
}

export function messageVars(vars: Vars, locale: PatientLocale): Vars {
  const out: Vars = { ...vars };
  for (const [k, v] of Object.entries(vars)) {
    if (k.endsWith('_date') && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v))
      out[k] = formatDay(v, locale);
    if (k.endsWith('_minor') && typeof v === 'number' && typeof vars.currency === 'string')
      out[k.slice(0, -'_minor'.length)] = formatMoney(v, vars.currency, locale);
  }
  if (typeof vars.points === 'number') out.points_text = formatNumber(vars.points, locale);
  return out;
}

/** The subject (e-mail) and body a message is sent with. Throws on a template that does not parse. */
export function renderMessage(input: {
  kind: MessageKind;
  channel: MessageChannel;
  locale: PatientLocale;
  vars: Vars;
  /** The clinic's own template, if it has one for this kind, channel and language. */
  template?: TemplateText | null;
}): { subject: string | null; body: string } {
  const t = input.template ?? defaultTemplate(input.kind, input.channel, input.locale);
  // A variable the producer did not give reads as empty (a `select` then takes its `other` branch)
  // rather than failing the message: e.g. a referral reward written before `side` existed.
  const given: Vars = { first_name: '', clinic_name: '' };
  for (const k of MESSAGE_VARIABLES[input.kind]) given[k] = '';
  const vars = messageVars({ ...given, ...input.vars }, input.locale);
  return {
    subject: input.channel === 'email' && t.subject ? formatIcu(t.subject, input.locale, vars) : null,
    body: formatIcu(t.body, input.locale, vars),
  };
}
