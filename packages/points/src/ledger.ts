import { type Db, type PointTxnType, pointEntries } from '@gratia/db';
import { type SQL, sql } from 'drizzle-orm';

// The double-entry side of every movement. Each transaction inserts a pair of entries whose points
// sum to zero: the card's patient account on one side, and on the other the issuing clinic's
// liability (accrual, points honoured by the issuer itself), a honouring party's receivable from the
// issuer (points spent elsewhere), or expiry. The pair is read from the row that was just written in
// the same batch (a visit, redemption, reversal or lot), so a guard that refused the movement
// leaves no entries behind.

export interface PointMoney {
  /** Minor units of `currency` one point is worth. */
  pointValue: number;
  currency: string;
}

/**
 * The two entries of one transaction, inserted from `source` (a FROM ... WHERE clause that yields one
 * row or none). `patientPoints` is the signed movement on the card; the other side gets its negation.
 * Run after the point_accounts update of the same batch: the patient entry records the balance after.
 */
export function entryPairStatements(
  db: Db,
  p: {
    txnId: string;
    type: PointTxnType;
    money: PointMoney;
    now: number;
    /** FROM and WHERE naming the source row, e.g. sql`from visits s where s.id = ${id}`. */
    source: SQL;
    patientId: SQL;
    patientPoints: SQL;
    sourceId: SQL;
    effectiveAt: SQL;
    /** The other side: its account kind, owner and (for receivables) the clinic that owes it. */
    other: { account: SQL; ownerId: SQL; counterpartyId: SQL };
    /** On the card's entry: where the points were spent (redemptions and their reversals). */
    patientCounterpartyId?: SQL;
  },
) {
  const { txnId, type, money, now } = p;
  const patientSide = db.insert(pointEntries).select(sql`
    select null, ${txnId}, ${type}, 'patient', ${p.patientId}, ${p.patientId},
      ${p.patientCounterpartyId ?? sql`null`}, ${p.sourceId},
      ${p.patientPoints}, (${p.patientPoints}) * ${money.pointValue}, ${money.currency},
      (select a.balance from point_accounts a where a.patient_id = ${p.patientId}),
      ${p.effectiveAt}, ${now}
    ${p.source} and (${p.patientPoints}) <> 0`);
  const otherSide = db.insert(pointEntries).select(sql`
    select null, ${txnId}, ${type}, ${p.other.account}, ${p.other.ownerId}, ${p.patientId},
      ${p.other.counterpartyId}, ${p.sourceId}, -(${p.patientPoints}), -(${p.patientPoints}) * ${money.pointValue},
      ${money.currency}, null, ${p.effectiveAt}, ${now}
    ${p.source} and (${p.patientPoints}) <> 0`);
  return [patientSide, otherSide] as const;
}

/**
 * The other side of a spend (and of its reversal), over a point_redemptions row aliased `s`: the
 * honouring party's receivable from the issuer, or the issuer's own liability when it honours its
 * own points.
 */
export const honouringSide = {
  account: sql`case when s.honoured_by = s.clinic_id then 'liability' else 'receivable' end`,
  ownerId: sql`s.honoured_by`,
  counterpartyId: sql`case when s.honoured_by = s.clinic_id then null else s.clinic_id end`,
};
