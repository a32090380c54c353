/**
 * The customer portal, served at `/`: sign-in, then the customer's pages, every one calling the real customer
 * API with the session cookie (web/shared/api/client.ts).
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../shared/i18n.js';
import { createQueryClient } from '../shared/query.js';
import '../shared/styles.css';
import './portal.css';
import { prefetchAtStart } from './api.js';
import { LANGUAGE_STORE } from './early.js';
import { App } from './App.js';
import en from './locales/en.json';
import zh from './locales/zh.json';

const queryClient = createQueryClient();
// The session (and the page's first list) are asked for before anything renders.
const early = prefetchAtStart(queryClient);
const i18n = await createI18n({ en, zh }, LANGUAGE_STORE);
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <App early={early} />
      </QueryClientProvider>
    </I18nextProvider>
  </StrictMode>,
);
