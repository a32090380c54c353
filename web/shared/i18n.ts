/**
 * The i18n core both consoles use: English and Simplified Chinese, taken from `?lng=`, then the choice stored
 * by the language switch, then the browser's languages; English when none matches. Each app passes its own
 * messages (web/<app>/locales/*.json); the shared messages (web/shared/locales) are merged under them, so
 * the two apps never edit the same file. The language also goes to the API as the `Language` header, so its
 * error messages come back in the same language.
 */
import i18next, { type i18n as I18n } from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import sharedEn from './locales/en.json';
import sharedZh from './locales/zh.json';

export const LANGUAGES = ['en', 'zh'] as const;
export type AppLanguage = (typeof LANGUAGES)[number];

export type Messages = Record<string, unknown>;

/** Initialises i18next for one app; `storageKey` keeps each app's choice apart. */
export async function createI18n(app: { en: Messages; zh: Messages }, storageKey = 'tollgate.lng'): Promise<I18n> {
  const instance = i18next.createInstance();
  await instance
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources: {
        en: { translation: { ...sharedEn, ...app.en } },
        zh: { translation: { ...sharedZh, ...app.zh } },
      },
      supportedLngs: [...LANGUAGES],
      nonExplicitSupportedLngs: true,
      load: 'languageOnly',
      fallbackLng: 'en',
      // Keys are flat ("overview.balance"): a dot is part of the name. React escapes what it renders.
      keySeparator: false,
      interpolation: { escapeValue: false },
      detection: {
        order: ['querystring', 'localStorage', 'navigator'],
        lookupQuerystring: 'lng',
        lookupLocalStorage: storageKey,
        caches: ['localStorage'],
      },
      returnNull: false,
    });
  const sync = () => {
    document.documentElement.lang = currentLanguage(instance) === 'zh' ? 'zh-CN' : 'en';
  };
  sync();
  instance.on('languageChanged', sync);
  return instance;
}

/** The app's language as the API names it (`language=zh|en`). */
export function currentLanguage(instance: I18n): AppLanguage {
  return (instance.resolvedLanguage ?? instance.language ?? 'en').startsWith('zh') ? 'zh' : 'en';
}
