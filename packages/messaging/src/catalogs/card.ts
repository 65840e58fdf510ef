import type { Catalogs } from '../i18n';

// The words of the patient's card page (/c/{token}), in every patient language. ICU MessageFormat:
// plurals by the language's own rules (Russian has one/few/many), money and dates are formatted by the
// page with Intl and passed in as strings.

export type CardKey =
  | 'title'
  | 'hello'
  | 'cardHeading'
  | 'holder'
  | 'number'
  | 'barcodeAlt'
  | 'qrAlt'
  | 'showAtCounter'
  | 'balanceHeading'
  | 'points'
  | 'worth'
  | 'nextExpiry'
  | 'noExpiry'
  | 'tierHeading'
  | 'tier'
  | 'noTier'
  | 'progress'
  | 'progressLabel'
  | 'topTier'
  | 'giftsHeading'
  | 'gift'
  | 'giftOpen'
  | 'noGifts'
  | 'language'
  | 'photoHeading'
  | 'photoHelp'
  | 'photoAlt'
  | 'photoFile'
  | 'photoAdd'
  | 'photoReplace'
  | 'photoRemove'
  | 'photoSaved'
  | 'photoRemoved'
  | 'photoTooLarge'
  | 'photoBadType'
  | 'photoEmpty'
  | 'notValidTitle'
  | 'notValid';

export const CARD_CATALOGS: Catalogs<CardKey> = {
  en: {
    title: 'Your card at {clinic}',
    hello: 'Hello, {name}.',
    cardHeading: 'Your card',
    holder: 'Card holder',
    number: 'Card number',
    barcodeAlt: 'Barcode of card number {number}',
    qrAlt: 'QR code of card number {number}',
    showAtCounter: 'Show this page at a partner’s counter to use your points.',
    balanceHeading: 'Your points',
    points: '{count, plural, one {# point} other {# points}}',
    worth: 'worth {money}',
    nextExpiry: '{count, plural, one {# point expires} other {# points expire}} on {date}.',
    noExpiry: 'No points are about to expire.',
    tierHeading: 'Your discount',
    tier: 'Your discount at {clinic}: {percent}.',
    noTier: 'You have no discount yet.',
    progress: 'Spend {money} more to reach a {percent} discount.',
    progressLabel: 'Progress to the next discount',
    topTier: 'You have the highest discount.',
    giftsHeading: 'Your gifts',
    gift: '{title}, valid until {date}',
    giftOpen: 'Open the gift',
    noGifts: 'You have no gifts to use right now.',
    language: 'Language',
    photoHeading: 'Your photo on the card',
    photoHelp:
      'The card is yours alone: a partner who scans it sees your photo to check it is you. JPEG, PNG or WebP, up to 2 MB.',
    photoAlt: 'Photo of {name}',
    photoFile: 'Photo',
    photoAdd: 'Add the photo',
    photoReplace: 'Replace the photo',
    photoRemove: 'Remove the photo',
    photoSaved: 'Your photo is saved.',
    photoRemoved: 'Your photo is removed.',
    photoTooLarge: 'The photo is too large: 2 MB at most.',
    photoBadType: 'The photo must be a JPEG, PNG or WebP image.',
    photoEmpty: 'Choose a photo first.',
    notValidTitle: 'This link is not valid',
    notValid: 'Check that you opened the whole link, or ask the clinic to send it again.',
  },
  es: {
    title: 'Tu tarjeta en {clinic}',
    hello: 'Hola, {name}.',
    cardHeading: 'Tu tarjeta',
    holder: 'Titular',
    number: 'Número de tarjeta',
    barcodeAlt: 'Código de barras de la tarjeta número {number}',
    qrAlt: 'Código QR de la tarjeta número {number}',
    showAtCounter: 'Muestra esta página en el mostrador de un socio para usar tus puntos.',
    balanceHeading: 'Tus puntos',
    points: '{count, plural, one {# punto} other {# puntos}}',
    worth: 'equivalen a {money}',
    nextExpiry: '{count, plural, one {# punto caduca} other {# puntos caducan}} el {date}.',
    noExpiry: 'No hay puntos a punto de caducar.',
    tierHeading: 'Tu descuento',
    tier: 'Tu descuento en {clinic}: {percent}.',
    noTier: 'Todavía no tienes descuento.',
    progress: 'Gasta {money} más para llegar a un descuento del {percent}.',
    progressLabel: 'Progreso hacia el siguiente descuento',
    topTier: 'Tienes el descuento más alto.',
    giftsHeading: 'Tus regalos',
    gift: '{title}, válido hasta el {date}',
    giftOpen: 'Abrir el regalo',
    noGifts: 'Ahora no tienes regalos para usar.',
    language: 'Idioma',
    photoHeading: 'Tu foto en la tarjeta',
    photoHelp:
      'La tarjeta es solo tuya: el socio que la escanea ve tu foto para comprobar que eres tú. JPEG, PNG o WebP, hasta 2 MB.',
    photoAlt: 'Foto de {name}',
    photoFile: 'Foto',
    photoAdd: 'Añadir la foto',
    photoReplace: 'Cambiar la foto',
    photoRemove: 'Quitar la foto',
    photoSaved: 'Tu foto se ha guardado.',
    photoRemoved: 'Tu foto se ha quitado.',
    photoTooLarge: 'La foto es demasiado grande: 2 MB como máximo.',
    photoBadType: 'La foto debe ser una imagen JPEG, PNG o WebP.',
    photoEmpty: 'Elige primero una foto.',
    notValidTitle: 'Este enlace no es válido',
    notValid: 'Comprueba que has abierto el enlace completo o pide a la clínica que lo envíe de nuevo.',
  },
  ru: {
    title: 'Ваша карта в {clinic}',
    hello: 'Здравствуйте, {name}.',
    cardHeading: 'Ваша карта',
    holder: 'Владелец карты',
    number: 'Номер карты',
    barcodeAlt: 'Штрихкод карты номер {number}',
    qrAlt: 'QR-код карты номер {number}',
    showAtCounter: 'Покажите эту страницу на кассе партнёра, чтобы списать баллы.',
    balanceHeading: 'Ваши баллы',
    points: '{count, plural, one {# балл} few {# балла} many {# баллов} other {# балла}}',
    worth: 'на сумму {money}',
    nextExpiry:
      '{count, plural, one {# балл сгорит} few {# балла сгорят} many {# баллов сгорят} other {# балла сгорят}} {date}',
    noExpiry: 'Баллов, которые скоро сгорят, нет.',
    tierHeading: 'Ваша скидка',
    tier: 'Ваша скидка в {clinic}: {percent}.',
    noTier: 'У вас пока нет скидки.',
    progress: 'Потратьте ещё {money}, чтобы получить скидку {percent}.',
    progressLabel: 'Путь к следующей скидке',
    topTier: 'У вас самая высокая скидка.',
    giftsHeading: 'Ваши подарки',
    gift: '{title}, действует до {date}',
    giftOpen: 'Открыть подарок',
    noGifts: 'Сейчас у вас нет подарков.',
    language: 'Язык',
    photoHeading: 'Ваше фото на карте',
    photoHelp:
      'Карта только ваша: партнёр, который её сканирует, видит ваше фото и может убедиться, что это вы. JPEG, PNG или WebP, до 2 МБ.',
    photoAlt: 'Фото: {name}',
    photoFile: 'Фото',
    photoAdd: 'Добавить фото',
    photoReplace: 'Заменить фото',
    photoRemove: 'Удалить фото',
    photoSaved: 'Фото сохранено.',
    photoRemoved: 'Фото удалено.',
    photoTooLarge: 'Фото слишком большое: не более 2 МБ.',
    photoBadType: 'Фото должно быть в формате JPEG, PNG или WebP.',
    photoEmpty: 'Сначала выберите фото.',
    notValidTitle: 'Ссылка недействительна',
    notValid: 'Проверьте, что открыли ссылку целиком, или попросите клинику отправить её ещё раз.',
  },
};
