import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createUser } from '../../support/users.js';

interface Answer {
  status: number;
  error: { code: string; message: string; fields?: Record<string, string> };
}

/**
 * How the API reads a request's body, seen through POST /api/v1/auth/token: a wrong password (401) means the body
 * was read, a validation error naming both fields (400) means the API saw no fields.
 */
describe('The JSON API: reading request bodies', () => {
  let app: TestApp;
  const credentials = JSON.stringify({ username: 'json.body', password: 'not-the-password' });

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    await createUser({ role: 'county-governor', placeCode: '0207', username: 'json.body' });
    app = await startTestApp();
  });
  after(() => app.stop());

  /** Sends `body` exactly as given: no Content-Length when `chunked`, every header as written. */
  const send = (body: string | Buffer, headers: Record<string, string>, chunked = false) =>
    new Promise<Answer>((resolve, reject) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      const req = request(`${app.baseUrl}/api/v1/auth/token`, { method: 'POST', headers: chunked ? headers : { 'content-length': String(bytes.length), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, ...(JSON.parse(Buffer.concat(chunks).toString()) as { error: Answer['error'] }) }));
      });
      req.on('error', reject);
      if (chunked) {
        for (let at = 0; at < bytes.length; at += 16_384) req.write(bytes.subarray(at, at + 16_384));
        req.end();
      } else req.end(bytes);
    });
  const json = { 'content-type': 'application/json' };
  const read = { status: 401, code: 'invalidCredentials' };
  const summary = (answer: Answer) => ({ status: answer.status, code: answer.error.code });

  it('reads JSON sent as application/json, with or without a UTF-8 charset, in any case of the type', async () => {
    expect(summary(await send(credentials, json))).to.deep.equal(read);
    expect(summary(await send(credentials, { 'content-type': 'application/json; charset=utf-8' }))).to.deep.equal(read);
    expect(summary(await send(credentials, { 'content-type': 'Application/JSON; charset=UTF-8' }))).to.deep.equal(read);
  });

  it('reads JSON with a byte order mark, leading white space, or in more than one chunk', async () => {
    expect(summary(await send(`\uFEFF${credentials}`, json))).to.deep.equal(read);
    expect(summary(await send(`\r\n\t ${credentials}`, json))).to.deep.equal(read);
    expect(summary(await send(credentials, json, true))).to.deep.equal(read);
  });

  it('reads a body compressed with gzip', async () => {
    expect(summary(await send(gzipSync(credentials), { ...json, 'content-encoding': 'gzip' }))).to.deep.equal(read);
  });

  it('reads an empty JSON body as no fields, and names them in the reader’s language', async () => {
    const answer = await send('', { ...json, 'accept-language': 'en' });
    expect(answer.status).to.equal(400);
    expect(answer.error.fields).to.have.keys('username', 'password');
    expect(answer.error.fields!.username).to.match(/^[ -~]+$/);
  });

  it('does not read a body that is not JSON', async () => {
    const answer = await send(credentials, { 'content-type': 'text/plain' });
    expect(answer.status).to.equal(400);
    expect(answer.error.fields).to.have.keys('username', 'password');
  });

  it('refuses malformed JSON and JSON that is neither an object nor a list with a 400 in the reader’s language', async () => {
    for (const body of ['{"username":', '"json.body"', '{"username": "json.body"}}']) {
      const answer = await send(body, { ...json, 'accept-language': 'en' });
      expect(summary(answer), body).to.deep.equal({ status: 400, code: 'badRequest' });
      expect(answer.error.message).to.match(/^[ -~]+$/);
    }
  });

  it('refuses a body over 100 kB, announced or not, with a 413', async () => {
    const long = JSON.stringify({ username: 'json.body', password: 'x'.repeat(110_000) });
    expect(summary(await send(long, json))).to.deep.equal({ status: 413, code: 'badRequest' });
    expect(summary(await send(long, json, true))).to.deep.equal({ status: 413, code: 'badRequest' });
  });

  it('refuses a charset other than UTF-8 with a 415', async () => {
    expect(summary(await send(credentials, { 'content-type': 'application/json; charset=latin1' }))).to.deep.equal({ status: 415, code: 'badRequest' });
  });
});
