import type { Catalogs } from '../i18n';

// The satisfaction survey (/s/{token}): 0-10, what could be better, words the clinic may quote.

type Key =
  | 'title'
  | 'heading'
  | 'done_heading'
  | 'done_item'
  | 'recommend'
  | 'low_end'
  | 'high_end'
  | 'improvement'
  | 'recommendation'
  | 'quote'
  | 'send'
  | 'footer'
  | 'thanks_title'
  | 'thanks_heading'
  | 'thanks_sent'
  | 'thanks_already'
  | 'choose_score';

export const SURVEY_PAGE: Catalogs<Key> = {
  en: {
    title: '{clinic}: how did we do?',
    heading: 'How did we do, {name}?',
    done_heading: 'You asked, we did it',
    done_item: 'You suggested “{text}”: we did it.',
    recommend: 'How likely are you to recommend {clinic} to a friend?',
    low_end: '0: not at all likely',
    high_end: '10: extremely likely',
    improvement: 'What could we do better?',
    recommendation: 'Would you like to recommend us in a few words?',
    quote: '{clinic} may quote my words with my first name',
    send: 'Send my answer',
    footer: 'Your answer goes to {clinic} only. This link takes one answer.',
    thanks_title: '{clinic}: thank you',
    thanks_heading: 'Thank you!',
    thanks_sent: 'Your answer has been sent. It helps us a lot.',
    thanks_already: 'Thank you: this survey has already been answered.',
    choose_score: 'Choose a number from 0 to 10.',
  },
  es: {
    title: '{clinic}: ¿qué tal lo hicimos?',
    heading: '¿Qué tal lo hicimos, {name}?',
    done_heading: 'Nos lo pidió y lo hicimos',
    done_item: 'Nos sugirió «{text}»: lo hemos hecho.',
    recommend: '¿Con qué probabilidad recomendaría {clinic} a un amigo?',
    low_end: '0: nada probable',
    high_end: '10: muy probable',
    improvement: '¿Qué podríamos hacer mejor?',
    recommendation: '¿Le gustaría recomendarnos en pocas palabras?',
    quote: '{clinic} puede citar mis palabras con mi nombre de pila',
    send: 'Enviar mi respuesta',
    footer: 'Su respuesta solo llega a {clinic}. Este enlace admite una sola respuesta.',
    thanks_title: '{clinic}: gracias',
    thanks_heading: '¡Gracias!',
    thanks_sent: 'Su respuesta se ha enviado. Nos ayuda mucho.',
    thanks_already: 'Esta encuesta ya se ha respondido. ¡Gracias!',
    choose_score: 'Elija un número del 0 al 10.',
  },
  ru: {
    title: '{clinic}: как всё прошло?',
    heading: 'Как всё прошло, {name}?',
    done_heading: 'Вы предложили — мы сделали',
    done_item: 'Вы предложили «{text}» — мы это сделали.',
    recommend: 'Насколько вероятно, что вы порекомендуете {clinic} другу?',
    low_end: '0: совсем маловероятно',
    high_end: '10: очень вероятно',
    improvement: 'Что мы могли бы сделать лучше?',
    recommendation: 'Хотите порекомендовать нас в нескольких словах?',
    quote: '{clinic} может цитировать мои слова с моим именем',
    send: 'Отправить ответ',
    footer: 'Ваш ответ увидит только {clinic}. По этой ссылке можно ответить один раз.',
    thanks_title: '{clinic}: спасибо',
    thanks_heading: 'Спасибо!',
    thanks_sent: 'Ваш ответ отправлен. Он нам очень помогает.',
    thanks_already: 'На этот опрос уже ответили. Спасибо!',
    choose_score: 'Выберите число от 0 до 10.',
  },
};
