import { expect } from 'chai';
import { Binary, Decimal128, Double, EJSON, Int32, Long, ObjectId, Timestamp } from 'bson';
import { assertMatches, matches, MatchError } from '../../../../../server/db/embedded/spec-runner/matcher.js';

const ej = (s: string): unknown => EJSON.parse(s, { relaxed: false });

describe('spec-runner matcher', () => {
  describe('root-level documents', () => {
    it('allows extra fields at the root', () => {
      expect(matches({ x: 1 }, { x: 1, y: 1 })).to.equal(true);
    });
    it('requires every expected field', () => {
      expect(matches({ x: 1, y: 1 }, { x: 1 })).to.equal(false);
    });
    it('forbids extra fields in nested documents', () => {
      expect(matches({ x: { y: 1 } }, { x: { y: 1, z: 1 } })).to.equal(false);
      expect(matches({ x: { y: 1 } }, { x: { y: 1 } })).to.equal(true);
    });
    it('forbids extra fields in documents inside arrays', () => {
      expect(matches({ a: [{ x: 1 }] }, { a: [{ x: 1, y: 2 }] })).to.equal(false);
    });
    it('forbids extra fields at the top when isRoot is false', () => {
      expect(matches({ x: 1 }, { x: 1, y: 1 }, {}, { isRoot: false })).to.equal(false);
    });
    it('treats cursor results as arrays of root documents only when asked', () => {
      const expected = [{ x: 1 }, { x: 2 }];
      const actual = [{ x: 1, y: 1 }, { x: 2, y: 2 }];
      expect(matches(expected, actual, {}, { rootElements: true })).to.equal(true);
      expect(matches(expected, actual)).to.equal(false); // e.g. distinct values
    });
    it('ignores key order', () => {
      expect(matches({ x: 1, y: { a: 1, b: 2 } }, { y: { b: 2, a: 1 }, x: 1 })).to.equal(true);
    });
    it('reads a Map (how the driver holds sort and index keys) as a document', () => {
      expect(matches({ sort: { _id: -1 } }, { sort: new Map([['_id', -1]]) })).to.equal(true);
      expect(matches({ sort: { _id: -1 } }, { sort: new Map([['_id', 1]]) })).to.equal(false);
    });
    it('ignores actual fields whose value is undefined when checking for extras', () => {
      expect(matches({ x: { y: 1 } }, { x: { y: 1, z: undefined } })).to.equal(true);
    });
  });

  describe('arrays', () => {
    it('must have the same length', () => {
      expect(matches([1, 2, 3], [1, 2, 3, 4])).to.equal(false);
      expect(matches([1, 2, 3], [1, 2])).to.equal(false);
      expect(matches([1, 2, 3], [1, 2, 3])).to.equal(true);
    });
    it('compares in order', () => {
      expect(matches([1, 2], [2, 1])).to.equal(false);
    });
    it('rejects a non-array actual', () => {
      expect(matches([1], { 0: 1 })).to.equal(false);
    });
  });

  describe('numeric flexibility', () => {
    it('compares int32, int64, double and JS numbers by value', () => {
      expect(matches(new Int32(1), 1)).to.equal(true);
      expect(matches(new Int32(1), new Double(1.0))).to.equal(true);
      expect(matches(Long.fromNumber(1), 1)).to.equal(true);
      expect(matches(new Double(1), Long.fromNumber(1))).to.equal(true);
      expect(matches(ej('{"n": {"$numberLong": "42"}}'), { n: 42 })).to.equal(true);
    });
    it('equates NaN with NaN, and nothing else with NaN', () => {
      expect(matches(ej('{"$numberDouble": "NaN"}'), Number.NaN)).to.equal(true);
      expect(matches(ej('{"$numberDouble": "NaN"}'), 1)).to.equal(false);
      expect(matches(ej('{"$numberDouble": "Infinity"}'), Number.POSITIVE_INFINITY)).to.equal(true);
    });
    it('does not equate different values', () => {
      expect(matches(new Int32(1), 1.5)).to.equal(false);
      expect(matches(1, 2)).to.equal(false);
    });
    it('keeps large int64 values exact', () => {
      expect(matches(Long.fromString('9007199254740993'), Long.fromString('9007199254740993'))).to.equal(true);
      expect(matches(Long.fromString('9007199254740993'), Long.fromString('9007199254740992'))).to.equal(false);
    });
    it('does not mix numbers with strings or booleans', () => {
      expect(matches(1, '1')).to.equal(false);
      expect(matches(1, true)).to.equal(false);
      expect(matches(0, null)).to.equal(false);
    });
    it('compares Decimal128 only with Decimal128', () => {
      expect(matches(Decimal128.fromString('1.5'), Decimal128.fromString('1.5'))).to.equal(true);
      expect(matches(Decimal128.fromString('1'), 1)).to.equal(false);
    });
  });

  describe('other BSON values', () => {
    it('compares ObjectId, Binary, Date, Timestamp and null', () => {
      const id = new ObjectId();
      expect(matches(id, new ObjectId(id.toHexString()))).to.equal(true);
      expect(matches(id, new ObjectId())).to.equal(false);
      expect(matches(new Binary(Buffer.from('ab'), 4), new Binary(Buffer.from('ab'), 4))).to.equal(true);
      expect(matches(new Binary(Buffer.from('ab'), 4), new Binary(Buffer.from('ab'), 0))).to.equal(false);
      expect(matches(new Date(5), new Date(5))).to.equal(true);
      expect(matches(new Timestamp({ t: 1, i: 2 }), new Timestamp({ t: 1, i: 2 }))).to.equal(true);
      expect(matches({ x: null }, { x: null })).to.equal(true);
      expect(matches({ x: null }, {})).to.equal(false);
    });
  });

  describe('$$exists', () => {
    it('checks presence or absence of a key', () => {
      expect(matches({ a: { $$exists: true } }, { a: null })).to.equal(true);
      expect(matches({ a: { $$exists: true } }, {})).to.equal(false);
      expect(matches({ a: { $$exists: false } }, {})).to.equal(true);
      expect(matches({ a: { $$exists: false } }, { a: 1 })).to.equal(false);
    });
    it('works in nested documents without counting as an extra field', () => {
      expect(matches({ x: { a: 1, w: { $$exists: false } } }, { x: { a: 1 } })).to.equal(true);
    });
  });

  describe('$$type', () => {
    it('accepts one type name or a list', () => {
      expect(matches({ a: { $$type: 'string' } }, { a: 'x' })).to.equal(true);
      expect(matches({ a: { $$type: ['int', 'long'] } }, { a: 5 })).to.equal(true);
      expect(matches({ a: { $$type: ['int', 'long'] } }, { a: Long.fromNumber(5) })).to.equal(true);
      expect(matches({ a: { $$type: 'objectId' } }, { a: new ObjectId() })).to.equal(true);
      expect(matches({ a: { $$type: 'object' } }, { a: { b: 1 } })).to.equal(true);
      expect(matches({ a: { $$type: 'array' } }, { a: [1] })).to.equal(true);
      expect(matches({ a: { $$type: 'date' } }, { a: new Date() })).to.equal(true);
      expect(matches({ a: { $$type: 'bool' } }, { a: false })).to.equal(true);
      expect(matches({ a: { $$type: 'binData' } }, { a: new Binary(Buffer.from('x')) })).to.equal(true);
    });
    it('rejects other types and missing values', () => {
      expect(matches({ a: { $$type: 'string' } }, { a: 1 })).to.equal(false);
      expect(matches({ a: { $$type: 'int' } }, { a: 1.5 })).to.equal(false);
      expect(matches({ a: { $$type: 'string' } }, {})).to.equal(false);
      expect(matches({ a: { $$type: 'object' } }, { a: [] })).to.equal(false);
    });
    it('checks the type of an array, not of its elements', () => {
      expect(matches({ a: { $$type: 'string' } }, { a: ['x'] })).to.equal(false);
    });
  });

  describe('$$unsetOrMatches', () => {
    it('accepts an absent field or a match', () => {
      expect(matches({ a: { $$unsetOrMatches: 2 } }, {})).to.equal(true);
      expect(matches({ a: { $$unsetOrMatches: 2 } }, { a: 2 })).to.equal(true);
      expect(matches({ a: { $$unsetOrMatches: 2 } }, { a: 3 })).to.equal(false);
    });
    it('applies to a whole result and keeps it a root document', () => {
      const expected = { $$unsetOrMatches: { insertedId: { $$unsetOrMatches: 2 } } };
      expect(matches(expected, undefined)).to.equal(true);
      expect(matches(expected, { acknowledged: true, insertedId: 2 })).to.equal(true);
      expect(matches(expected, { acknowledged: true, insertedId: 3 })).to.equal(false);
    });
    it('does not make a nested document root', () => {
      expect(matches({ x: { $$unsetOrMatches: { a: 1 } } }, { x: { a: 1, b: 2 } })).to.equal(false);
    });
    it('may hold other operators', () => {
      expect(matches({ ids: { $$unsetOrMatches: { 0: { $$type: 'objectId' } } } }, { ids: { 0: new ObjectId() } })).to.equal(true);
    });
  });

  describe('$$sessionLsid and $$matchesEntity', () => {
    const lsid = { id: new Binary(Buffer.alloc(16, 7), 4) };
    const ctx = {
      sessionLsid: (n: string) => (n === 'session0' ? lsid : (() => { throw new Error(`no session ${n}`); })()),
      entity: (n: string) => (n === 'id0' ? 42 : (() => { throw new Error(`no entity ${n}`); })()),
    };
    it('matches the logical session id of the session entity', () => {
      expect(matches({ lsid: { $$sessionLsid: 'session0' } }, { lsid: { id: new Binary(Buffer.alloc(16, 7), 4) } }, ctx)).to.equal(true);
      expect(matches({ lsid: { $$sessionLsid: 'session0' } }, { lsid: { id: new Binary(Buffer.alloc(16, 8), 4) } }, ctx)).to.equal(false);
      expect(matches({ lsid: { $$sessionLsid: 'session0' } }, {}, ctx)).to.equal(false);
    });
    it('raises (not a mismatch) for an unknown session', () => {
      expect(() => assertMatches({ lsid: { $$sessionLsid: 'nope' } }, { lsid: 1 }, ctx)).to.throw(/no session/);
    });
    it('matches a saved entity value', () => {
      expect(matches({ _id: { $$matchesEntity: 'id0' } }, { _id: 42 }, ctx)).to.equal(true);
      expect(matches({ _id: { $$matchesEntity: 'id0' } }, { _id: 43 }, ctx)).to.equal(false);
    });
  });

  describe('$$lte', () => {
    it('compares numerically, across numeric types', () => {
      expect(matches({ n: { $$lte: 5 } }, { n: 5 })).to.equal(true);
      expect(matches({ n: { $$lte: 5 } }, { n: 4.5 })).to.equal(true);
      expect(matches({ n: { $$lte: new Int32(1) } }, { n: Long.fromNumber(0) })).to.equal(true);
      expect(matches({ n: { $$lte: 1 } }, { n: 1.1 })).to.equal(false);
      expect(matches({ n: { $$lte: 1 } }, { n: '0' })).to.equal(false);
    });
  });

  describe('$$matchesHexBytes, $$matchAsDocument, $$matchAsRoot', () => {
    it('matches bytes given as hex', () => {
      expect(matches({ $$matchesHexBytes: '12ab' }, Buffer.from([0x12, 0xab]))).to.equal(true);
      expect(matches({ $$matchesHexBytes: '12AB' }, Buffer.from([0x12, 0xac]))).to.equal(false);
    });
    it('parses an extended JSON string as a non-root document', () => {
      expect(matches({ $$matchAsDocument: { a: 1 } }, '{"a": {"$numberInt": "1"}}')).to.equal(true);
      expect(matches({ $$matchAsDocument: { a: 1 } }, '{"a": 1, "b": 2}')).to.equal(false);
      expect(matches({ $$matchAsDocument: { $$matchAsRoot: { a: 1 } } }, '{"a": 1, "b": 2}')).to.equal(true);
    });
  });

  describe('exact mode (collection outcome)', () => {
    it('allows no extra fields even at the root, but keeps numeric flexibility and free key order', () => {
      expect(matches({ _id: 1, x: 1 }, { x: 1.0, _id: Long.fromNumber(1) }, {}, { exact: true })).to.equal(true);
      expect(matches({ _id: 1 }, { _id: 1, x: 1 }, {}, { exact: true })).to.equal(false);
    });
    it('does not interpret $$ keys as operators', () => {
      expect(matches({ a: { $$exists: true } }, { a: 1 }, {}, { exact: true })).to.equal(false);
    });
  });

  describe('failures', () => {
    it('name the path of the first mismatch', () => {
      try {
        assertMatches({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } });
        expect.fail('should have thrown');
      } catch (e) {
        expect(e).to.be.instanceOf(MatchError);
        expect((e as MatchError).path).to.equal('$.a.b[1].c');
      }
    });
  });
});
