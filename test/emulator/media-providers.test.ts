import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import { plainEmulator } from "../support/emulator";

describe("media providers", () => {
  test("one provider per POST, listed by GET, removed by DELETE", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    const path = "/v1/settings/application/media/providers";
    const two = [
      { name: "a", type: "www", config: { bearer: "t" } },
      { name: "b", type: "www", config: { bearer: "t" } },
    ];
    expect((await call(e, "POST", path, { token, body: two })).json.errors[0].details).toBe(
      "Can only add 1 config at a time",
    );
    expect((await call(e, "POST", path, { token, body: [{ name: "a", type: "www" }] })).json.errors[0].code).toBe(1008);
    const basic = { name: "cdn", type: "www", config: { basic: { username: "u", password: "p" } } };
    expect((await call(e, "POST", path, { token, body: [basic] })).status).toBe(200);
    expect((await call(e, "GET", path, { token })).json.settings.application.media.providers).toEqual([basic]);
    expect((await call(e, "DELETE", `${path}/cdn`, { token })).status).toBe(200);
    expect((await call(e, "DELETE", `${path}/cdn`, { token })).status).toBe(404);
  });
});
