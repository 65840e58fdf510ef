import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { registerStaffPages, type StaffFrame } from '../staff/manage';
import { action, ConsolePage, exactlyOnce, html, page } from './shell';

// Staff (owners only): the clinic's staff pages (pages/staff/manage.tsx) in the console's frame, and
// its audit trail (audit.tsx).

const CONSOLE_STAFF: StaffFrame = {
  base: '/console/staff',
  kind: 'clinic',
  audit: '/console/audit',
  render: (c, s, p, status = 200) =>
    html(
      c,
      <ConsolePage
        title={p.title}
        principal={s.principal}
        csrf={s.session.csrf}
        area="staff"
        scripts={p.scripts}
      >
        {p.body}
      </ConsolePage>,
      status,
    ),
  get: (handler) => page('staff', handler),
  post: (handler) => action('staff', handler),
  once: exactlyOnce,
};

export function registerConsoleStaff(app: Hono<AppEnv>) {
  registerStaffPages(app, CONSOLE_STAFF);
}
