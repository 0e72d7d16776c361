import { LocalWorld, useMotoTemplates, startMoto } from '@tourniquet/testkit';
import { parseConfig } from '@tourniquet/core';
import { readFileSync } from 'node:fs';
useMotoTemplates();
const config = parseConfig(JSON.parse(readFileSync('tourniquet.config.json','utf8')));
for (let i = 0; i < 3; i++) {
  const t = Date.now();
  const w = await LocalWorld.start({ config });
  const t1 = Date.now();
  const r = await fetch(`${w.moto.endpoint}/moto-api/data.json`).then(r=>r.json());
  console.log('world', i, t1 - t, 'ms; ec2 instances keys', Object.keys(r.ec2?.Instance ?? r.ec2 ?? {}).length);
  const t2 = Date.now(); await w.stop(); console.log('stop', Date.now()-t2);
}
const t = Date.now(); const m = await startMoto(); console.log('bare', Date.now()-t); await m.stop();
const t3 = Date.now(); const m2 = await startMoto(); console.log('bare2', Date.now()-t3); await m2.stop();
