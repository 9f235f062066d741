import { AUTH_PLUGIN_NAMES, AUTH_PLUGINS } from "../../src/auth/plugins";

describe("AUTH_PLUGIN_NAMES", () => {
  it("lists exactly the plugins of AUTH_PLUGINS, which the scenario schema's enums are made from", () => {
    expect([...AUTH_PLUGIN_NAMES].sort()).toEqual(Object.keys(AUTH_PLUGINS).sort());
  });
});
