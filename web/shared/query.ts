/**
 * The consoles' TanStack Query client: no retries on refusals from the API (a code other than 200 will not
 * change by asking again), one retry on network failures, and data kept fresh for a few seconds.
 */
import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/client.js';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        retry: (count, err) => !(err instanceof ApiError && err.code !== 0) && count < 1,
      },
      mutations: { retry: false },
    },
  });
}
