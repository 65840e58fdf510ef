import type { Hono } from 'hono';
import type { AppEnv } from '../env';
import { Page } from './layout';
import { STATIC_PAGE_HEADERS } from './static-headers';

// GET /: what this deployment is and where everything lives, for a person who opens the base URL.

const LINKS = [
  {
    href: '/console',
    label: 'Clinic console',
    what: 'for clinic staff: the call list, patients, visits, gifts, the programme, reports, staff',
  },
  {
    href: '/partner',
    label: 'Partner counter',
    what: 'for partner staff: check and redeem gift vouchers, take card points',
  },
  { href: '/docs', label: 'API reference', what: 'every operation, generated from the code' },
  { href: '/openapi.json', label: 'OpenAPI document', what: 'the same, machine-readable (OpenAPI 3.1)' },
  {
    href: '/.well-known/jwks.json',
    label: 'Voucher signing keys (JWKS)',
    what: 'to verify voucher tokens offline',
  },
  { href: '/problems', label: 'Problem codes', what: 'what each error code of the API means' },
];

function Home({ name }: { name: string }) {
  return (
    <Page title={name}>
      <p class="eyebrow">Partner-network rewards for clinics</p>
      <h1>{name}</h1>
      <p>
        Clinics reward loyal patients with gifts from partner businesses and with a coalition card whose bonus
        points are honoured across the network; this is the network’s platform.
      </p>
      <nav class="card" aria-label="What is here">
        <ul>
          {LINKS.map((l) => (
            <li>
              <a href={l.href}>{l.label}</a>: <span class="muted">{l.what}</span>
            </li>
          ))}
        </ul>
      </nav>
    </Page>
  );
}

export function registerHomePage(app: Hono<AppEnv>) {
  app.get('/', (c) => {
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.header(k, v);
    return c.html(`<!doctype html>${<Home name={c.env?.NETWORK_NAME || 'Gratia'} />}`, 200);
  });
}
