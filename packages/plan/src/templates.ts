import { err, type FieldError, isId, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Db,
  type Deps,
  type OrgPrincipal,
  offers,
  PLAN_CHANNELS,
  PLAN_KINDS,
  type PlanChannel,
  type PlanKind,
  type PlanMixLine,
  type PlanTemplate,
  patientPlans,
  patients,
  planItems,
  planTemplates,
  runBatch,
  type StaffRole,
  segments,
  staffRefusal,
} from '@gratia/db';
import { MEMBER_FROM, meetsRules } from '@gratia/insight';
import { and, asc, count, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import { MAX_PER_YEAR } from './generate';

// Plan templates: per segment, how many interactions a year and of which kinds and channels. A segment
// is an A/B/C class (`A`, `B`, `C`, read from patient_insight.abc_class) or a custom segment (`seg_...`):
// a patient in a custom segment with a template takes that template (highest priority first), else
// their class's; a class the clinic has not set uses the defaults (A 9, B 7, C 4). Saving bumps the
// version and says who set it; deleting goes back to the default. Owners and managers keep templates;
// an API key acts for the clinic.

export const PLAN_KEEPERS: readonly StaffRole[] = ['owner', 'manager'];
export const CLASS_KEYS = ['A', 'B', 'C'] as const;
export type ClassKey = (typeof CLASS_KEYS)[number];
/** Kinds a template may plan: a detractor's follow-up is added by the survey answer itself. */
export const TEMPLATE_KINDS = PLAN_KINDS.filter((k) => k !== 'detractor_follow_up');
export const MAX_MIX_LINES = 20;

const line = (kind: PlanKind, channel: PlanChannel, count = 1): PlanMixLine => ({ kind, channel, count });

/** The defaults: a sensible mix per class, the clinic's own until it sets one. */
export const DEFAULT_MIXES: Record<ClassKey, PlanMixLine[]> = {
  A: [
    line('thank_you', 'sms'),
    line('birthday', 'call'),
    line('survey_request', 'email'),
    line('personal_gift', 'gift'),
    line('new_service', 'email'),
    line('recommendation_request', 'call'),
    line('event_invitation', 'email'),
    line('thank_you', 'in_person'),
    line('event_invitation', 'in_person'),
  ],
  B: [
    line('thank_you', 'sms'),
    line('birthday', 'call'),
    line('survey_request', 'email'),
    line('new_service', 'email'),
    line('recommendation_request', 'call'),
    line('event_invitation', 'email'),
    line('thank_you', 'in_person'),
  ],
  C: [
    line('thank_you', 'sms'),
    line('birthday', 'sms'),
    line('survey_request', 'email'),
    line('new_service', 'email'),
  ],
};

export const KIND_LABEL: Record<PlanKind, string> = {
  thank_you: 'Thank-you after a visit',
  birthday: 'Birthday wishes',
  points_expiring: 'Points expiring',
  survey_request: 'Survey request',
  new_service: 'News of a new service',
  event_invitation: 'Event invitation',
  personal_gift: 'Personal gift',
  recommendation_request: 'Recommendation request',
  win_back: 'Win-back',
  detractor_follow_up: 'Follow-up of a low survey score',
};
export const CHANNEL_LABEL: Record<PlanChannel, string> = {
  call: 'Call',
  sms: 'SMS',
  email: 'E-mail',
  in_person: 'In person',
  gift: 'Gift',
};

export interface TemplateView {
  /** null for a default the clinic has not saved. */
  id: string | null;
  segmentKey: string;
  name: string;
  priority: number;
  interactionsPerYear: number;
  mix: PlanMixLine[];
  /** 0 for a default. */
  version: number;
  isDefault: boolean;
  updatedByStaffId: string | null;
  updatedAt: number | null;
}

const sum = (mix: readonly PlanMixLine[]) => mix.reduce((n, l) => n + l.count, 0);

export const defaultTemplate = (key: ClassKey): TemplateView => ({
  id: null,
  segmentKey: key,
  name: `Class ${key}`,
  priority: 0,
  interactionsPerYear: sum(DEFAULT_MIXES[key]),
  mix: DEFAULT_MIXES[key],
  version: 0,
  isDefault: true,
  updatedByStaffId: null,
  updatedAt: null,
});

export const templateView = (t: PlanTemplate): TemplateView => ({
  id: t.id,
  segmentKey: t.segmentKey,
  name: t.name,
  priority: t.priority,
  interactionsPerYear: t.interactionsPerYear,
  mix: t.mix,
  version: t.version,
  isDefault: false,
  updatedByStaffId: t.updatedByStaffId,
  updatedAt: t.updatedAt,
});

export const isClassKey = (key: string): key is ClassKey => (CLASS_KEYS as readonly string[]).includes(key);
export const isSegmentKey = (key: string) => isClassKey(key) || isId('seg', key);

const templatesOf = (db: Db, clinicId: string) =>
  db
    .select()
    .from(planTemplates)
    .where(eq(planTemplates.clinicId, clinicId))
    .orderBy(asc(planTemplates.segmentKey));
const liveSegmentsOf = (db: Db, clinicId: string) =>
  db
    .select({ id: segments.id, name: segments.name })
    .from(segments)
    .where(and(eq(segments.clinicId, clinicId), isNull(segments.archivedAt)))
    .orderBy(asc(segments.name));

export interface TemplateList {
  /** The classes (saved or default) first, then the custom segments' by priority. */
  templates: TemplateView[];
  /** The clinic's live custom segments, for naming and for adding a template to one. */
  segments: { id: string; name: string }[];
}

/** Orders a clinic's templates as it reads them: A, B, C (defaults filled in), then custom by priority. */
export function listOf(saved: PlanTemplate[]): TemplateView[] {
  const views = saved.map(templateView);
  const classes = CLASS_KEYS.map((k) => views.find((v) => v.segmentKey === k) ?? defaultTemplate(k));
  const custom = views
    .filter((v) => !isClassKey(v.segmentKey))
    .sort((a, b) => b.priority - a.priority || (a.segmentKey < b.segmentKey ? -1 : 1));
  return [...classes, ...custom];
}

/** The clinic's templates, defaults filled in, and its segments: one round trip. */
export async function readPlanTemplates(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<Result<TemplateList, Refusal<'forbidden'>>> {
  const refused = staffRefusal(input.clinic, PLAN_KEEPERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    templates: templatesOf(db, clinicId),
    segments: liveSegmentsOf(db, clinicId),
  });
  return ok({ templates: listOf(read.templates), segments: read.segments });
}

export interface TemplateInput {
  clinic: OrgPrincipal;
  segmentKey: string;
  name?: string | null;
  priority?: number;
  interactionsPerYear: number;
  mix: PlanMixLine[];
}

/** What is wrong with a template's numbers and mix, by field (empty: nothing). */
export function checkTemplate(
  i: Pick<TemplateInput, 'interactionsPerYear' | 'mix' | 'priority'>,
): FieldError[] {
  const errors: FieldError[] = [];
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
  if (!whole(i.interactionsPerYear) || i.interactionsPerYear < 1 || i.interactionsPerYear > MAX_PER_YEAR)
    errors.push({
      path: 'interactions_per_year',
      message: `must be a whole number from 1 to ${MAX_PER_YEAR} (items are planned 14 days apart or more)`,
    });
  if (i.priority !== undefined && (!whole(i.priority) || i.priority < 0 || i.priority > 1000))
    errors.push({ path: 'priority', message: 'must be a whole number from 0 to 1000' });
  if (i.mix.length < 1 || i.mix.length > MAX_MIX_LINES)
    errors.push({ path: 'mix', message: `must have 1 to ${MAX_MIX_LINES} lines` });
  i.mix.forEach((l, n) => {
    if (!(TEMPLATE_KINDS as readonly string[]).includes(l.kind))
      errors.push({ path: `mix.${n}.kind`, message: `must be one of ${TEMPLATE_KINDS.join(', ')}` });
    if (!(PLAN_CHANNELS as readonly string[]).includes(l.channel))
      errors.push({ path: `mix.${n}.channel`, message: `must be one of ${PLAN_CHANNELS.join(', ')}` });
    if (!whole(l.count) || l.count < 1 || l.count > MAX_PER_YEAR)
      errors.push({ path: `mix.${n}.count`, message: `must be a whole number from 1 to ${MAX_PER_YEAR}` });
    if ((l.offer_id != null || l.cost_amount != null) && l.channel !== 'gift')
      errors.push({ path: `mix.${n}.offer_id`, message: 'only a gift line names an offer or a cost' });
    if (l.cost_amount != null && (!whole(l.cost_amount) || l.cost_amount < 0 || l.cost_amount > 100_000_000))
      errors.push({ path: `mix.${n}.cost_amount`, message: 'must be a whole amount in minor units ≥ 0' });
  });
  const birthdays = i.mix.filter((l) => l.kind === 'birthday').reduce((n, l) => n + l.count, 0);
  if (birthdays > 1) errors.push({ path: 'mix', message: 'a birthday comes once a year: at most one' });
  if (errors.length === 0 && sum(i.mix) !== i.interactionsPerYear)
    errors.push({
      path: 'mix',
      message: `the counts add up to ${sum(i.mix)}, not ${i.interactionsPerYear} interactions a year`,
    });
  return errors;
}

type SaveRefusal = Refusal<
  | 'forbidden'
  | 'validation_failed'
  | 'segment_not_found'
  | 'offer_not_found'
  | 'offer_inactive'
  | 'currency_mismatch'
  | 'unauthorized'
>;

export const keyLive = (keyId: string) =>
  sql`exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`;

const keyIsLive = async (db: Db, keyId: string) =>
  (
    await db
      .select({ one: sql<number>`1` })
      .from(sql`api_keys`)
      .where(sql`id = ${keyId} and revoked_at is null`)
  ).length > 0;

/**
 * Saves a segment's template (version + 1 on each save, with who set it) with an audit entry: the
 * read (the segment, the offers named) and the write are one round trip each. A gift line's offer must
 * be active and priced in the clinic's currency; its price becomes the line's cost.
 */
export async function savePlanTemplate(
  deps: Deps,
  input: TemplateInput,
): Promise<Result<TemplateView, SaveRefusal>> {
  const refused = staffRefusal(input.clinic, PLAN_KEEPERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const key = input.segmentKey;
  if (!isSegmentKey(key))
    return err({ code: 'segment_not_found', detail: `No segment ${key}: use A, B, C or a segment id` });
  const errors = checkTemplate(input);
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The template is not valid', errors });
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const currency = input.clinic.organization.currency;
  const offerIds = [...new Set(input.mix.flatMap((l) => (l.offer_id ? [l.offer_id] : [])))];
  const mine = and(eq(planTemplates.clinicId, clinicId), eq(planTemplates.segmentKey, key));
  const read = await runBatch(db, {
    existing: db.select({ id: planTemplates.id }).from(planTemplates).where(mine),
    segment: db
      .select({ id: segments.id, name: segments.name })
      .from(segments)
      .where(and(eq(segments.id, key), eq(segments.clinicId, clinicId), isNull(segments.archivedAt))),
    offers: db
      .select({ id: offers.id, active: offers.active, currency: offers.currency, price: offers.priceAmount })
      .from(offers)
      .where(inArray(offers.id, offerIds.length ? offerIds : [''])),
  });
  if (!isClassKey(key) && read.segment.length === 0)
    return err({ code: 'segment_not_found', detail: `No segment ${key}` });
  const mix: PlanMixLine[] = [];
  for (const [n, l] of input.mix.entries()) {
    const out: PlanMixLine = { kind: l.kind, channel: l.channel, count: l.count };
    if (l.offer_id) {
      const offer = read.offers.find((o) => o.id === l.offer_id);
      if (!offer) return err({ code: 'offer_not_found', detail: `No offer ${l.offer_id} (mix.${n})` });
      if (!offer.active) return err({ code: 'offer_inactive', detail: `Offer ${offer.id} is not active` });
      if (offer.currency !== currency)
        return err({
          code: 'currency_mismatch',
          detail: `Offer ${offer.id} is priced in ${offer.currency}, the clinic plans in ${currency}`,
        });
      out.offer_id = offer.id;
      out.cost_amount = offer.price;
    } else if (l.cost_amount != null) out.cost_amount = l.cost_amount;
    mix.push(out);
  }
  const name = input.name?.trim() || (isClassKey(key) ? `Class ${key}` : read.segment[0]!.name);
  const priority = isClassKey(key) ? 0 : (input.priority ?? 0);
  const id = read.existing[0]?.id ?? newId('plt', now);
  const staffId = input.clinic.staff?.id ?? null;
  const keyId = input.clinic.keyId;
  const mixJson = JSON.stringify(mix);
  const out = await runBatch(db, {
    save: db
      .insert(planTemplates)
      .select(
        sql`select ${id}, ${clinicId}, ${key}, ${name}, ${priority}, ${input.interactionsPerYear}, ${mixJson},
            1, ${staffId}, ${keyId}, ${now}, ${now} where ${keyLive(keyId)}`,
      )
      .onConflictDoUpdate({
        target: [planTemplates.clinicId, planTemplates.segmentKey],
        set: {
          name,
          priority,
          interactionsPerYear: input.interactionsPerYear,
          mix: sql`excluded.mix`,
          version: sql`${planTemplates.version} + 1`,
          updatedByStaffId: staffId,
          apiKeyId: keyId,
          updatedAt: now,
        },
      }),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'plan_template.save',
      subject: { type: 'plan_template', id },
      detail: sql`json_object('segment_key', ${key}, 'interactions_per_year', ${input.interactionsPerYear},
        'version', (select t.version from plan_templates t where t.id = ${id}))`,
      when: sql`exists (select 1 from plan_templates t where t.id = ${id} and t.updated_at = ${now})`,
      at: now,
    }),
    after: db.select().from(planTemplates).where(mine),
  });
  const saved = out.after[0];
  if (!saved || saved.updatedAt !== now)
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return ok(templateView(saved));
}

/** Takes a segment back to the default (a class) or to no template of its own (a custom segment). */
export async function resetPlanTemplate(
  deps: Deps,
  input: { clinic: OrgPrincipal; segmentKey: string },
): Promise<Result<TemplateView | null, Refusal<'forbidden' | 'plan_template_not_found' | 'unauthorized'>>> {
  const refused = staffRefusal(input.clinic, PLAN_KEEPERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const key = input.segmentKey;
  const notFound = err({
    code: 'plan_template_not_found' as const,
    detail: `The clinic has no template of its own for ${key}`,
  });
  if (!isSegmentKey(key)) return notFound;
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const [row] = await db
    .select({ id: planTemplates.id })
    .from(planTemplates)
    .where(and(eq(planTemplates.clinicId, clinicId), eq(planTemplates.segmentKey, key)));
  if (!row) return notFound;
  const live = keyLive(input.clinic.keyId);
  const found = sql`exists (select 1 from plan_templates t where t.id = ${row.id})`;
  const out = await runBatch(db, {
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'plan_template.reset',
      subject: { type: 'plan_template', id: row.id },
      detail: { segment_key: key },
      when: found,
      at: now,
    }),
    // Plans and items made from it keep what they planned; they no longer point at the template.
    items: db
      .update(planItems)
      .set({ templateId: null })
      .where(and(eq(planItems.templateId, row.id), live)),
    plans: db
      .update(patientPlans)
      .set({ templateId: null })
      .where(and(eq(patientPlans.templateId, row.id), live)),
    remove: db
      .delete(planTemplates)
      .where(and(eq(planTemplates.id, row.id), live))
      .returning({ id: planTemplates.id }),
  });
  if (out.remove.length === 0) {
    if (await keyIsLive(db, input.clinic.keyId)) return notFound;
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  }
  return ok(isClassKey(key) ? defaultTemplate(key) : null);
}

/**
 * The template a patient's plan follows, as batchable reads: their custom segments' templates (the
 * highest priority one they meet), the classes' saved templates, and their class.
 */
export function patientTemplateReads(db: Db, clinicId: string, patientId: string, now: number) {
  return {
    customTemplate: db
      .select()
      .from(planTemplates)
      .where(
        sql`${planTemplates.clinicId} = ${clinicId} and ${planTemplates.segmentKey} like 'seg\\_%' escape '\\'
          and exists (select 1 from segments s where s.id = ${planTemplates.segmentKey}
            and s.clinic_id = ${clinicId} and s.archived_at is null
            and exists (select 1 from ${MEMBER_FROM} where p.id = ${patientId} and ${meetsRules(sql.raw('s.rules'), now)}))`,
      )
      .orderBy(sql`${planTemplates.priority} desc`, asc(planTemplates.segmentKey))
      .limit(1),
    classTemplates: db
      .select()
      .from(planTemplates)
      .where(and(eq(planTemplates.clinicId, clinicId), inArray(planTemplates.segmentKey, [...CLASS_KEYS]))),
  };
}

/** The template that applies: a custom segment's, else the class's (saved or default; no class: C). */
export function templateFor(
  reads: { customTemplate: PlanTemplate[]; classTemplates: PlanTemplate[] },
  abcClass: string | null,
): TemplateView {
  const custom = reads.customTemplate[0];
  if (custom) return templateView(custom);
  const cls: ClassKey = abcClass && isClassKey(abcClass) ? abcClass : 'C';
  const saved = reads.classTemplates.find((t) => t.segmentKey === cls);
  return saved ? templateView(saved) : defaultTemplate(cls);
}

export interface PlanStatus {
  patients: number;
  withPlan: number;
  lastGeneratedAt: number | null;
}

/** How many of a clinic's patients have a plan, and when plans were last generated, as batchable reads. */
export const planStatusReads = (db: Db, clinicId: string) => ({
  statusPatients: db
    .select({ n: count().as('patients_count') })
    .from(patients)
    .where(eq(patients.clinicId, clinicId)),
  statusPlans: db
    .select({ n: count().as('plans_count'), last: max(patientPlans.generatedAt).as('last_generated') })
    .from(patientPlans)
    .where(eq(patientPlans.clinicId, clinicId)),
});

export const planStatusOf = (r: {
  statusPatients: { n: number }[];
  statusPlans: { n: number; last: number | null }[];
}): PlanStatus => ({
  patients: r.statusPatients[0]?.n ?? 0,
  withPlan: r.statusPlans[0]?.n ?? 0,
  lastGeneratedAt: r.statusPlans[0]?.last ?? null,
});

export interface TemplateEditor extends TemplateList {
  /** Active offers priced in the clinic's currency: what a gift line may plan. */
  offers: { id: string; title: string; price: number }[];
  status: PlanStatus;
}

/** The templates page and its editor: templates, segments and giftable offers in one round trip. */
export async function readTemplateEditor(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<Result<TemplateEditor, Refusal<'forbidden'>>> {
  const refused = staffRefusal(input.clinic, PLAN_KEEPERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    templates: templatesOf(db, clinicId),
    segments: liveSegmentsOf(db, clinicId),
    offers: db
      .select({ id: offers.id, title: offers.title, price: offers.priceAmount })
      .from(offers)
      .where(and(eq(offers.active, true), eq(offers.currency, input.clinic.organization.currency)))
      .orderBy(asc(offers.title))
      .limit(200),
    ...planStatusReads(db, clinicId),
  });
  return ok({
    templates: listOf(read.templates),
    segments: read.segments,
    offers: read.offers,
    status: planStatusOf(read),
  });
}
