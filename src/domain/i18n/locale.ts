/** The languages chronops speaks (LOCALE). Domain code takes one as an argument, never reads config. */
export type Locale = 'en' | 'fr';
