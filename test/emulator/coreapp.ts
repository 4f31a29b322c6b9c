/**
 * The Coreapp behind the Webapp: whether it runs, its registration, its settings and media
 * providers, and the restart that makes pending settings effective. Restores stop a registered
 * app, as the real one does, until it is restarted by hand or by the deployment.
 */
import { ApiFailure, coreappDown } from "./envelope";
import { SettingsStore } from "./settings-store";
import type { Version } from "./version";

export type GatewayStatus = "uninitialized" | "connecting" | "connected" | "unregistered" | "disconnected";
type Phase = "running" | "uninitialized" | "connecting" | "down";

export interface MediaProvider {
  name: string;
  type: string;
  config: Record<string, unknown>;
}

export interface BusinessProfile {
  address: string;
  description: string;
  email: string;
  vertical: string;
  websites: string[];
}

export interface CoreappOptions {
  version: Version;
  waId: string | null;
  restartPhaseMs: number;
  autoRestartMs: number | null;
  dropFields: readonly string[];
}

export class Coreapp {
  readonly settings: SettingsStore;
  readonly mediaProviders = new Map<string, MediaProvider>();
  /** The profile's "About" text; a new client's is assumed empty (the public pages do not say). */
  about = "";
  /** The business profile; a new client's is assumed empty (the public pages do not say). */
  businessProfile: BusinessProfile = { address: "", description: "", email: "", vertical: "", websites: [] };
  /** The two-step verification PIN, `null` while two-step verification is off (as on a new client). */
  twoStepPin: string | null = null;
  /** The profile photo as uploaded, `null` while none is set (as on a new client). */
  photo: { bytes: Buffer; contentType: string } | null = null;
  waId: string | null;
  restarts = 0;
  private phase: Phase = "running";
  private pendingRestart: Promise<void> | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly options: CoreappOptions;

  constructor(options: CoreappOptions) {
    this.options = options;
    this.settings = new SettingsStore(options.version, options.dropFields);
    this.waId = options.waId;
  }

  get version(): Version {
    return this.options.version;
  }

  get registered(): boolean {
    return this.waId !== null;
  }

  gatewayStatus(): GatewayStatus {
    if (this.phase === "down") return "disconnected";
    if (this.phase !== "running") return this.phase;
    return this.registered ? "connected" : "unregistered";
  }

  /** Throws what the Webapp answers when a call needs the Coreapp and it is not there. */
  requireRunning(): void {
    if (this.phase === "down") throw coreappDown();
    if (this.phase === "uninitialized")
      throw new ApiFailure(1011, "Service not ready: database schema is initializing");
  }

  /** Stops the app (as a restore on a registered client does); `restart()` brings it back. */
  shutDown(): void {
    this.phase = "down";
    if (this.options.autoRestartMs !== null) this.later(this.options.autoRestartMs, () => void this.restart());
  }

  /** Restarts the Coreapp: uninitialized, then connecting, then connected with pending settings applied. */
  restart(): Promise<void> {
    if (this.pendingRestart) return this.pendingRestart;
    this.pendingRestart = new Promise<void>((resolve) => {
      this.phase = "uninitialized";
      this.later(this.options.restartPhaseMs, () => {
        this.settings.restart();
        this.restarts += 1;
        this.phase = "connecting";
        this.later(this.options.restartPhaseMs, () => {
          this.phase = "running";
          this.pendingRestart = undefined;
          resolve();
        });
      });
    });
    return this.pendingRestart;
  }

  backupPayload(): unknown {
    return {
      format: 1,
      registration: { wa_id: this.waId },
      settings: this.settings.snapshot(),
      media_providers: [...this.mediaProviders.values()],
    };
  }

  /** Imports a decrypted backup: an unregistered app initialises itself, a registered one stops. */
  restore(payload: unknown): void {
    const backup = payload as {
      registration?: { wa_id?: string };
      settings?: Record<string, unknown>;
      media_providers?: MediaProvider[];
    };
    const wasRegistered = this.registered;
    this.waId = backup.registration?.wa_id ?? null;
    this.settings.load(backup.settings ?? {});
    this.mediaProviders.clear();
    for (const provider of backup.media_providers ?? []) this.mediaProviders.set(provider.name, provider);
    if (wasRegistered) {
      this.shutDown();
    } else {
      this.settings.restart();
    }
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }
}
