import { describe, expect, it } from "vitest";
import { aareCovers, aareOverlaps } from "../src/apparmor/policy/cover.js";

describe("AARE cover and overlap by literal prefix", () => {
  it("rules out patterns whose literal text differs before the first glob", () => {
    expect(aareCovers("/usr/lib/**", "/usr/share/*")).toBe(false);
    expect(aareOverlaps("/usr/lib/**", "/usr/share/*")).toBe(false);
    expect(aareCovers("/etc/{a,b}", "/var/a")).toBe(false);
  });
  it("still compares patterns whose prefixes agree on their common length", () => {
    expect(aareCovers("/usr/**", "/usr/lib/*")).toBe(true);
    expect(aareCovers("/usr/l*/x", "/usr/lib/x")).toBe(true);
    expect(aareCovers("/usr/l*", "/usr/lib/x")).toBe(false); // * stops at /
    expect(aareOverlaps("/usr/lib/*", "/usr/l?b/x")).toBe(true);
    expect(aareCovers("/{usr,opt}/lib/*", "/opt/lib/a")).toBe(true);
  });
  it("stops the prefix at an escape, so escaped globs are compared in full", () => {
    expect(aareCovers("/a/\\*b", "/a/\\*b")).toBe(true);
    expect(aareCovers("/a/\\*b", "/a/*b")).toBe(false); // a literal star covers only itself
    expect(aareCovers("/a/\\*b", "/a/xb")).toBe(false);
    expect(aareOverlaps("/a/\\*", "/a/*")).toBe(true);
  });
});
