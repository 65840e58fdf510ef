import type { Catalogs } from '../i18n';

// The questionnaire on the patient's link (/q/{token}): the page's own words. The clinic's questions
// stay as the clinic wrote them.

type Key =
  | 'heading'
  | 'saved'
  | 'stopped'
  | 'invalid'
  | 'required'
  | 'save'
  | 'contact_legend'
  | 'stop_heading'
  | 'stop_hint'
  | 'stop_email'
  | 'stop_sms';

export const QUESTIONNAIRE_PAGE: Catalogs<Key> = {
  en: {
    heading: '{title}, {name}',
    saved: 'Thank you! Your answers are saved. You can change them here until the link expires.',
    stopped:
      'Done: {clinic} will no longer send you {channel, select, email {e-mails} other {text messages (SMS)}}.',
    invalid: 'Some answers are missing or not among the choices. Please look at the questions marked below.',
    required: '(required)',
    save: 'Save my answers',
    contact_legend: 'May we contact you?',
    stop_heading: 'Stop messages',
    stop_hint: 'One tap, and {clinic} stops at once.',
    stop_email: 'Stop e-mails',
    stop_sms: 'Stop SMS',
  },
  es: {
    heading: '{title}, {name}',
    saved: '¡Gracias! Sus respuestas se han guardado. Puede cambiarlas aquí hasta que caduque el enlace.',
    stopped:
      'Hecho: {clinic} ya no le enviará {channel, select, email {correos electrónicos} other {mensajes de texto (SMS)}}.',
    invalid: 'Faltan algunas respuestas o no están entre las opciones. Revise las preguntas marcadas abajo.',
    required: '(obligatoria)',
    save: 'Guardar mis respuestas',
    contact_legend: '¿Podemos ponernos en contacto con usted?',
    stop_heading: 'Dejar de recibir mensajes',
    stop_hint: 'Con un toque, {clinic} deja de enviarlos al instante.',
    stop_email: 'No más correos',
    stop_sms: 'No más SMS',
  },
  ru: {
    heading: '{title}, {name}',
    saved: 'Спасибо! Ваши ответы сохранены. Их можно изменить здесь, пока ссылка действует.',
    stopped:
      'Готово: {clinic} больше не будет присылать вам {channel, select, email {письма} other {SMS-сообщения}}.',
    invalid:
      'Некоторые ответы пропущены или не совпадают с вариантами. Посмотрите на отмеченные ниже вопросы.',
    required: '(обязательно)',
    save: 'Сохранить ответы',
    contact_legend: 'Можно ли с вами связываться?',
    stop_heading: 'Отписаться от сообщений',
    stop_hint: 'Одно нажатие — и {clinic} сразу перестанет их присылать.',
    stop_email: 'Отписаться от писем',
    stop_sms: 'Отписаться от SMS',
  },
};
