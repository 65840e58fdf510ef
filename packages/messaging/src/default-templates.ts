import type { MessageChannel, MessageKind, PatientLocale } from '@gratia/db';

// The words of each message kind when the clinic has not written its own: per channel and language,
// ICU MessageFormat with the kind's variables (MESSAGE_VARIABLES). Every message also has
// {first_name} (the patient's or staff member's) and {clinic_name}. SMS stay short (one GSM-7 segment
// of 160 characters where the link allows); e-mail has a subject.

export interface TemplateText {
  subject: string | null;
  body: string;
}

/** The variables each kind's producer fills, besides first_name and clinic_name (documented in docs/api.md). */
export const MESSAGE_VARIABLES: Readonly<Record<MessageKind, readonly string[]>> = {
  voucher_issued: ['gift', 'url', 'expires_date'],
  points_expiring: ['points', 'expires_date', 'url'],
  survey_request: ['url'],
  questionnaire: ['url'],
  plan_item: ['purpose', 'url'],
  birthday: ['url'],
  referral_reward: ['reward', 'side', 'url'],
  card_link: ['url'],
  staff_sign_in: ['url'],
};

type Defaults = Readonly<Record<MessageKind, Readonly<Record<MessageChannel, TemplateText>>>>;

const en: Defaults = {
  voucher_issued: {
    email: {
      subject: 'A gift for you from {clinic_name}',
      body: 'Dear {first_name},\n\n{clinic_name} has a gift for you: {gift}.\n\nShow this link at the counter to use it, until {expires_date}:\n{url}\n\nWith our thanks,\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: a gift for you, {gift}. Valid until {expires_date}: {url}' },
  },
  points_expiring: {
    email: {
      subject: 'Your points expire on {expires_date}',
      body: 'Dear {first_name},\n\n{points, plural, one {# bonus point} other {# bonus points}} on your {clinic_name} card expire on {expires_date}. Use them at any partner of the network before then.\n\nYour card: {url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: {points, plural, one {# point} other {# points}} on your card expire on {expires_date}. Your card: {url}',
    },
  },
  survey_request: {
    email: {
      subject: 'How was your visit to {clinic_name}?',
      body: 'Dear {first_name},\n\nThank you for your visit. Would you tell us how it went? It takes a minute:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: thank you for your visit. How did it go? {url}' },
  },
  questionnaire: {
    email: {
      subject: 'Help {clinic_name} choose your gifts',
      body: 'Dear {first_name},\n\nTell us what you enjoy, and we will choose your gifts with it in mind:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: tell us what you enjoy, for gifts chosen for you: {url}' },
  },
  plan_item: {
    email: {
      subject: 'News from {clinic_name}',
      body: 'Dear {first_name},\n\n{purpose}\n\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: {purpose} {url}' },
  },
  birthday: {
    email: {
      subject: 'Happy birthday, {first_name}!',
      body: 'Dear {first_name},\n\nEveryone at {clinic_name} wishes you a happy birthday.\n\nYour card: {url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: 'Happy birthday, {first_name}! From everyone at {clinic_name}. {url}' },
  },
  referral_reward: {
    email: {
      subject: '{side, select, referee {Welcome to {clinic_name}} other {Thank you for your recommendation}}',
      body: 'Dear {first_name},\n\n{side, select, referee {Welcome to {clinic_name}: you came on a recommendation, and that earns you a reward} other {Thank you for recommending {clinic_name}}}. Your reward: {reward}.\n\n{url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: {side, select, referee {welcome! For coming on a recommendation} other {thank you for your recommendation}}. Your reward: {reward}. {url}',
    },
  },
  card_link: {
    email: {
      subject: 'Your {clinic_name} card',
      body: 'Dear {first_name},\n\nYour card, your points and your gifts are on this page. Keep it on your phone:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: your card, points and gifts: {url}' },
  },
  staff_sign_in: {
    email: {
      subject: 'Sign in to {clinic_name} on Gratia',
      body: 'Hello {first_name},\n\nUse this link to sign in to the console of {clinic_name}. It works once and expires soon:\n{url}\n\nIf you did not ask for it, ignore this e-mail.',
    },
    sms: { subject: null, body: 'Sign in to {clinic_name} on Gratia: {url}' },
  },
};

const es: Defaults = {
  voucher_issued: {
    email: {
      subject: 'Un regalo para usted de {clinic_name}',
      body: 'Estimado/a {first_name}:\n\n{clinic_name} tiene un regalo para usted: {gift}.\n\nMuestre este enlace en el mostrador para usarlo, hasta el {expires_date}:\n{url}\n\nCon nuestro agradecimiento,\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: un regalo para usted, {gift}. Válido hasta el {expires_date}: {url}',
    },
  },
  points_expiring: {
    email: {
      subject: 'Sus puntos caducan el {expires_date}',
      body: 'Estimado/a {first_name}:\n\n{points, plural, one {# punto de bonificación} other {# puntos de bonificación}} de su tarjeta de {clinic_name} {points, plural, one {caduca} other {caducan}} el {expires_date}. Úselos antes en cualquier socio de la red.\n\nSu tarjeta: {url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: {points, plural, one {# punto} other {# puntos}} de su tarjeta {points, plural, one {caduca} other {caducan}} el {expires_date}. Su tarjeta: {url}',
    },
  },
  survey_request: {
    email: {
      subject: '¿Qué tal su visita a {clinic_name}?',
      body: 'Estimado/a {first_name}:\n\nGracias por su visita. ¿Nos cuenta cómo le fue? Solo le llevará un minuto:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: gracias por su visita. ¿Qué tal le fue? {url}' },
  },
  questionnaire: {
    email: {
      subject: 'Ayude a {clinic_name} a elegir sus regalos',
      body: 'Estimado/a {first_name}:\n\nCuéntenos qué le gusta y elegiremos sus regalos pensando en ello:\n{url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: cuéntenos qué le gusta y elegiremos regalos para usted: {url}',
    },
  },
  plan_item: {
    email: {
      subject: 'Novedades de {clinic_name}',
      body: 'Estimado/a {first_name}:\n\n{purpose}\n\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: {purpose} {url}' },
  },
  birthday: {
    email: {
      subject: '¡Feliz cumpleaños, {first_name}!',
      body: 'Estimado/a {first_name}:\n\nTodo el equipo de {clinic_name} le desea un feliz cumpleaños.\n\nSu tarjeta: {url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '¡Feliz cumpleaños, {first_name}! De parte de todo el equipo de {clinic_name}. {url}',
    },
  },
  referral_reward: {
    email: {
      subject: '{side, select, referee {Bienvenido/a a {clinic_name}} other {Gracias por su recomendación}}',
      body: 'Estimado/a {first_name}:\n\n{side, select, referee {Bienvenido/a a {clinic_name}: llegó por una recomendación y eso le da una recompensa} other {Gracias por recomendar {clinic_name}}}. Su recompensa: {reward}.\n\n{url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: {side, select, referee {¡bienvenido/a! Por venir recomendado/a} other {gracias por su recomendación}}. Su recompensa: {reward}. {url}',
    },
  },
  card_link: {
    email: {
      subject: 'Su tarjeta de {clinic_name}',
      body: 'Estimado/a {first_name}:\n\nSu tarjeta, sus puntos y sus regalos están en esta página. Guárdela en su teléfono:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: su tarjeta, puntos y regalos: {url}' },
  },
  staff_sign_in: {
    email: {
      subject: 'Inicie sesión en {clinic_name} en Gratia',
      body: 'Hola, {first_name}:\n\nUse este enlace para iniciar sesión en la consola de {clinic_name}. Funciona una sola vez y caduca pronto:\n{url}\n\nSi no lo ha solicitado, ignore este correo.',
    },
    sms: { subject: null, body: 'Inicie sesión en {clinic_name} en Gratia: {url}' },
  },
};

const ru: Defaults = {
  voucher_issued: {
    email: {
      subject: 'Подарок для вас от {clinic_name}',
      body: 'Здравствуйте, {first_name}!\n\n{clinic_name} дарит вам подарок: {gift}.\n\nПокажите эту ссылку на стойке, чтобы воспользоваться им до {expires_date}:\n{url}\n\nС благодарностью,\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: подарок для вас — {gift}. Действует до {expires_date}: {url}',
    },
  },
  points_expiring: {
    email: {
      subject: 'Ваши баллы сгорают {expires_date}',
      body: 'Здравствуйте, {first_name}!\n\n{points, plural, one {# бонусный балл} few {# бонусных балла} many {# бонусных баллов} other {# бонусного балла}} на вашей карте {clinic_name} {points, plural, one {сгорает} other {сгорают}} {expires_date}. Используйте их до этого у любого партнёра сети.\n\nВаша карта: {url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: {points, plural, one {# балл} few {# балла} many {# баллов} other {# балла}} на вашей карте {points, plural, one {сгорает} other {сгорают}} {expires_date}. Карта: {url}',
    },
  },
  survey_request: {
    email: {
      subject: 'Как прошёл ваш визит в {clinic_name}?',
      body: 'Здравствуйте, {first_name}!\n\nСпасибо за визит. Расскажете, как всё прошло? Это займёт минуту:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: спасибо за визит! Как всё прошло? {url}' },
  },
  questionnaire: {
    email: {
      subject: 'Помогите {clinic_name} выбрать для вас подарки',
      body: 'Здравствуйте, {first_name}!\n\nРасскажите, что вам нравится, и мы подберём подарки с учётом этого:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: расскажите, что вам нравится, и мы подберём подарки: {url}' },
  },
  plan_item: {
    email: {
      subject: 'Новости {clinic_name}',
      body: 'Здравствуйте, {first_name}!\n\n{purpose}\n\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: {purpose} {url}' },
  },
  birthday: {
    email: {
      subject: 'С днём рождения, {first_name}!',
      body: 'Здравствуйте, {first_name}!\n\nВся команда {clinic_name} поздравляет вас с днём рождения.\n\nВаша карта: {url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: 'С днём рождения, {first_name}! Ваша команда {clinic_name}. {url}' },
  },
  referral_reward: {
    email: {
      subject: '{side, select, referee {Добро пожаловать в {clinic_name}} other {Спасибо за рекомендацию}}',
      body: 'Здравствуйте, {first_name}!\n\n{side, select, referee {Добро пожаловать в {clinic_name}: вы пришли по рекомендации, и за это вам положена награда} other {Спасибо, что рекомендуете {clinic_name}}}. Ваша награда: {reward}.\n\n{url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: {side, select, referee {добро пожаловать! Вы пришли по рекомендации} other {спасибо за рекомендацию!}}. Ваша награда: {reward}. {url}',
    },
  },
  card_link: {
    email: {
      subject: 'Ваша карта {clinic_name}',
      body: 'Здравствуйте, {first_name}!\n\nВаша карта, баллы и подарки — на этой странице. Сохраните её в телефоне:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: ваша карта, баллы и подарки: {url}' },
  },
  staff_sign_in: {
    email: {
      subject: 'Вход в {clinic_name} в Gratia',
      body: 'Здравствуйте, {first_name}!\n\nПерейдите по этой ссылке, чтобы войти в консоль {clinic_name}. Она действует один раз и скоро истечёт:\n{url}\n\nЕсли вы не запрашивали вход, просто проигнорируйте это письмо.',
    },
    sms: { subject: null, body: 'Вход в {clinic_name} в Gratia: {url}' },
  },
};

/** Defaults per language: every language has every kind on every channel (a test checks they compile). */
export const DEFAULT_TEMPLATES: Readonly<Record<PatientLocale, Defaults>> = { en, es, ru };
