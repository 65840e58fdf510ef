import type { Context } from 'hono';

/**
 * Reads a request body, up to `maxBytes`, whether or not it declared a Content-Length (a chunked body
 * has none): null as soon as it goes over, without reading the rest.
 */
export async function readCappedBytes(c: Context, maxBytes: number): Promise<Uint8Array | null> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) return null;
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * A request body as text, capped like readCappedBytes. What was read is cached on the request, so
 * validators and handlers read the same text afterwards.
 */
export async function readCappedText(c: Context, maxBytes: number): Promise<string | null> {
  if (Number(c.req.header('content-length') ?? '0') > maxBytes) return null;
  // Hono keeps promises in its body cache (its type says otherwise).
  const cache = c.req.bodyCache as Record<string, Promise<string> | undefined>;
  if (cache.text) return cache.text;
  const bytes = await readCappedBytes(c, maxBytes);
  if (bytes === null) return null;
  const text = new TextDecoder().decode(bytes);
  cache.text = Promise.resolve(text);
  return text;
}
