// Profile one stack of the state bench.
process.argv.push('--rounds', '1');
