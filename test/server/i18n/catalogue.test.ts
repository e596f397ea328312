import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { catalogueKeys, hasMessage, t } from '../../../server/i18n/index.js';
import { PLACE_LEVELS } from '../../../models/place.model.js';
import { ROLES } from '../../../server/auth/roles.js';
import { AGENCIES } from '../../../server/users/agencies.js';

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, ext) : path.endsWith(ext) ? [path] : [];
  });
}

describe('The fa/en message catalogue', () => {
  it('has exactly the same keys in Persian and English', () => {
    expect(catalogueKeys('en').sort()).to.deep.equal(catalogueKeys('fa').sort());
  });

  it('has every key a view asks for with {{t "…"}}', () => {
    const missing: string[] = [];
    for (const file of filesUnder('views', '.hbs')) {
      for (const [, key] of readFileSync(file, 'utf8').matchAll(/(?:\{\{|\()t "([^"]+)"/g)) if (!hasMessage(key!)) missing.push(`${file}: ${key}`);
      for (const [, key] of readFileSync(file, 'utf8').matchAll(/ (?:label|hint)="([a-z]+\.[\w.-]+)"/g)) if (!hasMessage(key!)) missing.push(`${file}: ${key}`);
    }
    expect(missing).to.deep.equal([]);
  });

  it('has every message key the server code names', () => {
    const domains = [...new Set(catalogueKeys('fa').map((k) => k.split('.')[0]))].join('|');
    const pattern = new RegExp(`['"\`]((?:${domains})\\.[A-Za-z][\\w.-]*)['"\`]`, 'g');
    const missing: string[] = [];
    for (const file of filesUnder('server', '.ts').filter((f) => !f.includes('/i18n/catalogue/') && !f.includes('/db/embedded/'))) {
      for (const [, key] of readFileSync(file, 'utf8').matchAll(pattern)) if (!hasMessage(key!) && !key!.endsWith('.')) missing.push(`${file}: ${key}`);
    }
    expect(missing).to.deep.equal([]);
  });

  it('names every place level, role and agency', () => {
    for (const level of PLACE_LEVELS) expect(hasMessage(`places.level.${level}`), level).to.equal(true);
    for (const role of ROLES) expect(hasMessage(`users.role.${role}`), role).to.equal(true);
    for (const agency of AGENCIES) expect(hasMessage(`users.agency.${agency}`), agency).to.equal(true);
  });

  it('fills placeholders, writing numbers in the reader’s digits', () => {
    expect(t('fa', 'common.welcome', { name: 'علی' })).to.equal('علی، خوش آمدید');
    expect(t('fa', 'users.created', { username: 'demo.sari' })).to.equal('کاربر demo.sari ساخته شد.');
    expect(t('en', 'places.source', { source: 1395 })).to.equal('Source: 1,395');
    expect(t('fa', 'places.source', { source: 1395 })).to.equal('منبع: ۱٬۳۹۵');
  });
});
