/**
 * Chevrotain, loaded from the single-file ESM bundle the package ships (lib/chevrotain.mjs).
 * The package's normal entry pulls in some 600 lodash-es modules one by one, which costs about
 * half a second at every start of a command-line tool; the bundle is the same code and loads in
 * a tenth of that. Falls back to the normal entry if a future release stops shipping the bundle.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as ChevrotainApi from "chevrotain";

const require = createRequire(import.meta.url);
const bundle = join(dirname(require.resolve("chevrotain")), "..", "chevrotain.mjs");
const chevrotain = (existsSync(bundle) ? await import(pathToFileURL(bundle).href) : await import("chevrotain")) as typeof ChevrotainApi;

export const { createToken, EmbeddedActionsParser, Lexer } = chevrotain;
export type { IToken, TokenType } from "chevrotain";
