import type { Command } from 'commander';
import { openDatabase } from '../db/connect.ts';
import type { Role } from '../db/tables/web.ts';
import { startServer } from '../web/server.ts';
import { addUser, listUsers, ROLES, setPassword, validateNewUser } from '../web/users.ts';
import { passwordProblem } from '../web/security/passwords.ts';
import { readPassword } from './password-input.ts';
import { positiveInt, withDatabase, type CommandEnv } from './shared.ts';

function role(value: string): Role {
  if (!(ROLES as string[]).includes(value)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(/[,;\s]+/).filter(Boolean)];
}

/** `gridlink serve`, `gridlink users`: the stewards' and inspectors' pages and their accounts. */
export function registerWebCommands(program: Command, { out }: CommandEnv): void {
  program
    .command('serve')
    .description('serve the stewards\' and inspectors\' web pages (sign-in required) on this database')
    .option('--port <n>', 'port to listen on', positiveInt, 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface; put https in front of it)', '127.0.0.1')
    .option('--secure-cookies', 'mark session cookies Secure: use when the pages are reached over https', process.env.GRIDLINK_SECURE_COOKIES === '1')
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (only behind your own reverse proxy)', false)
    .option('--session-hours <n>', 'how long a sign-in lasts', positiveInt, 8)
    .action(async (opts: { port: number; host: string; secureCookies: boolean; trustProxy: boolean; sessionHours: number }) => {
      // One Database for the whole process: an embedded PGlite folder cannot be opened twice.
      const database = await openDatabase();
      try {
        const users = await listUsers(database.db);
        const server = await startServer(database, { port: opts.port, host: opts.host, secureCookies: opts.secureCookies, trustProxy: opts.trustProxy, sessionMinutes: opts.sessionHours * 60 });
        out.write(`gridlink pages at ${server.url}/ (database: ${database.location}); Ctrl-C stops\n`);
        if (users.length === 0) out.write('No users yet: create one with "gridlink users add NAME --role admin" (in another terminal only with DATABASE_URL; the embedded database is locked while serving).\n');
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
      } finally {
        await database.close();
      }
    });

  const users = program.command('users').description('who may sign in to the web pages');
  users
    .command('add <name>')
    .description('create a user; the password is asked for twice, or read from stdin with --password-stdin')
    .requiredOption('--role <role>', `${ROLES.join(' | ')}: stewards settle matches and placements, inspectors see their own grids`, role)
    .option('--grid <code...>', 'grid codes an inspector is responsible for (a level-1 grid includes its level-2 grids)', collect, [])
    .option('--display-name <name>', 'name shown on the pages, e.g. 张明')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .action(async (name: string, opts: { role: Role; grid: string[]; displayName?: string; passwordStdin?: boolean }) => {
      const password = await readPassword({ fromStdin: opts.passwordStdin === true, confirm: true });
      const input = { username: name, role: opts.role, password, grids: opts.grid, displayName: opts.displayName ?? null };
      validateNewUser(input); // before opening the database: a typo should fail at once
      const user = await withDatabase((d) => addUser(d.db, input));
      out.write(`user ${user.username} added (${user.role}${user.grids.length ? `; grids ${user.grids.join(', ')}` : ''})\n`);
    });
  users
    .command('passwd <name>')
    .description('set a new password (signs the user out everywhere)')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .action(async (name: string, opts: { passwordStdin?: boolean }) => {
      const password = await readPassword({ fromStdin: opts.passwordStdin === true, confirm: true });
      const problem = passwordProblem(password);
      if (problem) throw new Error(problem);
      await withDatabase((d) => setPassword(d.db, name, password));
      out.write(`password of ${name} changed\n`);
    });
  users
    .command('list')
    .description('the users, their roles and grids')
    .action(async () => {
      const list = await withDatabase((d) => listUsers(d.db));
      if (list.length === 0) {
        out.write('no users yet: gridlink users add NAME --role admin\n');
        return;
      }
      for (const u of list) {
        out.write(`${u.username}\t${u.role}\t${u.grids.join(',') || '-'}\t${u.displayName ?? ''}${u.disabled ? '\t(disabled)' : ''}\n`);
      }
    });
}
