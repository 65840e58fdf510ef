import { ApiError, base64url } from '@gratia/core';

// Cursors are opaque to clients; inside, a cursor is the last id of the previous page (ids are
// time-ordered, so "id > cursor" walks the list in creation order with an index seek).

export function encodeCursor(lastId: string): string {
  return base64url(new TextEncoder().encode(lastId));
}

export function decodeCursor(cursor: string | undefined, prefix: string): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const id = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    if (id.startsWith(`${prefix}_`) && /^[\w]+$/.test(id)) return id;
  } catch {
    // fall through to the error
  }
  throw new ApiError('invalid_cursor', 'The cursor is not one this list gave out');
}

/** Fetch limit + 1 rows, return limit of them and the cursor for the next page. */
export function page<T extends { id: string }>(
  rows: T[],
  limit: number,
): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const kept = rows.slice(0, limit);
  return { rows: kept, nextCursor: encodeCursor(kept[kept.length - 1]!.id) };
}

/**
 * The cursor of a list ordered by time, then id (newest first, or a call list by expiry): the time and
 * id of the row the previous page ended on.
 */
export function encodePositionCursor(at: number, id: string): string {
  return base64url(new TextEncoder().encode(`${at}|${id}`));
}

export function decodePositionCursor(
  cursor: string | undefined,
  prefix: string,
): { at: number; id: string } | null {
  if (cursor === undefined) return null;
  try {
    const [at, id] = atob(cursor.replace(/-/g, '+').replace(/_/g, '/')).split('|');
    if (at && id && /^\d{1,15}$/.test(at) && id.startsWith(`${prefix}_`) && /^\w+$/.test(id))
      return { at: Number(at), id };
  } catch {
    // fall through to the error
  }
  throw new ApiError('invalid_cursor', 'The cursor is not one this list gave out');
}
