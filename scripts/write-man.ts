/**
 * Build step: write the man page (dist/man/aalens.1) from the commands' help texts and option
 * tables (src/cli/docs.ts). package.json's "man" field makes a global install link it, so that
 * `man aalens` works.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { manPage } from "../src/cli/docs.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
// The build date, or SOURCE_DATE_EPOCH for a reproducible package.
const epoch = process.env.SOURCE_DATE_EPOCH;
const date = (epoch ? new Date(Number(epoch) * 1000) : new Date()).toISOString().slice(0, 10);
const out = new URL("../man/", import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL("aalens.1", out), manPage(pkg.version, date));
