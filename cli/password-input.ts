/**
 * Reads a password for `gridlink users`: from standard input for scripts (one trailing newline
 * dropped), or from the terminal without echo, asked twice.
 */
export async function readPassword(options: { fromStdin: boolean; confirm: boolean }): Promise<string> {
  if (options.fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (!text) throw new Error('no password on standard input');
    return text;
  }
  if (!process.stdin.isTTY) throw new Error('no terminal to ask for the password: pipe it in with --password-stdin');
  const first = await askHidden('Password: ');
  if (options.confirm && (await askHidden('Password again: ')) !== first) throw new Error('the two passwords differ; nothing was changed');
  return first;
}

function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err: Error | null) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
