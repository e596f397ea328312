// Mocha merges the files named on its command line with a configured spec, so the whole-suite glob applies only
// when no test file is named: `npx mocha test/server/config.test.ts` runs that file alone, `npm test` runs all.
const namesTestFiles = process.argv.slice(2).some((arg) => arg.startsWith('test/') || arg.endsWith('.test.ts'));

module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/support/hooks.ts'],
  ...(namesTestFiles ? {} : { spec: ['test/**/*.test.ts'] }),
  recursive: true,
  timeout: 30000,
  exit: true,
};
