/**
 * The interactive shell in a real terminal (a pseudo-terminal made by Python's pty module):
 * Ctrl-C stops a running push query and returns to the prompt, which still takes statements;
 * and with piped input, SIGINT during a push query ends the shell cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, until } from '../server/helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'riffle.js');

// Runs `riffle sql` in a pty; feeds each step's input once the output matches the step's pattern.
const DRIVER = String.raw`
import os, pty, sys, time, json, re, select
steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], [sys.argv[2]] + sys.argv[3:])
out = b''
def read_until(pattern, timeout):
    global out
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
            if re.search(pattern.encode(), out):
                return True
    return False
for wait_for, send in steps:
    if not read_until(wait_for, 30):
        sys.stdout.write(out.decode(errors='replace'))
        sys.stdout.write('\n!!TIMEOUT waiting for ' + wait_for)
        os.kill(pid, 9)
        sys.exit(1)
    os.write(fd, send.encode())
read_until(r'\$\$never\$\$', 3)
sys.stdout.write(out.decode(errors='replace'))
_, status = os.waitpid(pid, 0)
sys.stdout.write('\n!!EXIT ' + str(os.waitstatus_to_exitcode(status)))
`;

test('Ctrl-C in the shell stops the push query and returns to a working prompt', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-shell-'));
  try {
    const steps = [
      ['riffle> ', "CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\r"],
      ['Stream created', "INSERT INTO s (id, v) VALUES ('a', 1);\r"],
      ['Inserted 1 row', "SET 'auto.offset.reset' = 'earliest';\r"],
      ['Successfully changed', 'SELECT * FROM s EMIT CHANGES;\r'],
      ['\\| a\\s+\\| 1', '\x03'],
      ['Query terminated', 'SHOW STREAMS;\r'],
      ['\\| S\\s+\\| s', 'exit\r'],
    ];
    const r = spawnSync('python3', ['-c', DRIVER, JSON.stringify(steps), process.execPath, BIN, 'sql', '--data-dir', dir], { encoding: 'utf8', timeout: 80_000, env: { ...process.env, HOME: dir } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 row\. Query terminated\./);
    assert.match(r.stdout, /!!EXIT 0$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C also stops a push query running on a server (client mode), and the server ends it', { timeout: 90_000 }, async () => {
  const ts = await startTestServer();
  try {
    const steps = [
      ['riffle> ', "CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\r"],
      ['Stream created', "INSERT INTO s (id, v) VALUES ('a', 1);\r"],
      ['Inserted 1 row', "SET 'auto.offset.reset' = 'earliest';\r"],
      ['Successfully changed', 'SELECT * FROM s EMIT CHANGES;\r'],
      ['\\| a\\s+\\| 1', '\x03'],
      ['Query terminated', 'SHOW STREAMS;\r'],
      ['\\| S\\s+\\| s', 'exit\r'],
    ];
    const child = spawn('python3', ['-c', DRIVER, JSON.stringify(steps), process.execPath, BIN, 'sql', '--server', ts.url], { env: { ...process.env, HOME: ts.dir } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0, out);
    assert.match(out, /on the Riffle server at http/);
    assert.match(out, /1 row\. Query terminated\./);
    assert.match(out, /!!EXIT 0$/);
    await until(() => ts.server.queries.size === 0, 5000, `the server to end the push query (${ts.server.queries.ids()})`);
  } finally {
    await ts.close();
  }
});

test('piped input: SIGINT during a push query ends the shell cleanly', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-shell-pipe-'));
  try {
    const child = spawn(process.execPath, [BIN, 'sql', '--data-dir', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.write("CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\nINSERT INTO s (id, v) VALUES ('a', 1);\nSET 'auto.offset.reset' = 'earliest';\nSELECT * FROM s EMIT CHANGES;\n");
    child.stdin.end();
    for (let i = 0; i < 300 && !/\| a\s+\| 1/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /\| a\s+\| 1/);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0, out);
    assert.match(out, /Query terminated/);
    assert.doesNotMatch(out, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('piped input that ends during an open-ended push query: the rows there are delivered, then the shell ends by itself', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-shell-eof-'));
  try {
    const child = spawn(process.execPath, [BIN, 'sql', '--data-dir', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const t0 = Date.now();
    child.stdin.end(
      "CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\n" +
        "INSERT INTO s (id, v) VALUES ('a', 1);\nINSERT INTO s (id, v) VALUES ('b', 2);\n" +
        "SET 'auto.offset.reset' = 'earliest';\nSELECT * FROM s EMIT CHANGES;\n",
    );
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0, out);
    assert.match(out, /\| a\s+\| 1/);
    assert.match(out, /\| b\s+\| 2/);
    assert.match(out, /2 rows\. Query terminated/);
    assert.doesNotMatch(out, /\n\s+at /);
    assert.ok(Date.now() - t0 < 30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
