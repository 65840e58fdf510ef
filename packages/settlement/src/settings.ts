import { newId } from '@gratia/core';
import { auditEntry, type Deps, type NetworkSettingsRow, networkSettings, runBatch } from '@gratia/db';
import { desc, sql } from 'drizzle-orm';

// The network's settings (the operator's): the fee on what honouring parties receive, and the grace
// before a month closes. Versioned: a change applies to lines written from then on; every line keeps
// the version and rate it was written under.

export interface NetworkSettings {
  version: number;
  feeBps: number;
  closingGraceDays: number;
  createdAt: number | null;
}

/** Before the operator sets any: no fee, months close 5 days after they end. */
export const DEFAULT_SETTINGS: NetworkSettings = {
  version: 0,
  feeBps: 0,
  closingGraceDays: 5,
  createdAt: null,
};

const fromRow = (r: NetworkSettingsRow | undefined): NetworkSettings =>
  r
    ? { version: r.version, feeBps: r.feeBps, closingGraceDays: r.closingGraceDays, createdAt: r.createdAt }
    : DEFAULT_SETTINGS;

const latest = (deps: Deps) =>
  deps.db.select().from(networkSettings).orderBy(desc(networkSettings.version)).limit(1);

export async function readNetworkSettings(deps: Deps): Promise<NetworkSettings> {
  return fromRow((await latest(deps))[0]);
}

/** Every version, newest first, ending with version 0. */
export async function listNetworkSettings(deps: Deps): Promise<NetworkSettings[]> {
  const rows = await deps.db.select().from(networkSettings).orderBy(desc(networkSettings.version));
  return [...rows.map(fromRow), DEFAULT_SETTINGS];
}

/**
 * Sets new settings as a new version (the operator's; the same settings again change nothing). The
 * version is taken inside the INSERT; UNIQUE(version) settles concurrent changes.
 */
export async function setNetworkSettings(
  deps: Deps,
  input: { feeBps: number; closingGraceDays: number },
): Promise<NetworkSettings> {
  const current = await readNetworkSettings(deps);
  if (current.feeBps === input.feeBps && current.closingGraceDays === input.closingGraceDays) return current;
  const now = deps.clock.now();
  const id = newId('nst', now);
  const done = await runBatch(deps.db, {
    insert: deps.db.insert(networkSettings).select(
      sql`select ${id}, coalesce((select max(version) from network_settings), 0) + 1,
        ${input.feeBps}, ${input.closingGraceDays}, ${now}`,
    ),
    audit: auditEntry(deps.db, {
      actor: 'operator',
      organizationId: null,
      action: 'network_settings.update',
      subject: { type: 'network_settings', id },
      detail: { fee_bps: input.feeBps, closing_grace_days: input.closingGraceDays },
      at: now,
    }),
    latest: latest(deps),
  });
  return fromRow(done.latest[0]);
}
