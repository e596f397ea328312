export default {
  fa: {
    'audit.actorMissing': 'این تغییر بدون نام انجام‌دهنده ثبت نمی‌شود ({model}).',
    'audit.immutable': 'رویدادهای پیشینه تغییرات را نمی‌توان ویرایش یا پاک کرد.',
  },
  en: {
    'audit.actorMissing': 'This change cannot be saved without knowing who makes it ({model}).',
    'audit.immutable': 'Audit events cannot be changed or deleted.',
  },
};
