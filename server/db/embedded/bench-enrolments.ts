/** The person fields of the synthetic enrolments the engine's benchmarks write (models/enrolment.model.ts's names). */
const FIRST = ['محمد', 'فاطمه', 'علی', 'زهرا', 'حسین', 'مریم', 'رضا', 'سکینه'];
const LAST = ['رضایی', 'محمدی', 'حسینی', 'کریمی', 'احمدی', 'موسوی'];

/** The i-th synthetic person: names, birth date (Jalali text and UTC), sex, mobile, target group, channel, status. */
export function personFields(i: number, nationalId: string) {
  return {
    nationalId,
    firstName: FIRST[i % FIRST.length],
    lastName: LAST[i % LAST.length],
    birthDateJalali: `13${50 + (i % 40)}/0${1 + (i % 9)}/1${i % 10}`,
    birthDate: new Date(Date.UTC(1971 + (i % 40), i % 12, 1 + (i % 28))),
    sex: i % 2 ? 'male' : 'female',
    mobile: `0912${String(i % 10_000_000).padStart(7, '0')}`,
    targetGroup: i % 3 ? 'farmers' : 'nomads',
    channel: i % 4 ? 'in-person' : 'online',
    ...(i % 4 ? { inPersonReason: 'asked' } : {}),
    status: i % 5 ? 'logged' : 'verified',
  };
}
