// Coalition card numbers: 16 digits, the last a Luhn check digit. The first 15 digits are uniformly
// random (after a fixed network prefix digit), so one card number says nothing about another.
export const CARD_PREFIX = '8';

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidCardNumber(card: string): boolean {
  if (!/^\d{16}$/.test(card)) return false;
  return luhnCheckDigit(card.slice(0, 15)) === card.charCodeAt(15) - 48;
}

export function newCardNumber(): string {
  // Rejection sampling keeps every digit uniform (256 is not a multiple of 10).
  let body = CARD_PREFIX;
  while (body.length < 15) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) {
      if (b < 250 && body.length < 15) body += String(b % 10);
    }
  }
  return body + String(luhnCheckDigit(body));
}

/** Accepts the number with spaces or dashes, as people type it from a card. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}
