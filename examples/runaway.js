// A guest that never yields: islet stops it at its CPU budget (exit code 3, CPU_LIMIT).
// islet run examples/runaway.js --cpu-ms 200
console.log('about to spin in microtasks, which escape a plain eval timeout');
for (;;) await null;
