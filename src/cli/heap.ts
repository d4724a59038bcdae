/**
 * Bound how far V8 lets the old generation grow between full collections.
 *
 * aalens streams: what it keeps is bounded (memo, duplicate sets, capped collectors), but a large
 * log promotes a lot of short-lived garbage (line texts, parse trees) into the old generation. At
 * V8's default growth factor the heap doubles before each mark-compact, so peak RSS tracks that
 * garbage, not the live set (measured: 557-584 MB peak for a ~150 MB live set on the 1x pure
 * corpus). A smaller step collects sooner. Measured on that corpus / the repeats corpus: 50% peaks
 * at 311-315 / 193-197 MB for ~8% more time; 25% at 283-306 / 183-191 MB for ~18% more; 100% at
 * 392-400 / 212 MB for ~3%. 50 is the middle of that trade.
 *
 * V8 reads the flag at every collection, so setting it at start-up works without a relaunch.
 * A user who passed their own value (on the command line or in NODE_OPTIONS) keeps it.
 */
import { setFlagsFromString } from "node:v8";

/** Percent the old generation may grow past its live size before the next full collection. */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = /--heap[-_]growing[-_]percent\b/;

/** True when the bound was set; false when the user chose their own. */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv, nodeOptions: string | undefined = process.env.NODE_OPTIONS): boolean {
  if (execArgv.some((arg) => FLAG.test(arg)) || (nodeOptions !== undefined && FLAG.test(nodeOptions))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
