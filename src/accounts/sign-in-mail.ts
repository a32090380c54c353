/**
 * Mailing sign-in codes over SMTP (nodemailer). Only the second-factor service sends mail; a platform without
 * TOLLGATE_SMTP_URL has no Mailer and email codes are off.
 */
import type { Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config/index.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends one message; rejects when the server refuses it or cannot be reached. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * nodemailer is loaded with the first message sent: it is a large module that start-up (`serve`, every CLI
 * command) need not pay for (npm run bench:startup).
 */
export class SmtpMailer implements Mailer {
  readonly #config: SmtpConfig;
  #transport: Promise<Transporter> | undefined;

  constructor(config: SmtpConfig) {
    this.#config = config;
  }

  #open(): Promise<Transporter> {
    const config = this.#config;
    this.#transport ??= import('nodemailer').then(({ createTransport }) => {
      const implicitTls = config.url.toLowerCase().startsWith('smtps:');
      return createTransport(
        {
          url: config.url,
          // smtp:// upgrades with STARTTLS when offered; with requireTls it refuses to send in the clear.
          ...(!implicitTls && config.requireTls ? { requireTLS: true } : {}),
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 20_000,
          // nodemailer's own logger would print the conversation; failures are reported by the caller.
          logger: false,
        },
        { from: config.from },
      );
    });
    return this.#transport;
  }

  async send(message: MailMessage): Promise<void> {
    const transport = await this.#open();
    await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
  }

  close(): void {
    void this.#transport?.then((transport) => transport.close());
  }
}
