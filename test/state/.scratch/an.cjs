const p = JSON.parse(require('fs').readFileSync(process.argv[2]));
const self = new Map(); const byId = new Map();
for (const n of p.nodes) byId.set(n.id, n);
const dt = p.timeDeltas; const total = dt.reduce((a, b) => a + b, 0);
const cnt = new Map();
p.samples.forEach((id, i) => cnt.set(id, (cnt.get(id) || 0) + dt[i]));
for (const [id, t] of cnt) { const n = byId.get(id); const k = n.callFrame.functionName + ' ' + n.callFrame.url.split('/').slice(-1)[0] + ':' + n.callFrame.lineNumber; self.set(k, (self.get(k) || 0) + t); }
const arr = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [k, t] of arr) console.log((t / total * 100).toFixed(1).padStart(5) + '%', k);
