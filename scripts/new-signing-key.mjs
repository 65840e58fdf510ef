// `pnpm keys:new [kid]`: prints a new Ed25519 voucher signing key (a private JWK with a kid) for the
// VOUCHER_SIGNING_KEYS secret. See "Voucher signing keys" in the README for the rotation procedure.
import { generateSigningKey } from './lib/voucher-keys.mjs';

const kid = process.argv[2] ?? `key-${new Date().toISOString().slice(0, 10)}`;
console.log(JSON.stringify(generateSigningKey(kid)));
