/** The operator console, served at /console: sign-in, then the operator pages (App). */
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createI18n, currentLanguage } from '../shared/i18n.js';
import { createQueryClient } from '../shared/query.js';
import '../shared/styles.css';
import { ApiContext, createConsoleApi } from './api.js';
import { App } from './App.js';
import en from './locales/en.json';
import zh from './locales/zh.json';

const i18n = await createI18n({ en, zh }, 'tollgate.console.lng');
const api = createConsoleApi(() => currentLanguage(i18n));
const queries = createQueryClient();

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queries}>
        <ApiContext.Provider value={api}>
          <App />
        </ApiContext.Provider>
      </QueryClientProvider>
    </I18nextProvider>
  </StrictMode>,
);
