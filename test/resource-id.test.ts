import { expect, test } from "vitest";
import { formatId, parseId } from "../provider/resource-id";
import { RESOURCES } from "../provider/resources";

const CLIENTS = ["https://wa.example.com:9090", "https://proxy.example.com/whatsapp/v1/eu", "http://10.0.0.7"];

test.each(RESOURCES.flatMap(({ model }) => CLIENTS.map((client) => [model.type, model.path, client] as const)))(
  "the id of a %s at %s on %s reads back as its client, path and key",
  (_type, path, client) => {
    for (const key of [undefined, "9f86d081884c7d65", "media #1/eu?x"]) {
      const id = formatId({ path }, client, key);
      expect(parseId(id)).toEqual({ client, path, key });
    }
  },
);

test("a path of any spelling reads back: hyphens, digits and deeper levels", () => {
  const path = "/v1/settings/account/two-step" as const;
  expect(formatId({ path }, "https://wa.example.com", undefined)).toBe(
    "https://wa.example.com/v1/settings/account/two-step",
  );
  expect(parseId("https://wa.example.com/v1/settings/account/two-step")).toEqual({
    client: "https://wa.example.com",
    path,
    key: undefined,
  });
});

test.each([
  ["no API path", "https://wa.example.com"],
  ["a path only", "/v1/settings/application"],
  ["a key that is not escaped right", "https://wa.example.com/v1/settings/backup#%E0%A4%A"],
])("an id this package did not write (%s) names no client", (_case, id) => {
  expect(parseId(id)).toBeUndefined();
});
