// Lets `node --test test/sql/` work: Node 24's test runner takes files or globs, not directories,
// and loads a directory argument as a module, i.e. this file, which imports every test file here.
// (`node --test 'test/sql/*.test.ts'` and `npm run test:unit` run the same tests directly.)
import './corpus.test.ts';
import './errors.test.ts';
import './expressions.test.ts';
import './format.test.ts';
import './statements.test.ts';
import './variables.test.ts';
