import { expect } from 'chai';
import { ALLOCATION_REASONS, AllocationError, proposeAllocation } from '../../../server/quotas/allocation.js';

const sum = (xs: { target: number }[]) => xs.reduce((a, x) => a + x.target, 0);

describe('proposing a quota allocation by largest remainder', () => {
  it('gives exact proportional shares when they are whole', () => {
    expect(proposeAllocation(100, [{ key: 'a', weight: 3 }, { key: 'b', weight: 1 }])).to.deep.equal([
      { key: 'a', target: 75 },
      { key: 'b', target: 25 },
    ]);
  });

  it('hands the leftover seats to the largest remainders: 10 among 3 equal-ish parts', () => {
    // Shares 10·(4,3,2)/9 = 4.444, 3.333, 2.222 → floors 4,3,2 = 9; one left for the largest remainder (a).
    expect(proposeAllocation(10, [{ key: 'a', weight: 4 }, { key: 'b', weight: 3 }, { key: 'c', weight: 2 }])).to.deep.equal([
      { key: 'a', target: 5 },
      { key: 'b', target: 3 },
      { key: 'c', target: 2 },
    ]);
  });

  it('sums exactly to the total on awkward numbers (the 22 county populations of Mazandaran)', () => {
    const populations = [401639, 531930, 504298, 309199, 19376, 155247, 123445, 60941, 111864, 75045, 150000, 98765, 43210, 55555, 66666, 77777, 88888, 99999, 12345, 23456, 34567, 45678];
    const parts = populations.map((weight, i) => ({ key: `02${String(i + 1).padStart(2, '0')}`, weight }));
    for (const total of [0, 1, 7, 997, 10001, 123457]) {
      const result = proposeAllocation(total, parts);
      expect(sum(result), `total ${total}`).to.equal(total);
      // Hamilton's quota property: every target is the floor or the ceiling of the exact share.
      const weightSum = populations.reduce((a, b) => a + b, 0);
      result.forEach((r, i) => {
        const exact = (total * populations[i]) / weightSum;
        expect(r.target).to.be.within(Math.floor(exact), Math.ceil(exact));
      });
    }
  });

  it('also sums exactly with fractional weights', () => {
    const result = proposeAllocation(100, [{ key: 'a', weight: 0.1 }, { key: 'b', weight: 0.2 }, { key: 'c', weight: 0.7 }]);
    expect(result.map((r) => r.target)).to.deep.equal([10, 20, 70]);
    expect(sum(proposeAllocation(7, [{ key: 'a', weight: 1 / 3 }, { key: 'b', weight: 1 / 3 }, { key: 'c', weight: 1 / 3 }]))).to.equal(7);
  });

  it('breaks equal remainders by larger weight, then by key, whatever the input order', () => {
    // 5 among weights 1,1,2 (shares 1.25, 1.25, 2.5): floors 1,1,2 = 4, remainders .25,.25,.5 → c gets the seat.
    expect(proposeAllocation(5, [{ key: 'b', weight: 1 }, { key: 'a', weight: 1 }, { key: 'c', weight: 2 }])).to.deep.equal([
      { key: 'b', target: 1 },
      { key: 'a', target: 1 },
      { key: 'c', target: 3 },
    ]);
    // 2 among three equal weights: a and b (earlier keys) get them, in either input order.
    expect(proposeAllocation(2, [{ key: 'c', weight: 5 }, { key: 'b', weight: 5 }, { key: 'a', weight: 5 }])).to.deep.equal([
      { key: 'c', target: 0 },
      { key: 'b', target: 1 },
      { key: 'a', target: 1 },
    ]);
    // Equal remainders, different weights: 2 among (1, 3) gives shares .5 and 1.5, floors 0 and 1,
    // both remainders .5 → the larger weight takes the seat.
    expect(proposeAllocation(2, [{ key: 'small', weight: 1 }, { key: 'big', weight: 3 }])).to.deep.equal([
      { key: 'small', target: 0 },
      { key: 'big', target: 2 },
    ]);
  });

  it('gives nothing to zero or missing weights', () => {
    expect(proposeAllocation(9, [{ key: 'a', weight: 2 }, { key: 'b', weight: 0 }, { key: 'c' }, { key: 'd', weight: null }, { key: 'e', weight: 1 }])).to.deep.equal([
      { key: 'a', target: 6 },
      { key: 'b', target: 0 },
      { key: 'c', target: 0 },
      { key: 'd', target: 0 },
      { key: 'e', target: 3 },
    ]);
  });

  it('splits evenly when every weight is zero, with the leftover going to the earliest keys', () => {
    expect(proposeAllocation(10, [{ key: 'c', weight: 0 }, { key: 'a' }, { key: 'b', weight: 0 }])).to.deep.equal([
      { key: 'c', target: 3 },
      { key: 'a', target: 4 },
      { key: 'b', target: 3 },
    ]);
  });

  it('refuses a negative, fractional or non-numeric total with the allocation.total reason', () => {
    for (const total of [-1, 2.5, Number.NaN, Infinity]) {
      expect(() => proposeAllocation(total, [{ key: 'a', weight: 1 }]), String(total))
        .to.throw(AllocationError)
        .with.property('reason', 'allocation.total');
    }
  });

  it('refuses negative weights, duplicate keys, and a positive total with nobody to give it to', () => {
    expect(() => proposeAllocation(5, [{ key: 'a', weight: -1 }])).to.throw(AllocationError).with.property('reason', 'allocation.weight');
    expect(() => proposeAllocation(5, [{ key: 'a', weight: 1 }, { key: 'a', weight: 2 }])).to.throw(AllocationError).with.property('reason', 'allocation.duplicateKey');
    expect(() => proposeAllocation(5, [])).to.throw(AllocationError).with.property('reason', 'allocation.noParts');
    expect(proposeAllocation(0, [])).to.deep.equal([]);
  });

  it('exports every reason key it can throw', () => {
    expect(ALLOCATION_REASONS).to.have.members(['allocation.total', 'allocation.weight', 'allocation.duplicateKey', 'allocation.noParts']);
  });
});
