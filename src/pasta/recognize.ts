/**
 * Is an AppArmor event pasta's, and who started pasta? Read from the profile (AppArmor attaches
 * by the resolved binary, so a pasta → passt symlink runs under `passt`), the comm (pasta,
 * pasta.avx2, passt.avx2), the exe and command line of the SYSCALL/PROCTITLE records, and signal
 * denials whose receiver is pasta.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import type { EventProcess } from "../events/assembler.js";
import type { AppArmorKind } from "../apparmor/classify.js";
import { isPastaComm } from "./catalog.js";

/** Profiles of container runtimes that pasta may run inside. */
export const CONTAINER_PROFILE = /^(?:containers-default|docker-default|crio-default|cri-containerd\.apparmor\.d|lxc-container-default)/;

const PASTA_EXE = /(?:^|\/)(?:pasta|passt)(?:\.avx2)?$/;

/** Whether the event is pasta's doing (or a signal to pasta). */
export function isPastaEvent(f: AppArmorFields, kind: AppArmorKind, process: EventProcess): boolean {
  const profile = f.profile ?? "";
  if (kind === "signal" && (profile === "pasta" || (profile === "passt" && f.peer === "podman"))) return true;
  if (isPastaComm(f.comm)) {
    // passt itself (libvirt, KubeVirt) runs as comm passt under profile passt: not pasta unless
    // its command line or the paths say otherwise.
    if (f.comm === "passt" && !/pasta/.test(process.cmdline ?? "")) return false;
    return true;
  }
  if (process.exe !== undefined && PASTA_EXE.test(process.exe) && /pasta/.test(`${process.cmdline ?? ""} ${f.comm ?? ""}`)) return true;
  return /^pasta(?:\s|$)|\/pasta(?:\.avx2)?(?:\s|$)/.test(process.cmdline ?? "");
}

export type Caller = "podman-container" | "podman-rootless-netns" | "buildah-run" | "rootlesskit" | "standalone" | "unknown";

/** What a denied object or pasta's own command line says about the program that started it. */
export function callerOf(text: string): Caller | null {
  if (/\/networks\/rootless-netns(?:\/|$)/.test(text)) return "podman-rootless-netns";
  if (/\/netns\/netns-[0-9a-f-]+|^\/(?:var\/)?run\/user\/\d+\/netns\/?$/.test(text)) return "podman-container";
  if (/\/tmp\/rootlesskit[^/]*\/|\/proc\/\d+\/ns\/user\b/.test(text)) return "rootlesskit";
  if (/\/proc\/\d+\/ns\/net\b/.test(text)) return "buildah-run";
  return null;
}
