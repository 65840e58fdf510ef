import { ERROR_TEXT, isErrorCode } from '@gratia/core';
import { staffRefusal } from '@gratia/db';
import {
  fromE6,
  LOCATION_EDITORS,
  parseDegrees,
  readOwnOrganization,
  setPartnerLocation,
  validPlace,
} from '@gratia/insight';
import { resumeStaffSession } from '@gratia/network';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { COUNTER, csrfOk, type PageSession, readSession } from '../../lib/page-session';
import { sourceAddress } from '../../middleware/auth';
import { Page } from '../layout';
import { form, html, once, sessionEnded } from './common';
import { SignIn } from './views';

// /partner/location, "Where you are": the partner's address and coordinates, which clinics use to
// suggest the offers of partners near a patient's branch first. For the partner's owners (as offers
// are); the form is PUT /v1/location's own use case, exactly once.

const BASE = '/partner/location';
const MAX_ADDRESS = 500;
const FORM_EXPIRED = 'The form expired. Please go back, reload the page and try again.';
const PLACE_HELP =
  'Enter latitude (-90 to 90) and longitude (-180 to 180) as decimal degrees, like 52.5200 and 13.4050.';

function LocationPage(props: {
  csrf: string;
  name: string;
  address: string;
  latitude: string;
  longitude: string;
  ok?: string;
  error?: string;
}) {
  return (
    <Page title={`${props.name}: where you are`}>
      <p class="eyebrow">Partner counter</p>
      <h1>Where you are</h1>
      {props.error ? (
        <p class="status bad" role="alert">
          {props.error}
        </p>
      ) : props.ok ? (
        <p class="status ok" role="status">
          {props.ok}
        </p>
      ) : null}
      <p class="muted">
        Clinics suggest gifts from partners near their patients first. Find your coordinates on any map (right
        click, or press and hold, on your door) and copy them here.
      </p>
      <form method="post" action={BASE} class="card">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="submission" value={newSubmissionKey()} />
        <label for="address">Address (optional)</label>
        <input id="address" name="address" maxlength={MAX_ADDRESS} value={props.address} />
        <label for="latitude">Latitude</label>
        <input
          id="latitude"
          name="latitude"
          required
          inputmode="decimal"
          maxlength={14}
          value={props.latitude}
        />
        <label for="longitude">Longitude</label>
        <input
          id="longitude"
          name="longitude"
          required
          inputmode="decimal"
          maxlength={14}
          value={props.longitude}
        />
        <button type="submit">Save where you are</button>
      </form>
      <p>
        <a href="/partner/offers">Your offers</a> · <a href="/partner">Back to the counter</a>
      </p>
    </Page>
  );
}

/** The signed-in owner, or the page to answer instead (sign-in, or not allowed). */
async function signedInOwner(c: Context<AppEnv>, session: PageSession | null) {
  if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
  const out = await resumeStaffSession(c.var.deps, {
    sessionId: session.id,
    organizationId: session.organizationId,
    from: sourceAddress(c),
  });
  if (!out.ok) return sessionEnded(c, out.error);
  const principal = out.value;
  if (principal.role !== 'partner') return sessionEnded(c, { code: 'unauthorized' });
  const refused = staffRefusal(principal, LOCATION_EDITORS);
  if (refused)
    return html(
      c,
      <Page title="Where you are: not allowed">
        <h1>Not allowed</h1>
        <p class="status bad" role="alert">
          {refused.detail ?? ERROR_TEXT.forbidden}. Your owner says where you are.
        </p>
        <p>
          <a href="/partner">Back to the counter</a>
        </p>
      </Page>,
      403,
    );
  return { principal, session };
}

export function registerPartnerLocation(app: Hono<AppEnv>) {
  app.get(BASE, async (c) => {
    const owner = await signedInOwner(c, await readSession(c, COUNTER));
    if (owner instanceof Response) return owner;
    const org = await readOwnOrganization(c.var.deps, { partner: owner.principal });
    const q = c.req.query();
    const error =
      q.error === 'validation_failed'
        ? PLACE_HELP
        : q.error && isErrorCode(q.error)
          ? ERROR_TEXT[q.error]
          : undefined;
    return html(
      c,
      <LocationPage
        csrf={owner.session.csrf}
        name={owner.principal.organization.name}
        address={org?.address ?? ''}
        latitude={org?.latitudeE6 == null ? '' : String(fromE6(org.latitudeE6))}
        longitude={org?.longitudeE6 == null ? '' : String(fromE6(org.longitudeE6))}
        ok={q.saved === '1' ? 'Saved. Clinics now see how near you are to their patients.' : undefined}
        error={error}
      />,
    );
  });

  app.post(BASE, async (c) => {
    const f = await form(c);
    if (!f) return html(c, <SignIn error={ERROR_TEXT.payload_too_large} />, 413);
    const session = await readSession(c, COUNTER);
    if (session && !csrfOk(c, session, f.csrf)) return html(c, <SignIn error={FORM_EXPIRED} />, 403);
    const owner = await signedInOwner(c, session);
    if (owner instanceof Response) return owner;
    const latitude = parseDegrees(f.latitude);
    const longitude = parseDegrees(f.longitude);
    const address = (f.address ?? '').trim();
    const place =
      typeof latitude === 'number' && typeof longitude === 'number' ? { latitude, longitude } : null;
    if (!place || !validPlace(place) || address.length > MAX_ADDRESS)
      return c.redirect(`${BASE}?error=validation_failed`, 303);
    return once(
      c,
      owner.session,
      f,
      async () => {
        const out = await setPartnerLocation(c.var.deps, {
          partner: owner.principal,
          place,
          address: address || null,
        });
        if (!out.ok) return { location: `${BASE}?error=${out.error.code}` };
        return { location: `${BASE}?saved=1` };
      },
      BASE,
    );
  });
}
