import type { Catalogs } from '../i18n';

// The voucher page (/r/{token}): a gift, its state, the code to show at the counter, where to use it.

type Key =
  | 'title'
  | 'heading'
  | 'redeemed'
  | 'voided'
  | 'expired'
  | 'value'
  | 'value_left'
  | 'show_heading'
  | 'qr_alt'
  | 'valid_until'
  | 'where_heading'
  | 'book'
  | 'any_partner'
  | 'reference'
  | 'not_found';

export const VOUCHER_PAGE: Catalogs<Key> = {
  en: {
    title: 'A gift for {name}',
    heading: 'A gift for you, {name}: {gift}',
    redeemed: 'This gift has been redeemed. We hope you enjoyed it!',
    voided: 'This gift has been withdrawn by the clinic. Please contact them with any questions.',
    expired: 'This gift expired on {date}.',
    value: 'Value: {amount}',
    value_left: '({amount} left)',
    show_heading: 'Show this code at the counter',
    qr_alt: 'QR code of your gift voucher',
    valid_until: 'Valid until {date}.',
    where_heading: 'Where',
    book: 'Book your appointment',
    any_partner:
      'Any {category, select, massage {massage} photography {photography} pharmacy {pharmacy} other {{category}}} partner of the network.',
    reference: 'Reference {id}',
    not_found:
      'We could not find a gift for this link. Please check that the whole link was copied, or ask your clinic to send it again.',
  },
  es: {
    title: 'Un regalo para {name}',
    heading: 'Un regalo para usted, {name}: {gift}',
    redeemed: 'Este regalo ya se ha canjeado. ¡Esperamos que lo haya disfrutado!',
    voided: 'La clínica ha retirado este regalo. Póngase en contacto con ella si tiene alguna pregunta.',
    expired: 'Este regalo caducó el {date}.',
    value: 'Valor: {amount}',
    value_left: '(quedan {amount})',
    show_heading: 'Muestre este código en el mostrador',
    qr_alt: 'Código QR de su vale regalo',
    valid_until: 'Válido hasta el {date}.',
    where_heading: 'Dónde',
    book: 'Reserve su cita',
    any_partner:
      'En cualquier socio de la red del sector {category, select, massage {masajes} photography {fotografía} pharmacy {farmacia} other {{category}}}.',
    reference: 'Referencia {id}',
    not_found:
      'No encontramos ningún regalo para este enlace. Compruebe que ha copiado el enlace completo o pida a su clínica que se lo envíe de nuevo.',
  },
  ru: {
    title: 'Подарок для {name}',
    heading: 'Подарок для вас, {name}: {gift}',
    redeemed: 'Этот подарок уже использован. Надеемся, вам понравилось!',
    voided: 'Клиника отозвала этот подарок. Если у вас есть вопросы, свяжитесь с ней.',
    expired: 'Срок действия подарка истёк {date}.',
    value: 'Номинал: {amount}',
    value_left: '(осталось {amount})',
    show_heading: 'Покажите этот код на стойке',
    qr_alt: 'QR-код вашего подарочного сертификата',
    valid_until: 'Действует до {date}.',
    where_heading: 'Где',
    book: 'Записаться',
    any_partner:
      'У любого партнёра сети в категории «{category, select, massage {массаж} photography {фотография} pharmacy {аптека} other {{category}}}».',
    reference: 'Номер {id}',
    not_found:
      'Мы не нашли подарок по этой ссылке. Проверьте, что ссылка скопирована целиком, или попросите клинику прислать её ещё раз.',
  },
};
