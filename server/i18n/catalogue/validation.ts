export default {
  fa: {
    'validation.invalid': 'مقدار واردشده معتبر نیست.',
    'validation.required': 'این بخش را پر کنید.',
    'validation.username': 'نام کاربری ۳ تا ۳۲ حرف لاتین، رقم، نقطه یا خط تیره است.',
    'validation.password': 'گذرواژه دست‌کم ۸ نویسه است.',
    'validation.mobile': 'شماره همراه باید به شکل ۰۹۱۲۱۲۳۴۵۶۷ باشد.',
    'validation.placeCode': 'کد مکان را مانند ۰۲۰۷ وارد کنید.',
    'validation.wholeNumber': 'یک عدد درست و نامنفی با رقم وارد کنید (مانند ۱۲٬۵۰۰).',
  },
  en: {
    'validation.invalid': 'This value is not valid.',
    'validation.required': 'Please fill this in.',
    'validation.username': 'A username is 3 to 32 Latin letters, digits, dots or dashes.',
    'validation.password': 'A password has at least 8 characters.',
    'validation.mobile': 'A mobile number looks like 09121234567.',
    'validation.placeCode': 'Enter a place code such as 0207.',
    'validation.wholeNumber': 'Enter a whole number of zero or more, in digits (such as 12,500).',
  },
};
