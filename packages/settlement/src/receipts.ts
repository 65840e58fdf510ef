import type { SettlementLine } from '@gratia/db';
import { CompactSign, type CryptoKey } from 'jose';

// The receipt of a redemption or a reversal: a compact JWS over what the line records, signed with the
// network's voucher keys (same JWKS), so a clinic, a partner or an auditor checks every line of a
// statement offline. Ed25519 is deterministic: a receipt re-signed from its line is the same token.

export const RECEIPT_TYP = 'receipt+jwt';

export interface ReceiptClaims {
  iss: string;
  /** The receipt's (and the line's) id. */
  jti: string;
  sub: string;
  iat: number;
  kind: SettlementLine['kind'];
  entry: SettlementLine['entry'];
  redemption_id: string;
  /** The reversal's id, on a reversal's receipt. */
  reversal_id: string | null;
  voucher_id: string | null;
  card_last4: string | null;
  /** The party that honoured the reward and is owed for it. */
  honoured_by: string;
  /** The clinic that issued it and owes. */
  issuer: string;
  currency: string;
  /** Minor units; negative on a reversal. */
  amount: number;
  fee: number;
  net: number;
  period: string;
}

export function receiptClaims(line: SettlementLine, issuer: string): ReceiptClaims {
  return {
    iss: issuer,
    jti: line.id,
    sub: line.id,
    iat: Math.floor(line.occurredAt / 1000),
    kind: line.kind,
    entry: line.entry,
    redemption_id: line.redemptionId,
    reversal_id: line.entry === 'reversal' ? line.sourceId : null,
    voucher_id: line.voucherId,
    card_last4: line.cardLast4,
    honoured_by: line.payeeId,
    issuer: line.payerId,
    currency: line.currency,
    amount: line.gross,
    fee: line.fee,
    net: line.net,
    period: line.period,
  };
}

export interface ReceiptKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * Signs a line's receipt with the key that was signing when the line was written (lines backfilled
 * from before receipts existed, or whose key is gone, are signed by today's signer: still verifiable
 * against the JWKS).
 */
export async function signReceipt(
  keys: { signer: ReceiptKey; byKid: ReadonlyMap<string, ReceiptKey> },
  line: SettlementLine,
  issuer: string,
): Promise<string> {
  const key = keys.byKid.get(line.kid) ?? keys.signer;
  return new CompactSign(new TextEncoder().encode(JSON.stringify(receiptClaims(line, issuer))))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: RECEIPT_TYP })
    .sign(key.privateKey);
}
