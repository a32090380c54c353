/**
 * How payments find a payment method's kind and signing secret: the catalogue's PaymentMethodsService fits this
 * shape (main.ts passes it); tests may pass their own.
 */

export interface PaymentMethodInfo {
  readonly id: number;
  /** 'balance' | 'external' | 'manual' */
  readonly kind: string;
  /** External methods: the decrypted signing secret. */
  readonly secret?: string | null | undefined;
}

export interface PaymentMethodSource {
  /** Throws TG_ERR_PAYMENT_METHOD_NOT_FOUND for an unknown id. */
  get(id: number): Promise<PaymentMethodInfo>;
}
