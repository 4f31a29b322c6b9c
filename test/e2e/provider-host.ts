/** Kept for older imports: the host now lives with the engine stand-in. */
export * from "../engine/provider-host";
