import type { UserAccount } from '../../src/broker/users';
import { isRecord, readText } from './fields';
import { fail, ok, type Problem, problem, type Result } from './problems';

/** The credential that holds the passwords: JSON `{"<username>": "<password>", …}`. */
export const PASSWORDS_CREDENTIAL = 'passwords';

/** Reads the user names of the editor's list (their passwords live in the credentials). */
export function parseUsernames(list: readonly unknown[]): Result<string[]> {
  const names: string[] = [];
  for (const [index, raw] of list.entries()) {
    const username = isRecord(raw) ? readText(raw['username']) : undefined;
    if (username === undefined || !username.ok || username.value === '') {
      return fail('user-name', { n: index + 1 });
    }
    if (names.includes(username.value)) return fail('user-duplicate', { username: username.value });
    names.push(username.value);
  }
  return ok(names);
}

/**
 * The passwords credential as a map. It is JSON text, an object by username; a list of
 * `{username, password}` is read too. Anything unreadable counts as no passwords at all.
 */
function passwordMap(credential: unknown): Map<string, string> | undefined {
  const passwords = new Map<string, string>();
  if (credential === undefined || credential === null || credential === '') return passwords;
  let json: unknown = credential;
  if (typeof credential === 'string') {
    try {
      json = JSON.parse(credential);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(json)) {
    for (const entry of json) {
      if (isRecord(entry) && typeof entry['username'] === 'string' && typeof entry['password'] === 'string') {
        passwords.set(entry['username'], entry['password']);
      }
    }
    return passwords;
  }
  if (!isRecord(json)) return undefined;
  for (const [username, password] of Object.entries(json)) {
    if (typeof password === 'string') passwords.set(username, password);
  }
  return passwords;
}

/**
 * The configured users with their passwords. A user whose password is missing (credentials not
 * decrypted, never entered, or a damaged credential) is kept with an empty password, which the
 * authenticator never accepts, and reported as a warning: the broker starts, that user cannot log in.
 */
export function usersWithPasswords(
  usernames: readonly string[],
  credential: unknown,
): { users: UserAccount[]; warnings: Problem[] } {
  const warnings: Problem[] = [];
  const passwords = passwordMap(credential);
  if (passwords === undefined) warnings.push(problem('passwords-unreadable'));
  const users = usernames.map((username) => {
    const password = passwords?.get(username) ?? '';
    if (password === '' && passwords !== undefined) warnings.push(problem('user-no-password', { username }));
    return { username, password };
  });
  return { users, warnings };
}
