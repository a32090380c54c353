/**
 * The operator console, served at /console. A placeholder until the operator side lands: it shows that the
 * console's page, its assets and its i18n load under the strict CSP.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../shared/components/LanguageSwitch.js';
import { createI18n } from '../shared/i18n.js';
import '../shared/styles.css';
import en from './locales/en.json';
import zh from './locales/zh.json';

function Placeholder() {
  const { t } = useTranslation();
  return (
    <main id="main" className="signin">
      <div className="panel">
        <div className="signin-header">
          <h1>{t('console.title')}</h1>
          <LanguageSwitch />
        </div>
        <p>{t('console.placeholder')}</p>
      </div>
    </main>
  );
}

const i18n = await createI18n({ en, zh }, 'tollgate.console.lng');
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <Placeholder />
    </I18nextProvider>
  </StrictMode>,
);
