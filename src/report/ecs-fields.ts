/**
 * The ECS vocabulary the ECS export uses: the allowed values of the four categorization fields
 * (`event.kind`, `event.category`, `event.type`, `event.outcome`) and, for the categories the
 * export emits, the event types ECS expects with them. `@elastic/ecs` types these fields as plain
 * strings; these literal unions let `tsc` reject a value ECS does not allow.
 *
 * The lists are copied from ECS 9.4 (`@elastic/ecs` EcsFlat `allowed_values` /
 * `expected_event_types`); test/report.ecs.test.ts checks them against it, so they cannot drift.
 * Only values that already existed in ECS 8.10 (the version `@elastic/ecs-helpers` reports) are used.
 */

export const EVENT_KINDS = ["alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal"] as const;
export type EcsEventKind = (typeof EVENT_KINDS)[number];

export const EVENT_CATEGORIES = [
  "api", "authentication", "configuration", "database", "driver", "email", "file", "host", "iam",
  "intrusion_detection", "library", "malware", "network", "package", "process", "registry", "session",
  "threat", "vulnerability", "web",
] as const;
export type EcsEventCategory = (typeof EVENT_CATEGORIES)[number];

export const EVENT_TYPES = [
  "access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied", "device", "end",
  "error", "group", "indicator", "info", "installation", "protocol", "start", "user",
] as const;
export type EcsEventType = (typeof EVENT_TYPES)[number];

export const EVENT_OUTCOMES = ["failure", "success", "unknown"] as const;
export type EcsEventOutcome = (typeof EVENT_OUTCOMES)[number];

/** The event types ECS expects with each category the AppArmor export uses. */
export const EXPECTED_EVENT_TYPES = {
  configuration: ["access", "change", "creation", "deletion", "info"],
  file: ["access", "change", "creation", "deletion", "info"],
  host: ["access", "change", "end", "info", "start"],
  network: ["access", "allowed", "connection", "denied", "end", "info", "protocol", "start"],
  process: ["access", "change", "end", "info", "start"],
} as const satisfies Partial<Record<EcsEventCategory, readonly EcsEventType[]>>;

type Expected = typeof EXPECTED_EVENT_TYPES;

/** A category with event types ECS expects for it: a mismatched pair fails to compile. */
export type Categorization = {
  [C in keyof Expected]: { category: C; type: Array<Expected[C][number]> };
}[keyof Expected];

/** The event types ECS expects with category C. */
export type ExpectedEventType<C extends keyof Expected> = Expected[C][number];
