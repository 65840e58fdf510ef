import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createVoucherScene } from '../helpers/factories';

// A token is accepted only in its canonical encoding: base64url with no padding and no stray bits in
// its last character. A re-encoded signature (same bytes, other text) is another token and refused,
// so a verified token cannot be laundered into a "new" one.

/** Flips the unused low bits of a base64url part's last character: the same bytes, another text. */
function reencode(part: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(part.at(-1)!);
  const spare = part.length % 4 === 2 ? 4 : part.length % 4 === 3 ? 2 : 0; // unused bits at the end
  if (spare === 0) throw new Error('this part has no spare bits');
  return part.slice(0, -1) + alphabet[last ^ 1];
}

describe('canonical token encoding', () => {
  it('refuses a token whose signature was re-encoded, at verify and at redeem', async () => {
    const api = createClient();
    const { voucher, partner } = await createVoucherScene(api);
    const [h, p, s] = voucher.token.split('.') as [string, string, string];
    const twin = `${h}.${p}.${reencode(s)}`;
    expect(twin).not.toBe(voucher.token);
    // Node's decoder reads both as the same bytes: the signature itself is still valid.
    expect(Buffer.from(reencode(s), 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    const check = await api.post('/v1/vouchers/verify', { token: partner.key, body: { token: twin } });
    expect(check.body).toEqual({ valid: false, code: 'invalid_voucher' });
    const redeem = await api.post('/v1/redemptions', { token: partner.key, body: { token: twin } });
    expect(redeem.status).toBe(422);
    expect(redeem.body.code).toBe('invalid_voucher');
    // The canonical token still works.
    const ok = await api.post('/v1/vouchers/verify', { token: partner.key, body: { token: voucher.token } });
    expect(ok.body.valid).toBe(true);
  });
});
