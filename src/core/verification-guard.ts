/**
 * What stands around every verification of a secret (an Argon2 check, tens of milliseconds of
 * CPU): the failed-log-in limits and the cap on concurrent verifications
 * (src/rate-limit/login-guard.ts). `begin` reserves the attempt as a failure before anything is
 * verified, and throws 429 when that reservation is over a limit, so any number of concurrent
 * guesses verify at most as many secrets as the limits allow.
 */
export type VerificationGuard = {
  begin(name: string): Promise<(succeeded: boolean) => Promise<void>>;
};

/** For callers outside HTTP (the CLI, tests of services): nothing to guard against. */
export const UNGUARDED: VerificationGuard = { begin: async () => async () => undefined };

/** Runs `verify` inside the guard: a success releases the reservation, a failure keeps it. */
export async function guardedVerify(
  guard: VerificationGuard,
  name: string,
  verify: () => Promise<boolean>,
): Promise<boolean> {
  const end = await guard.begin(name);
  let ok = false;
  try {
    ok = await verify();
    return ok;
  } finally {
    await end(ok);
  }
}
