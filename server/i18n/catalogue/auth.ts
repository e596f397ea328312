export default {
  fa: {
    'auth.loginTitle': 'ورود به سامانه',
    'auth.login': 'نام کاربری یا شماره همراه',
    'auth.password': 'گذرواژه',
    'auth.submit': 'ورود',
    'auth.invalidCredentials': 'نام کاربری یا گذرواژه درست نیست.',
    'auth.tooManyAttempts': 'تلاش‌های ورود بیش از حد بود. چند دقیقه دیگر دوباره امتحان کنید.',
    'auth.loggedOut': 'از سامانه خارج شدید.',
    'auth.invalidToken': 'توکن دسترسی نامعتبر یا منقضی است.',
  },
  en: {
    'auth.loginTitle': 'Log in',
    'auth.login': 'Username or mobile number',
    'auth.password': 'Password',
    'auth.submit': 'Log in',
    'auth.invalidCredentials': 'The username or password is not right.',
    'auth.tooManyAttempts': 'Too many login attempts. Try again in a few minutes.',
    'auth.loggedOut': 'You have logged out.',
    'auth.invalidToken': 'The access token is invalid or has expired.',
  },
};
