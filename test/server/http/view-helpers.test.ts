import { expect } from 'chai';
import Handlebars from 'handlebars';
import { viewHelpers } from '../../../server/http/view-helpers.js';

const hbs = Handlebars.create();
hbs.registerHelper(viewHelpers);
const render = (template: string, context: Record<string, unknown>) => hbs.compile(template)(context);

describe('The view helpers', () => {
  it('write numbers in Persian digits on Persian pages and Latin digits on English ones', () => {
    expect(render('{{num n}}', { lang: 'fa', n: 504298 })).to.equal('۵۰۴٬۲۹۸');
    expect(render('{{num n}}', { lang: 'en', n: 504298 })).to.equal('504,298');
    expect(render('{{num n}}', { lang: 'fa', n: null })).to.equal('—');
  });

  it('write dates in the Jalali calendar, in Iran’s time', () => {
    const meeting = new Date('2018-07-25T06:30:00Z'); // 3 Mordad 1397, 11:00 in Tehran
    expect(render('{{date d}}', { lang: 'fa', d: meeting })).to.equal('۳ مرداد ۱۳۹۷');
    expect(render('{{date d}}', { lang: 'en', d: meeting })).to.equal('3 Mordad 1397');
    expect(render('{{datetime d}}', { lang: 'fa', d: meeting })).to.equal('۳ مرداد ۱۳۹۷، ساعت ۱۱:۰۰');
  });

  it('translate with named or object parameters', () => {
    expect(render('{{t "common.welcome" name=who}}', { lang: 'en', who: 'Ali' })).to.equal('Welcome, Ali');
    expect(render('{{t flash.key flash.params}}', { lang: 'fa', flash: { key: 'users.created', params: { username: 'demo.sari' } } })).to.equal('کاربر demo.sari ساخته شد.');
    expect(render('{{t (concat "places.level." level)}}', { lang: 'fa', level: 'rural_district' })).to.equal('دهستان');
  });

  it('escape what users typed', () => {
    expect(render('{{t "common.welcome" name=who}}', { lang: 'en', who: '<b>x</b>' })).to.equal('Welcome, &lt;b&gt;x&lt;/b&gt;');
  });
});
