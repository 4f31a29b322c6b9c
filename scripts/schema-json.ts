/** Writes `schema.json`, the native provider's package schema, from the resource registry. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageSchema } from "../provider/native/schema";
import { ROOT } from "../test/support/packed";

writeFileSync(join(ROOT, "schema.json"), `${JSON.stringify(packageSchema(), null, 2)}\n`);
