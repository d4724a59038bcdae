// `npm pack` / `npm publish`: the packed package.json has no `prepare` script. The repository
// needs it (a clone's `npm install` builds dist/), but a tarball ships dist/ already, and npm
// would warn about (and, allowed, fail at) a prepare that needs the dev-only TypeScript compiler.
//   node scripts/pack-manifest.mjs strip     (prepack: package.json saved, then rewritten)
//   node scripts/pack-manifest.mjs restore   (postpack: the saved package.json put back)
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const file = new URL("../package.json", import.meta.url);
const saved = new URL("../package.json.pack-saved", import.meta.url);
if (process.argv[2] === "strip") {
  const text = readFileSync(file, "utf8");
  writeFileSync(saved, text);
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
} else if (process.argv[2] === "restore") {
  if (existsSync(saved)) renameSync(saved, file);
} else {
  console.error("usage: pack-manifest.mjs strip|restore");
  process.exitCode = 1;
}
