/** The reasons server/shared/tabular.ts gives for refusing an uploaded CSV or XLSX file (enrolments, quotas, any list). */
export default {
  fa: {
    'upload.empty': 'فایل خالی است یا جز سطر عنوان، سطری ندارد.',
    'upload.encoding': 'فایل CSV باید با کدگذاری UTF-8 ذخیره شده باشد (در اکسل: «CSV UTF-8»)؛ سطر {line} چنین نیست.',
    'upload.badQuotes': 'در سطر {line} فایل CSV یک گیومه (") باز شده و بسته نشده است.',
    'upload.binary': 'سطر {line} نویسه‌هایی دارد که در متن نیست؛ این فایل CSV نیست یا خراب است.',
    'upload.xlsxTooLarge': 'این فایل XLSX باز‌شده از {megabytes} مگابایت بزرگ‌تر می‌شود و پذیرفته نیست.',
    'upload.cellTooLong': 'خانهٔ ستون {column} در سطر {line} از {max} نویسه بلندتر است.',
    'upload.fileType': 'فقط فایل اکسل یا سی‌اس‌وی پذیرفته می‌شود؛ این فایل «{extension}» است.',
    'upload.notXlsx': 'این فایل XLSX نیست یا خراب است؛ آن را در اکسل با قالب XLSX ذخیره کنید.',
    'upload.missingColumns': 'این ستون‌ها در فایل نیست: {columns}',
    'upload.duplicateColumns': 'این ستون‌ها دو بار آمده‌اند: {columns}',
    'upload.tooManyRows': 'فایل {rows} سطر دارد؛ بیشترین تعداد {maxRows} سطر است. آن را چند فایل کنید.',
  },
  en: {
    'upload.empty': 'The file is empty or has no row below its header.',
    'upload.encoding': 'A CSV file must be saved as UTF-8 (in Excel: "CSV UTF-8"); line {line} is not.',
    'upload.badQuotes': 'Line {line} of the CSV file opens a quote (") that is never closed.',
    'upload.binary': 'Line {line} holds characters that are not text; this is not a CSV file, or it is damaged.',
    'upload.xlsxTooLarge': 'This XLSX file expands to more than {megabytes} MB and is refused.',
    'upload.cellTooLong': 'The cell in column {column} of line {line} is longer than {max} characters.',
    'upload.fileType': 'Only CSV or XLSX files are accepted; this one is ".{extension}".',
    'upload.notXlsx': 'This is not a valid XLSX file; save it from Excel as XLSX.',
    'upload.missingColumns': 'These columns are missing from the file: {columns}',
    'upload.duplicateColumns': 'These columns appear twice: {columns}',
    'upload.tooManyRows': 'The file has {rows} rows; at most {maxRows} are allowed. Split it into several files.',
  },
};
