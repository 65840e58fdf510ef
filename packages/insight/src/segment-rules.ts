import { DAY_MS, formatMoney } from '@gratia/core';
import {
  ABC_CLASSES,
  GROWTH,
  QUADRANTS,
  type SegmentField,
  type SegmentOp,
  type SegmentRule,
} from '@gratia/db';
import { type SQL, sql } from 'drizzle-orm';

// A saved segment's rules, all of which a member meets, over what is known of each patient: the
// patient row `p`, their insight row `i` (patient_insight) and their card `a` (point_accounts), both
// LEFT JOINed, so a patient without them is read as zeros (no spend, no visits, quadrant "unknown")
// and is never silently dropped.
//
// The rules are evaluated in SQL from their JSON (one bound parameter, or the segments row's own
// column), by one predicate that knows every field and operator: the same semantics whether a count
// previews unsaved rules, a page lists members, or one statement counts every segment of a clinic at
// once (so a list of segments with live counts is one query, not one per segment). No value is ever
// written into the SQL text; a rule the predicate does not know (a stored rule of a field since
// removed) holds for no one.

/** The limits of a rule set: few enough rules and list items for a person to read, and for SQL to evaluate cheaply. */
export const MAX_SEGMENT_RULES = 20;
export const MAX_SEGMENT_LIST = 12;

/** What a rule's value is, per field. */
export type SegmentValueKind =
  | 'tag'
  | 'answer'
  | 'money'
  | 'days'
  | 'count'
  | 'points'
  | 'abc'
  | 'growth'
  | 'quadrant'
  | 'branch'
  | 'month'
  | 'boolean'
  | 'score';

export interface SegmentFieldSpec {
  label: string;
  ops: readonly SegmentOp[];
  kind: SegmentValueKind;
  /** The field needs a key: the question id (answer) or the channel (consent). */
  key?: 'question' | 'channel';
  /** The closed set of values, where there is one. */
  values?: readonly string[];
}

/** Every field a rule may test, with the operators it takes and what its value is. */
export const SEGMENT_FIELD_SPECS: Readonly<Record<SegmentField, SegmentFieldSpec>> = {
  tag: { label: 'Tag (staff or preference)', ops: ['has', 'lacks'], kind: 'tag' },
  answer: {
    label: 'Questionnaire answer',
    ops: ['is', 'is_not', 'has', 'gte', 'lte'],
    kind: 'answer',
    key: 'question',
  },
  lifetime_spend: { label: 'Lifetime spend', ops: ['gte', 'lte'], kind: 'money' },
  spend_12m: { label: 'Spend in the last 12 months', ops: ['gte', 'lte'], kind: 'money' },
  last_visit_days: { label: 'Days since the last visit', ops: ['gte', 'lte', 'is'], kind: 'days' },
  visits_12m: { label: 'Visits in the last 12 months', ops: ['gte', 'lte', 'is'], kind: 'count' },
  points_balance: { label: 'Points balance', ops: ['gte', 'lte'], kind: 'points' },
  points_expiring_days: { label: 'Points expiring within (days)', ops: ['lte'], kind: 'days' },
  abc: { label: 'A/B/C class', ops: ['is', 'is_not', 'in'], kind: 'abc', values: ABC_CLASSES },
  growth: { label: 'Spend growth', ops: ['is', 'is_not', 'in'], kind: 'growth', values: GROWTH },
  quadrant: { label: 'Loyalty quadrant', ops: ['is', 'is_not', 'in'], kind: 'quadrant', values: QUADRANTS },
  branch: { label: 'Preferred branch', ops: ['is', 'is_not'], kind: 'branch' },
  birth_month: { label: 'Birthday month', ops: ['is', 'in'], kind: 'month' },
  consent: { label: 'Consent', ops: ['is'], kind: 'boolean', key: 'channel', values: ['email', 'sms'] },
  engagement: { label: 'Engagement (0-100)', ops: ['gte', 'lte', 'is'], kind: 'score' },
  win_back: { label: 'On the win-back list', ops: ['is'], kind: 'boolean' },
};

export const SEGMENT_OP_WORDS: Readonly<Record<SegmentOp, string>> = {
  is: 'is',
  is_not: 'is not',
  gte: 'at least',
  lte: 'at most',
  in: 'is one of',
  has: 'has',
  lacks: 'lacks',
};

/** A question id as a rule names it: safe inside a JSON path's quotes. */
export const QUESTION_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

// ---------------------------------------------------------------------------------------------------
// The predicate

const FIELD = sql.raw(`json_extract(r.value, '$.field')`);
const OP = sql.raw(`json_extract(r.value, '$.op')`);
const VALUE = sql.raw(`json_extract(r.value, '$.value')`);
const KEY = sql.raw(`json_extract(r.value, '$.key')`);
/** The answer a rule names, as the patient's latest answers hold it (the key is a checked question id). */
const ANSWER_PATH = sql.raw(`'$."' || json_extract(r.value, '$.key') || '"'`);

/** The value of the patient a scalar rule compares (null: unknown, and then only `is_not` holds). */
const subject = (now: number) => sql`(case ${FIELD}
  when 'lifetime_spend' then coalesce(i.lifetime_spend, 0)
  when 'spend_12m' then coalesce(i.spend_12m, 0)
  when 'last_visit_days' then cast((${now} - i.last_visit_at) / ${DAY_MS} as integer)
  when 'visits_12m' then coalesce(i.visits_12m, 0)
  when 'points_balance' then coalesce(a.balance, 0)
  when 'points_expiring_days' then (a.next_expiry_at - ${now}) * 1.0 / ${DAY_MS}
  when 'abc' then i.abc_class
  when 'growth' then i.growth
  when 'quadrant' then coalesce(i.quadrant, 'unknown')
  when 'branch' then i.preferred_branch_id
  when 'birth_month' then coalesce(i.birth_month, cast(nullif(substr(p.birth_date, 6, 2), '') as integer))
  when 'consent' then case ${KEY} when 'email' then p.consent_email when 'sms' then p.consent_sms end
  when 'engagement' then coalesce(i.engagement, 0)
  when 'win_back' then coalesce(i.win_back, 0)
  when 'answer' then json_extract(i.answers, ${ANSWER_PATH})
end)`;

/** Whether the patient meets the rule `r` (a row of json_each over the rules): 1, or 0 / null. */
const ruleHolds = (now: number) => {
  const x = subject(now);
  return sql`(case
  when ${FIELD} = 'tag' then (${VALUE} in (select t.value from json_each(p.tags) t
      union all select t.value from json_each(i.preference_tags) t)) = (${OP} = 'has')
  when ${FIELD} = 'answer' and ${OP} = 'has'
    then ${VALUE} in (select h.value from json_each(i.answers, ${ANSWER_PATH}) h)
  when ${OP} = 'is' then ${x} = ${VALUE}
  when ${OP} = 'is_not' then ${x} is not ${VALUE}
  when ${OP} = 'gte' then ${x} >= ${VALUE}
  when ${OP} = 'lte' then ${x} <= ${VALUE}
  when ${OP} = 'in' then ${x} in (select e.value from json_each(r.value, '$.value') e)
end)`;
};

/**
 * The condition "the patient meets every rule", over `patients p left join patient_insight i left join
 * point_accounts a` (MEMBER_FROM). `rules` is the rule set's JSON: a bound parameter
 * (`rulesParam(rules)`) or a column (`s.rules`). An empty rule set is everyone.
 */
export const meetsRules = (rules: SQL, now: number) =>
  sql`not exists (select 1 from json_each(${rules}) r where not coalesce(${ruleHolds(now)}, 0))`;

/** A rule set as one bound parameter. */
export const rulesParam = (rules: readonly SegmentRule[]) => sql`${JSON.stringify(rules)}`;

/** The patients a segment reads, each with their insight row and card (either may be missing). */
export const MEMBER_FROM = sql.raw(`patients p
  left join patient_insight i on i.patient_id = p.id
  left join point_accounts a on a.patient_id = p.id`);

/** How many of the clinic's patients meet `rules`: read by patients_clinic_idx, the clinic's rows only. */
export const memberCount = (clinicId: SQL | string, rules: SQL, now: number) =>
  sql<number>`(select count(*) from ${MEMBER_FROM} where p.clinic_id = ${clinicId} and ${meetsRules(rules, now)})`;

// ---------------------------------------------------------------------------------------------------
// In words

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A rule as a person reads it: "Spent at least €500.00 in the last 12 months", "Quadrant is apostle". */
export function ruleInWords(
  rule: SegmentRule,
  ctx: { currency: string; branchName?: (id: string) => string | undefined },
): string {
  const op = SEGMENT_OP_WORDS[rule.op];
  const list = (v: SegmentRule['value']) => (Array.isArray(v) ? v.map(String) : [String(v)]);
  const oneOf = (words: string[]) => (words.length > 1 ? `one of ${words.join(', ')}` : (words[0] ?? ''));
  const n = typeof rule.value === 'number' ? rule.value : Number(rule.value);
  const money = () => formatMoney(n, ctx.currency);
  const days = n === 1 ? '1 day' : `${n} days`;
  switch (rule.field) {
    case 'tag':
      return rule.op === 'has' ? `Tagged “${rule.value}”` : `Not tagged “${rule.value}”`;
    case 'answer':
      return `Answer to “${rule.key}” ${rule.op === 'has' ? 'includes' : op} “${rule.value}”`;
    case 'lifetime_spend':
      return `Spent ${op} ${money()} in all`;
    case 'spend_12m':
      return `Spent ${op} ${money()} in the last 12 months`;
    case 'last_visit_days':
      return rule.op === 'gte'
        ? `Last visit at least ${days} ago`
        : rule.op === 'lte'
          ? `Last visit within the last ${days}`
          : `Last visit exactly ${days} ago`;
    case 'visits_12m':
      return `Visited ${op} ${n} ${n === 1 ? 'time' : 'times'} in the last 12 months`;
    case 'points_balance':
      return `Points balance ${op} ${n.toLocaleString('en-GB')}`;
    case 'points_expiring_days':
      return `Points expiring within ${days}`;
    case 'abc':
      return rule.op === 'in'
        ? `A/B/C class is ${oneOf(list(rule.value))}`
        : `A/B/C class ${op} ${rule.value}`;
    case 'growth':
      return rule.op === 'in'
        ? `Spend growth is ${oneOf(list(rule.value))}`
        : `Spend growth ${op} ${rule.value}`;
    case 'quadrant':
      return rule.op === 'in' ? `Quadrant is ${oneOf(list(rule.value))}` : `Quadrant ${op} ${rule.value}`;
    case 'branch': {
      const id = String(rule.value);
      return `Preferred branch ${op} ${ctx.branchName?.(id) ?? id}`;
    }
    case 'birth_month': {
      const names = list(rule.value).map((m) => MONTHS[Number(m) - 1] ?? m);
      return `Birthday in ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]}`;
    }
    case 'consent': {
      const channel = rule.key === 'sms' ? 'SMS' : 'e-mail';
      return rule.value ? `Agreed to ${channel}` : `Has not agreed to ${channel}`;
    }
    case 'engagement':
      return `Engagement ${op} ${n}`;
    case 'win_back':
      return rule.value ? 'On the win-back list' : 'Not on the win-back list';
  }
}
