// Writes schemas/<contract>.schema.json from the zod contracts (npm run schemas).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { contractJsonSchemas } from '../src/contracts/jsonSchemas';

const dir = join(__dirname, '..', 'schemas');
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(contractJsonSchemas())) {
  writeFileSync(join(dir, `${name}.schema.json`), text);
  console.log(`wrote schemas/${name}.schema.json`);
}
