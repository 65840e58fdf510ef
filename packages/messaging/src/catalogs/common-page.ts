import type { Catalogs } from '../i18n';

// Words every patient-facing page shares: the language switch and the page for a link that is not valid.

type Key = 'language' | 'not_valid_title' | 'not_valid_text' | 'link_personal';

export const COMMON_PAGE: Catalogs<Key> = {
  en: {
    language: 'Language',
    not_valid_title: 'This link is not valid',
    not_valid_text:
      'This link is not valid any more: it expired or was replaced. Ask the clinic for a new one.',
    link_personal: 'This link is personal: please do not share it.',
  },
  es: {
    language: 'Idioma',
    not_valid_title: 'Este enlace no es válido',
    not_valid_text:
      'Este enlace no es válido: puede que haya caducado o que se haya sustituido. Pida uno nuevo a la clínica.',
    link_personal: 'Este enlace es personal: por favor, no lo comparta.',
  },
  ru: {
    language: 'Язык',
    not_valid_title: 'Ссылка недействительна',
    not_valid_text:
      'Эта ссылка недействительна: возможно, срок её действия истёк или её заменили. Попросите в клинике новую.',
    link_personal: 'Это личная ссылка: пожалуйста, никому её не передавайте.',
  },
};
