import {
  type Catalogs,
  chooseLocale,
  readUnsubscribe,
  translator,
  unsubscribeEmail,
  unsubscribeMessageId,
} from '@gratia/messaging';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { Page } from './layout';
import { STATIC_PAGE_HEADERS } from './static-headers';

// One-click unsubscribe (issue 13), `/u/{token}`: the link in every e-mail to a patient (its footer and
// the List-Unsubscribe header). GET shows "Unsubscribe from e-mail from <clinic>?" with a button; POST
// (the button, or a mail client's RFC 8058 one-click POST with `List-Unsubscribe=One-Click`) withdraws
// the patient's e-mail consent at once, with a consent event and an audit entry, and answers 200. The
// token (the message id, signed) is the credential; a forged one is a 404. Idempotent.

const catalogs: Catalogs<
  'question' | 'explain' | 'button' | 'done' | 'doneText' | 'invalid' | 'invalidText'
> = {
  en: {
    question: 'Unsubscribe from e-mail from {clinic}?',
    explain:
      'You will no longer get e-mail from {clinic}: no gifts, reminders or news. You can ask the clinic to write to you again at any time.',
    button: 'Unsubscribe',
    done: 'You are unsubscribed',
    doneText: '{clinic} will not send you e-mail any more.',
    invalid: 'This link is not valid',
    invalidText: 'The link may have been altered. Use the link in the e-mail itself.',
  },
  es: {
    question: '¿Dejar de recibir correos de {clinic}?',
    explain:
      'Ya no recibirá correos de {clinic}: ni regalos, ni recordatorios, ni novedades. Puede pedir a la clínica que vuelva a escribirle en cualquier momento.',
    button: 'Cancelar la suscripción',
    done: 'Su suscripción está cancelada',
    doneText: '{clinic} ya no le enviará correos.',
    invalid: 'Este enlace no es válido',
    invalidText: 'Es posible que el enlace se haya modificado. Use el enlace del propio correo.',
  },
  ru: {
    question: 'Отписаться от писем {clinic}?',
    explain:
      'Вы больше не будете получать письма от {clinic}: ни подарков, ни напоминаний, ни новостей. Вы можете в любой момент попросить клинику снова писать вам.',
    button: 'Отписаться',
    done: 'Вы отписаны',
    doneText: '{clinic} больше не будет присылать вам письма.',
    invalid: 'Ссылка недействительна',
    invalidText: 'Возможно, ссылка была изменена. Воспользуйтесь ссылкой из самого письма.',
  },
};

const HEADERS = {
  ...STATIC_PAGE_HEADERS,
  // The page's one form posts to itself.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

const html = (c: Context<AppEnv>, node: unknown, status: 200 | 404 = 200) => {
  for (const [k, v] of Object.entries(HEADERS)) c.header(k, v);
  return c.html(`<!doctype html>${node}`, status);
};

function Invalid({ locale }: { locale: 'en' | 'es' | 'ru' }) {
  const t = translator(catalogs, locale);
  return (
    <Page title={t('invalid')} lang={locale}>
      <h1>{t('invalid')}</h1>
      <p>{t('invalidText')}</p>
    </Page>
  );
}

export function registerUnsubscribePage(app: Hono<AppEnv>) {
  app.get('/u/:token', async (c) => {
    const accept = c.req.header('accept-language');
    const id = await unsubscribeMessageId(c.var.deps, c.req.param('token'));
    const view = id ? await readUnsubscribe(c.var.deps, id) : null;
    if (!view) return html(c, <Invalid locale={chooseLocale(c.req.query('lang'), null, accept)} />, 404);
    const locale = chooseLocale(c.req.query('lang'), view.locale, accept);
    const t = translator(catalogs, locale);
    const clinic = view.clinicName;
    if (!view.subscribed)
      return html(
        c,
        <Page title={t('done')} lang={locale}>
          <p class="eyebrow">{clinic}</p>
          <h1>{t('done')}</h1>
          <p>{t('doneText', { clinic })}</p>
        </Page>,
      );
    return html(
      c,
      <Page title={t('question', { clinic })} lang={locale}>
        <p class="eyebrow">{clinic}</p>
        <h1>{t('question', { clinic })}</h1>
        <p>{t('explain', { clinic })}</p>
        <form method="post">
          <input type="hidden" name="List-Unsubscribe" value="One-Click" />
          <button type="submit">{t('button')}</button>
        </form>
      </Page>,
    );
  });

  // RFC 8058: a POST (from the page's button or a mail client's one-click) unsubscribes at once.
  app.post('/u/:token', async (c) => {
    const accept = c.req.header('accept-language');
    const id = await unsubscribeMessageId(c.var.deps, c.req.param('token'));
    const out = id ? await unsubscribeEmail(c.var.deps, id) : null;
    const view = out && id ? await readUnsubscribe(c.var.deps, id) : null;
    if (!out) return html(c, <Invalid locale={chooseLocale(c.req.query('lang'), null, accept)} />, 404);
    const locale = chooseLocale(c.req.query('lang'), view?.locale, accept);
    const t = translator(catalogs, locale);
    return html(
      c,
      <Page title={t('done')} lang={locale}>
        <p class="eyebrow">{out.clinicName}</p>
        <h1>{t('done')}</h1>
        <p>{t('doneText', { clinic: out.clinicName })}</p>
      </Page>,
    );
  });
}
