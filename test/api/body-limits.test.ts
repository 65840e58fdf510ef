import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork, createOffer } from '../helpers/factories';
import { putPhoto } from '../helpers/photos';
import { staffSession } from '../helpers/staff';

// Every body is capped, declared length or not: a chunked body (no Content-Length) used to be read
// whole (30 MB to the counter's sign-in) before anything refused it.

/** A body of `bytes` bytes sent as a stream, so the request carries no Content-Length. */
function chunked(bytes: number, chunk = `a=${'x'.repeat(1022)}`): ReadableStream<Uint8Array> {
  const piece = new TextEncoder().encode(chunk);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(piece);
      sent += piece.byteLength;
    },
  });
}

describe('body limits without Content-Length', () => {
  it('refuses a large chunked body at the counter sign-in, without reading it all', async () => {
    const api = createClient();
    const res = await api.app.request(
      'https://gratia.test/partner/signin',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://gratia.test' },
        body: chunked(4 * 1024 * 1024),
        // @ts-expect-error: a streamed request body needs duplex in the Fetch spec
        duplex: 'half',
      },
      env,
    );
    expect(res.status).toBe(413);
  });

  it('refuses a large chunked JSON body with 413 payload_too_large once the key is known good', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const res = await api.app.request(
      'https://gratia.test/v1/patients',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${net.clinic.key}` },
        body: chunked(1024 * 1024, `{"a":"${'x'.repeat(1000)}",`),
        // @ts-expect-error: a streamed request body needs duplex in the Fetch spec
        duplex: 'half',
      },
      env,
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
  });

  it("caps an offer's photo (the one body that is not JSON) at 2 MB, after the key check", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    // Its size alone refuses it: what the bytes are is never looked at.
    const big = () => chunked(4 * 1024 * 1024);
    const unknown = await putPhoto(api, 'gr_ptn_thisKeyDoesNotExist0123456789abcdefghij', offer.id, big());
    expect(unknown.status).toBe(401);
    const res = await putPhoto(api, net.partner.key, offer.id, big());
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('photo_too_large');
  });

  it('caps the Offers form of the counter page (a photo and its fields) without reading it all', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await staffSession(api, { organizationId: net.partner.id, kind: 'partner', role: 'owner' });
    const res = await api.app.request(
      'https://gratia.test/partner/offers',
      {
        method: 'POST',
        headers: {
          'content-type': 'multipart/form-data; boundary=x',
          cookie: owner.cookie,
          origin: 'https://gratia.test',
        },
        body: chunked(8 * 1024 * 1024),
        // @ts-expect-error: a streamed request body needs duplex in the Fetch spec
        duplex: 'half',
      },
      env,
    );
    expect(res.status).toBe(413);
  });
});
