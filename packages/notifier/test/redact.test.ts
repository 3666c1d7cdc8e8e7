import { describe, expect, it } from "vitest";
import {
  describeNotifier,
  redactOptions,
  redactText,
  redactUrl,
  redactUrlsInText,
  secretValuesOf,
} from "../src/index.js";

describe("redactUrl", () => {
  it.each([
    ["https://user:pw@example.com/hook", {}, "https://user:***@example.com/hook"],
    ["https://tk_abc@ntfy.example.com/topic", {}, "https://***@ntfy.example.com/topic"],
    ["https://example.com/hook?token=abc&x=1", {}, "https://example.com/hook?token=***&x=***"],
    ["https://hooks.slack.com/services/T0/B0/XYZ", { path: true }, "https://hooks.slack.com/***"],
    ["https://ntfy.sh/", { path: true }, "https://ntfy.sh/"],
    ["not a url with token=abc", {}, "not a url with token=***"],
  ])("%s → %s", (url, options, expected) => {
    expect(redactUrl(url, options)).toBe(expected);
  });
});

describe("redactUrlsInText", () => {
  it("takes every URL in a text down to its scheme and host, keeping the punctuation around it", () => {
    expect(
      redactUrlsInText(
        "POST https://hooks.slack.com/services/T0/B0/XYZ failed (see https://u:p@ntfy.example.com/topic?x=1).",
      ),
    ).toBe("POST https://hooks.slack.com/*** failed (see https://u:***@ntfy.example.com/***?x=***).");
    expect(redactUrlsInText("connect ECONNREFUSED 127.0.0.1:8080")).toBe(
      "connect ECONNREFUSED 127.0.0.1:8080",
    );
  });
});

describe("redactText", () => {
  it("masks credentials in URLs, authorizations and key=value pairs in free text", () => {
    expect(redactText("POST https://bot:hunter2@chat.example.com failed")).toBe(
      "POST https://bot:***@chat.example.com failed",
    );
    expect(redactText("sent Authorization: Bearer abc.def-123")).toBe("sent Authorization: Bearer ***");
    expect(redactText("--token=abc --api-key=xyz password: p4ss")).toBe(
      "--token=*** --api-key=*** password: ***",
    );
    expect(redactText("exited with code 3: disk full")).toBe("exited with code 3: disk full");
  });
});

describe("redactOptions", () => {
  it("masks secret-named keys, every header and env value, URL credentials", () => {
    expect(
      redactOptions(
        {
          url: "https://u:p@example.com/x?sig=1",
          token: "abc",
          password: "pw",
          api_key: "k",
          headers: { "X-Title": "hello", Authorization: "Bearer x" },
          env: { PATH: "/bin" },
          args: ["--secret=abc", "plain"],
          timeoutMs: 1000,
          nested: { clientSecret: "s" },
        },
        ["url"],
      ),
    ).toEqual({
      url: "https://u:***@example.com/***?sig=***",
      token: "***",
      password: "***",
      api_key: "***",
      headers: { "X-Title": "***", Authorization: "***" },
      env: { PATH: "***" },
      args: ["--secret=***", "plain"],
      timeoutMs: 1000,
      nested: { clientSecret: "***" },
    });
  });
});

describe("describeNotifier", () => {
  it("masks again what a plugin's own toJSON forgot", () => {
    const description = describeNotifier({
      name: "leaky",
      notify() {},
      toJSON: () => ({ name: "leaky", options: { token: "abc", url: "https://a:b@x.example" } }),
    });
    expect(description).toEqual({
      name: "leaky",
      on: expect.any(Array),
      options: { token: "***", url: "https://a:***@x.example/" },
    });
  });
});

describe("secretValuesOf", () => {
  it("finds what redactOptions would mask, as values a scrubber can look for in text", () => {
    const found = secretValuesOf([
      { type: "ntfy", url: "https://ntfy.example/backups-7f3a", token: "tk_live_0a1b2c", on: ["failure"] },
      { type: "webhook", url: "https://user:pa55word@hooks.example/services/T0/B0/XyZ?key=q-123456" },
      {
        type: "command",
        command: "notify-send",
        env: { PUSH_KEY: "env-secret-9" },
        headers: { "X-Key": "hdr-secret-1" },
      },
      { type: "desktop", timeout: 5 },
    ]);
    expect([...found].sort()).toEqual(
      [
        "/backups-7f3a",
        "tk_live_0a1b2c",
        "pa55word",
        "/services/T0/B0/XyZ",
        "q-123456",
        "env-secret-9",
        "hdr-secret-1",
      ].sort(),
    );
    // Short values and plain words are left out: scrubbing them would blank out ordinary text.
    expect(found.has("failure")).toBe(false);
    expect(found.has("user")).toBe(false);
  });
});
