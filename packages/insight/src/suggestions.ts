import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Db,
  type Deps,
  type OrgPrincipal,
  patients,
  runBatch,
  type Suggestion,
  type SuggestionStatus,
  suggestions,
} from '@gratia/db';
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';

// The suggestions board: what patients said the clinic could do better, tracked from new to planned,
// implemented or declined. Implemented and declined are final. When a suggestion is implemented the
// patient is to be told: the change is recorded now (status_changed_at, with the clinic's reply), the
// patient sees it on their survey link page, and `notified_at` stays null until the outbox (issue 13)
// has delivered the message.

export type SuggestionMove = Exclude<SuggestionStatus, 'new'>;

/** The states a suggestion may move to each state from. */
export const MOVES_FROM: Readonly<Record<SuggestionMove, readonly SuggestionStatus[]>> = {
  planned: ['new'],
  implemented: ['new', 'planned'],
  declined: ['new', 'planned'],
};

export interface SuggestionView extends Suggestion {
  patient: { firstName: string; lastName: string };
}

const withPatient = (db: Db) =>
  db
    .select({ suggestion: suggestions, firstName: patients.firstName, lastName: patients.lastName })
    .from(suggestions)
    .innerJoin(patients, eq(patients.id, suggestions.patientId));

type Row = { suggestion: Suggestion; firstName: string; lastName: string };
const viewOf = (r: Row): SuggestionView => ({
  ...r.suggestion,
  patient: { firstName: r.firstName, lastName: r.lastName },
});

/** The clinic's suggestions, newest first, optionally of one status: a page from suggestions_clinic_idx. */
export async function listSuggestions(
  deps: Deps,
  input: {
    clinic: OrgPrincipal;
    status?: SuggestionStatus;
    before: { at: number; id: string } | null;
    limit: number;
  },
): Promise<{ items: SuggestionView[]; next: { at: number; id: string } | null }> {
  const s = suggestions;
  const where: SQL[] = [eq(s.clinicId, input.clinic.organizationId)];
  if (input.status) where.push(eq(s.status, input.status));
  const b = input.before;
  if (b) where.push(sql`(${s.createdAt} < ${b.at} or (${s.createdAt} = ${b.at} and ${s.id} < ${b.id}))`);
  const rows = await withPatient(deps.db)
    .where(and(...where))
    .orderBy(desc(s.createdAt), desc(s.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit).map(viewOf);
  const last = items[items.length - 1];
  return { items, next: rows.length > input.limit && last ? { at: last.createdAt, id: last.id } : null };
}

/** The board's columns as batch statements: the newest `perStatus` of each status. */
export const suggestionBoardStatements = (db: Db, clinicId: string, perStatus: number) => {
  const column = (status: SuggestionStatus) =>
    withPatient(db)
      .where(and(eq(suggestions.clinicId, clinicId), eq(suggestions.status, status)))
      .orderBy(desc(suggestions.createdAt), desc(suggestions.id))
      .limit(perStatus);
  return {
    new: column('new'),
    planned: column('planned'),
    implemented: column('implemented'),
    declined: column('declined'),
  };
};

export type SuggestionBoard = Record<SuggestionStatus, SuggestionView[]>;
export const boardOf = (out: Record<SuggestionStatus, Row[]>): SuggestionBoard => ({
  new: out.new.map(viewOf),
  planned: out.planned.map(viewOf),
  implemented: out.implemented.map(viewOf),
  declined: out.declined.map(viewOf),
});

const notFound = (id: string): Refusal<'suggestion_not_found'> => ({
  code: 'suggestion_not_found',
  detail: `No suggestion ${id}`,
});

/**
 * Moves one of the clinic's suggestions on the board (with the clinic's reply, if any), with an audit
 * entry, in one batch: a guarded update that applies only from a state the move is allowed from.
 * Another clinic's suggestion is not found; a move from a final state (or to the state it is in) is
 * `invalid_transition`.
 */
export async function moveSuggestion(
  deps: Deps,
  input: { clinic: OrgPrincipal; suggestionId: string; status: SuggestionMove; reply?: string | null },
): Promise<Result<SuggestionView, Refusal<'suggestion_not_found' | 'invalid_transition'>>> {
  if (!isId('sug', input.suggestionId)) return err(notFound(input.suggestionId));
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const from = MOVES_FROM[input.status];
  const reply = input.reply?.trim() || null;
  const mine = and(eq(suggestions.id, input.suggestionId), eq(suggestions.clinicId, clinicId));
  const movable = and(mine, inArray(suggestions.status, [...from]));
  const out = await runBatch(db, {
    // Before the update, under its own guard: in the batch's transaction it holds exactly when it applies.
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'suggestion.move',
      subject: { type: 'suggestion', id: input.suggestionId },
      patientId: sql`(select s.patient_id from suggestions s where s.id = ${input.suggestionId})`,
      detail: sql`json_object('from', (select s.status from suggestions s where s.id = ${input.suggestionId}),
        'to', ${input.status})`,
      when: sql`exists (select 1 from suggestions s where s.id = ${input.suggestionId}
        and s.clinic_id = ${clinicId} and s.status in (${sql.join(
          from.map((f) => sql`${f}`),
          sql`, `,
        )}))`,
      at: now,
    }),
    moved: db
      .update(suggestions)
      .set({
        status: input.status,
        statusChangedAt: now,
        ...(reply !== null ? { reply } : {}),
      })
      .where(movable)
      .returning({ id: suggestions.id }),
    after: withPatient(db).where(mine),
  });
  const row = out.after[0];
  if (!row) return err(notFound(input.suggestionId));
  if (out.moved.length === 0)
    return err({
      code: 'invalid_transition',
      detail: `The suggestion is ${row.suggestion.status}: it cannot become ${input.status}`,
    });
  return ok(viewOf(row));
}
