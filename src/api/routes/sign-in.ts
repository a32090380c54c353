/**
 * Password sign-in with an optional second factor, shared by the customer API's auth/login and the dashboard's
 * user/login, so both are throttled alike and neither lets a user with a second factor in on a password alone.
 *
 * The password is budgeted as auth/login always was (per client address and per account, TOLLGATE_LOGIN_*;
 * an agent username counts against the budget of the account it names). A user with a second factor is then
 * answered code 348 with the types to use (and, for `email`, a code is mailed); the same call repeated with
 * `verify_type` and `verify_code` completes it. Wrong codes are budgeted per user, from every address together,
 * with the same numbers, so a password known to an attacker does not open a code-guessing race.
 */
import type { FastifyRequest } from 'fastify';
import {
  maskEmail,
  normalizeEmail,
  normalizeUsername,
  type SecondFactorsService,
  type User,
  type UsersService,
  VERIFY_TYPES,
  type VerifyType,
} from '../../accounts/index.js';
import { AppError } from '../../errors/index.js';
import { type AttemptGuard, isRefused } from '../../throttle/index.js';
import { languageOf } from '../language.js';

export interface SignInDeps {
  readonly users: UsersService;
  readonly secondFactors: SecondFactorsService;
  /** Password failures per client address and per account (TOLLGATE_LOGIN_*). */
  readonly loginGuard: AttemptGuard;
  /** Second-factor failures per user. */
  readonly codeGuard: AttemptGuard;
}

export type SignInIdentity = { readonly email: string } | { readonly username: string };

export interface SignInInput {
  readonly identity: SignInIdentity;
  readonly password: string;
  readonly verifyType?: string | undefined;
  readonly verifyCode?: string | undefined;
}

/** TG_ERR_AUTH_THROTTLED with its retry time (sent as Retry-After too). */
export function throttled(seconds: number): AppError {
  return new AppError('TG_ERR_AUTH_THROTTLED', { params: { after: `${seconds}s`, seconds } });
}

/** The signed-in user, or a catalogued refusal (wrong password, throttled, disabled, 348, wrong code). */
export async function signIn(deps: SignInDeps, request: FastifyRequest, input: SignInInput): Promise<User> {
  const byEmail = 'email' in input.identity;
  let account: string;
  if ('email' in input.identity) account = normalizeEmail(input.identity.email);
  else {
    // The budget is the account's, whichever name it is signed in with.
    const named = await deps.users.findByUsername(input.identity.username);
    account = named ? named.email : `username:${normalizeUsername(input.identity.username)}`;
  }
  // Reserved before the password is hashed, so concurrent guesses cannot outrun the budgets.
  const attempt = deps.loginGuard.begin(request.ip, account);
  if (isRefused(attempt)) throw throttled(attempt.retryAfterSeconds);
  let user: User | undefined;
  try {
    user =
      'email' in input.identity
        ? await deps.users.login(input.identity.email, input.password)
        : await deps.users.loginByUsername(input.identity.username, input.password);
  } catch (err) {
    // No answer about the password: the attempt is given back.
    attempt.settle(false);
    throw err;
  }
  attempt.settle(!user);
  if (!user) throw new AppError(byEmail ? 'TG_ERR_AUTH_LOGIN_FAILED' : 'TG_ERR_AUTH_USERNAME_LOGIN_FAILED');
  if (user.status !== 1) throw new AppError('TG_ERR_AUTH_USER_DISABLED');

  const { required, types } = await deps.secondFactors.required(user.id);
  if (!required) return user;
  if (input.verifyType === undefined || input.verifyCode === undefined) {
    let emailSent = false;
    if (types.includes('email')) emailSent = (await deps.secondFactors.sendEmailCode(user, 'login', languageOf(request))).sent;
    throw new AppError('TG_ERR_AUTH_SECOND_FACTOR_REQUIRED', {
      data: {
        verify_type: types,
        ...(types.includes('email') ? { email: maskEmail(user.email), email_sent: emailSent } : {}),
      },
    });
  }
  const type = input.verifyType as VerifyType;
  if (!(VERIFY_TYPES as readonly string[]).includes(type) || !types.includes(type)) {
    throw new AppError('TG_ERR_AUTH_VERIFY_TYPE_UNAVAILABLE', {
      params: { type: input.verifyType },
      data: { verify_type: types },
    });
  }
  const check = deps.codeGuard.begin(`u${user.id}`);
  if (isRefused(check)) throw throttled(check.retryAfterSeconds);
  let ok = false;
  try {
    ok = await deps.secondFactors.verify(user.id, type, input.verifyCode, 'login');
  } finally {
    check.settle(!ok);
  }
  if (!ok) throw new AppError('TG_ERR_AUTH_VERIFY_CODE_INVALID');
  return user;
}
