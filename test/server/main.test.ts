import { spawn } from 'node:child_process';
import { expect } from 'chai';

/** Runs `npm start`'s entry point as a separate process and collects what it logs until `until` matches. */
function start(env: Record<string, string>, until: RegExp, timeoutMs = 60_000): Promise<{ output: string; code: number | null; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`timed out; output so far:\n${output}`));
    }, timeoutMs);
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) {
        clearTimeout(timer);
        resolve({ output, code: null, stop: () => child.kill('SIGTERM') });
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code, stop: () => {} });
    });
  });
}

describe('Starting the application', function () {
  this.timeout(90_000);

  it('stops at once on a bad setting, naming it', async () => {
    const run = await start({ PORT: 'eighty', MONGODB_URI: '' }, /$^/);
    expect(run.code).to.equal(78);
    expect(run.output).to.contain('PORT');
  });

  it('on an empty embedded database loads the places and the demo accounts, then serves the login page', async () => {
    const run = await start({ DATA_DIR: ':memory:', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URI: '' }, /"msg":"listening"/);
    try {
      expect(run.output).to.match(/"created":10766,"rejected":0,"msg":"census places loaded"/);
      expect(run.output).to.match(/"msg":"demo accounts created/);
      const url = /"url":"([^"]+)","msg":"listening"/.exec(run.output)![1]!;
      const login = await fetch(`${url}/login`);
      expect(login.status).to.equal(200);
      expect(await login.text()).to.contain('dir="rtl"');
    } finally {
      run.stop();
    }
  });
});
