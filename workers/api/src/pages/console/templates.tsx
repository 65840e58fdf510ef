import {
  MESSAGE_CHANNELS,
  MESSAGE_KINDS,
  MESSAGE_PURPOSE,
  type MessageChannel,
  type MessageKind,
  PATIENT_LOCALES,
  type PatientLocale,
} from '@gratia/db';
import {
  checkTemplate,
  LOCALE_NAMES,
  listMessageTemplates,
  previewMessageTemplate,
  resetMessageTemplate,
  saveMessageTemplate,
  type TemplateEntry,
  type TemplatePreview,
  templateVariables,
} from '@gratia/messaging';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field, TableWrap } from './patient-views';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Messages (owners and managers: the 'templates' area): the wording of every message the clinic sends,
// per kind, channel and language. The list marks the clinic's own and the defaults; the editor lists the
// kind's variables, previews the text with sample values (and an SMS's encoding and segments), saves
// it (checked first: a template that does not parse or names another variable is shown back with the
// parser's words) and resets it to the default.

const BASE = '/console/templates';

export const KIND_TEXT: Record<MessageKind, string> = {
  voucher_issued: 'Gift (voucher link)',
  points_expiring: 'Points about to expire',
  survey_request: 'Survey after a visit',
  questionnaire: 'Questionnaire',
  plan_item: 'Plan item',
  birthday: 'Birthday greeting',
  referral_reward: 'Referral reward',
  card_link: 'Card link',
  staff_sign_in: 'Staff sign-in link',
};
const CHANNEL_TEXT: Record<MessageChannel, string> = { email: 'E-mail', sms: 'SMS' };

interface Key {
  kind: MessageKind;
  channel: MessageChannel;
  locale: PatientLocale;
}

const pathOf = (k: Key) => `${BASE}/${k.kind}/${k.channel}/${k.locale}`;

function keyOf(c: Context<AppEnv>): Key | null {
  const { kind, channel, locale } = c.req.param() as Record<string, string>;
  if (!(MESSAGE_KINDS as readonly string[]).includes(kind ?? '')) return null;
  if (!(MESSAGE_CHANNELS as readonly string[]).includes(channel ?? '')) return null;
  if (!(PATIENT_LOCALES as readonly string[]).includes(locale ?? '')) return null;
  return { kind, channel, locale } as Key;
}

function ListPage(props: { s: Signed; entries: TemplateEntry[] }) {
  const { s } = props;
  const own = new Set(props.entries.filter((e) => e.custom).map((e) => `${e.kind}/${e.channel}/${e.locale}`));
  return (
    <ConsolePage title="Messages" principal={s.principal} csrf={s.session.csrf} area="templates">
      <h1>Messages</h1>
      <p>
        What your patients read, per message, channel and language. “Own” is your clinic’s wording; “default”
        is Gratia’s. Service messages (a gift’s link, a card link) go with any consent for the channel; the
        others only with full consent.
      </p>
      <TableWrap label="Message templates">
        <table>
          <caption class="sr-only">Message templates</caption>
          <thead>
            <tr>
              <th scope="col">Message</th>
              {MESSAGE_CHANNELS.flatMap((ch) =>
                PATIENT_LOCALES.map((l) => (
                  <th scope="col">
                    {CHANNEL_TEXT[ch]} · {LOCALE_NAMES[l]}
                  </th>
                )),
              )}
            </tr>
          </thead>
          <tbody>
            {MESSAGE_KINDS.map((kind) => (
              <tr>
                <th scope="row">
                  {KIND_TEXT[kind]} <span class="hint">({MESSAGE_PURPOSE[kind]})</span>
                </th>
                {MESSAGE_CHANNELS.flatMap((channel) =>
                  PATIENT_LOCALES.map((locale) => {
                    const mine = own.has(`${kind}/${channel}/${locale}`);
                    return (
                      <td>
                        <a
                          href={pathOf({ kind, channel, locale })}
                          aria-label={`${KIND_TEXT[kind]}, ${CHANNEL_TEXT[channel]}, ${LOCALE_NAMES[locale]}: ${mine ? 'own' : 'default'}`}
                        >
                          {mine ? 'Own' : 'Default'}
                        </a>
                      </td>
                    );
                  }),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </ConsolePage>
  );
}

function EditPage(props: {
  s: Signed;
  k: Key;
  entry: TemplateEntry;
  values: { subject: string; body: string };
  errors: Record<string, string>;
  preview: TemplatePreview | null;
  q: Record<string, string>;
}) {
  const { s, k, entry, values, errors, preview } = props;
  const title = `${KIND_TEXT[k.kind]}: ${CHANNEL_TEXT[k.channel]} in ${LOCALE_NAMES[k.locale]}`;
  const flash = props.q.saved ? 'Saved.' : props.q.reset ? 'Back to the default wording.' : undefined;
  return (
    <ConsolePage title={title} principal={s.principal} csrf={s.session.csrf} area="templates">
      <p>
        <a href={BASE}>← Messages</a>
      </p>
      <h1>{title}</h1>
      <Flash q={props.q} ok={flash} />
      <p>{entry.custom ? 'Your clinic’s own wording.' : 'The default wording: save to make it your own.'}</p>
      <section class="card" aria-labelledby="vars">
        <h2 id="vars">Variables</h2>
        <p>
          {templateVariables(k.kind).map((v) => (
            <>
              <code>{`{${v}}`}</code>{' '}
            </>
          ))}
        </p>
        <p class="hint">
          ICU MessageFormat: a plural reads <code>{'{points, plural, one {# point} other {# points}}'}</code>
          {k.locale === 'ru' ? (
            <>
              ; Russian has <code>one</code>, <code>few</code>, <code>many</code> and <code>other</code>
            </>
          ) : null}
          . Dates come written in the patient’s language.
        </p>
      </section>
      <section class="card" aria-labelledby="edit">
        <h2 id="edit">Wording</h2>
        <form method="post" action={pathOf(k)}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          {k.channel === 'email' ? (
            <Field
              name="subject"
              label="Subject"
              value={values.subject}
              error={errors.subject}
              maxlength={200}
              required
            />
          ) : null}
          <Field
            name="body"
            label={k.channel === 'email' ? 'Text' : 'Message'}
            value={values.body}
            error={errors.body}
            multiline
            required
          />
          <button type="submit" name="do" value="preview">
            Preview
          </button>{' '}
          <button type="submit" name="do" value="save">
            Save
          </button>
        </form>
        {entry.custom ? (
          <form method="post" action={`${pathOf(k)}/reset`}>
            <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
            <button type="submit">Reset to default</button>
          </form>
        ) : null}
      </section>
      {preview ? (
        <section class="card" aria-labelledby="preview">
          <h2 id="preview">Preview</h2>
          {preview.subject ? (
            <p>
              <strong>{preview.subject}</strong>
            </p>
          ) : null}
          <pre class="message-preview" lang={k.locale}>
            {preview.body}
          </pre>
          {preview.sms ? (
            <p id="sms-length">
              {preview.sms.characters} characters, {preview.sms.encoding},{' '}
              {preview.sms.segments === 1 ? '1 SMS segment' : `${preview.sms.segments} SMS segments`}
              {preview.sms.encoding === 'UCS-2'
                ? ' (70 characters per SMS, 67 when split)'
                : ' (160 per SMS, 153 when split)'}
            </p>
          ) : null}
          <p class="hint">With sample values; the patient’s own come in when it is sent.</p>
        </section>
      ) : null}
    </ConsolePage>
  );
}

async function entryFor(c: Context<AppEnv>, s: Signed, k: Key) {
  const all = await listMessageTemplates(c.var.deps, { clinic: s.principal });
  if (!all.ok) return null;
  return all.value.find((e) => e.kind === k.kind && e.channel === k.channel && e.locale === k.locale) ?? null;
}

const notFound = (c: Context<AppEnv>) => c.text('No such message template', 404);

export function registerConsoleTemplates(app: Hono<AppEnv>) {
  app.get(
    BASE,
    page('templates', async (c, s) => {
      const out = await listMessageTemplates(c.var.deps, { clinic: s.principal });
      return html(c, <ListPage s={s} entries={out.ok ? out.value : []} />);
    }),
  );
  app.get(
    `${BASE}/:kind/:channel/:locale`,
    page('templates', async (c, s) => {
      const k = keyOf(c);
      const entry = k && (await entryFor(c, s, k));
      if (!k || !entry) return notFound(c);
      const preview = await previewMessageTemplate(c.var.deps, { clinic: s.principal, ...k });
      const values = { subject: entry.subject ?? '', body: entry.body };
      return html(
        c,
        <EditPage
          s={s}
          k={k}
          entry={entry}
          values={values}
          errors={{}}
          preview={preview.ok ? preview.value : null}
          q={c.req.query()}
        />,
      );
    }),
  );
  app.post(
    `${BASE}/:kind/:channel/:locale`,
    action('templates', async (c, s, f) => {
      const k = keyOf(c);
      const entry = k && (await entryFor(c, s, k));
      if (!k || !entry) return notFound(c);
      const values = { subject: f.subject ?? '', body: f.body ?? '' };
      const subject = k.channel === 'email' ? values.subject : null;
      const problems = checkTemplate(k, { subject, body: values.body });
      if (problems.length > 0) {
        const errors = Object.fromEntries(problems.map((p) => [p.path, `This ${p.path} ${p.message}.`]));
        return html(
          c,
          <EditPage s={s} k={k} entry={entry} values={values} errors={errors} preview={null} q={{}} />,
          422,
        );
      }
      if (f.do === 'preview') {
        const preview = await previewMessageTemplate(c.var.deps, {
          clinic: s.principal,
          ...k,
          subject,
          body: values.body,
        });
        return html(
          c,
          <EditPage
            s={s}
            k={k}
            entry={entry}
            values={values}
            errors={{}}
            preview={preview.ok ? preview.value : null}
            q={{}}
          />,
        );
      }
      return exactlyOnce(c, s, f, pathOf(k), async () => {
        const out = await saveMessageTemplate(c.var.deps, {
          clinic: s.principal,
          ...k,
          subject,
          body: values.body,
        });
        return out.ok ? { location: `${pathOf(k)}?saved=1` } : outcome(pathOf(k), out.error);
      });
    }),
  );
  app.post(
    `${BASE}/:kind/:channel/:locale/reset`,
    action('templates', async (c, s, f) => {
      const k = keyOf(c);
      if (!k) return notFound(c);
      return exactlyOnce(c, s, f, pathOf(k), async () => {
        const out = await resetMessageTemplate(c.var.deps, { clinic: s.principal, ...k });
        return out.ok ? { location: `${pathOf(k)}?reset=1` } : outcome(pathOf(k), out.error);
      });
    }),
  );
}
