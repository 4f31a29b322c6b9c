/** What `GET /v1/settings/application` answers, checked before the provider reads a value. */
import { z } from "zod";

export const SettingsResponseSchema = z.looseObject({
  settings: z.looseObject({ application: z.record(z.string(), z.unknown()) }),
});
