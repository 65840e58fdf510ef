// .dev.vars: the local secrets of `wrangler dev`, created from .dev.vars.example on first run.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './local-server.mjs';
import { generateSigningKey } from './voucher-keys.mjs';

export const DEV_VARS = path.join(ROOT, '.dev.vars');

export function parseDevVars(text) {
  const vars = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    vars[m[1]] = v;
  }
  return vars;
}

/**
 * Creates .dev.vars (or `file`) from the example if missing and fills empty secrets; returns what it
 * did.
 */
export function ensureDevVars(file = DEV_VARS) {
  const created = !existsSync(file);
  let text = created
    ? readFileSync(path.join(ROOT, '.dev.vars.example'), 'utf8')
    : readFileSync(file, 'utf8');
  const vars = parseDevVars(text);
  const filled = [];
  const fill = (name, value) => {
    if (vars[name]) return;
    const line = `${name}=${value}`;
    text = new RegExp(`^${name}=.*$`, 'm').test(text)
      ? text.replace(new RegExp(`^${name}=.*$`, 'm'), line)
      : `${text.trimEnd()}\n${line}\n`;
    filled.push(name);
  };
  fill('OPERATOR_TOKEN', randomBytes(32).toString('base64url'));
  fill(
    'VOUCHER_SIGNING_KEYS',
    `'${JSON.stringify([generateSigningKey(`local-${new Date().toISOString().slice(0, 10)}`)])}'`,
  );
  if (created || filled.length) writeFileSync(file, text, { mode: 0o600 });
  return { created, filled };
}

export function readDevVars(file = DEV_VARS) {
  if (!existsSync(file)) throw new Error('.dev.vars is missing: run `pnpm dev` once to create it');
  return parseDevVars(readFileSync(file, 'utf8'));
}
