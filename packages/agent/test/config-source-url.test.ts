import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { editDistance, parseHostPort, parseNtpSource, parseServeUrl, suggest } from "../src/index.js";

describe("parseNtpSource", () => {
  it.each([
    ["time.example.com", "ntp://time.example.com", 123],
    ["NTP://time.example.com:123/", "ntp://time.example.com", 123],
    ["time.example.com:1123", "ntp://time.example.com:1123", 1123],
    ["192.0.2.1", "ntp://192.0.2.1", 123],
    ["::1", "ntp://[::1]", 123],
    ["[::1]:11123", "ntp://[::1]:11123", 11123],
    ["ntp://h.example?iburst&maxpoll=8&minpoll=-2", "ntp://h.example?minpoll=-2&maxpoll=8&iburst=1", 123],
    ["  ntp://h.example?pool=true&  ", "ntp://h.example?pool=1", 123],
  ])("%s → %s", (text, url, port) => {
    const r = parseNtpSource(text);
    expect(r.ok && r.value.url).toBe(url);
    expect(r.ok && r.value.port).toBe(port);
  });

  it.each([
    ["", "an ntp:// URL or host name"],
    ["ntp://", "an ntp:// URL or host name"],
    ["nts://h.example", "an ntp:// URL or host name"],
    ["ntp://::1", "IPv6 addresses in brackets, as [::1]:123"],
    ["ntp://[zz::1]", "an IPv6 address inside [ ]"],
    ["ntp://h.example:", "a port in 1..65535"],
    ["ntp://h.example:12a", "a port in 1..65535"],
    ["ntp://-bad-.example", "a host name or IP address"],
    ["999.1.1.1", "a host name or IP address"],
    ["ntp://h.example?minpoll=x", "minpoll to be an integer poll exponent"],
  ])("%j is rejected: %s", (text, expected) => {
    expect(parseNtpSource(text)).toEqual({ ok: false, expected });
  });

  it("never throws and round-trips its own URLs", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseNtpSource(s);
        if (r.ok) expect(parseNtpSource(r.value.url)).toEqual(r);
      }),
    );
  });
});

describe("parseHostPort and parseServeUrl", () => {
  it("requires a port when there is no default", () => {
    expect(parseHostPort("127.0.0.1:8123")).toEqual({ ok: true, value: { host: "127.0.0.1", port: 8123 } });
    expect(parseHostPort("[::1]:8123")).toEqual({ ok: true, value: { host: "::1", port: 8123 } });
    expect(parseHostPort("localhost").ok).toBe(false);
    expect(parseServeUrl("ntp://0.0.0.0:11123")).toEqual({ ok: true, value: "ntp://0.0.0.0:11123" });
    expect(parseServeUrl("ntp://0.0.0.0:11123?iburst=1").ok).toBe(false);
    expect(parseServeUrl("0.0.0.0:11123").ok).toBe(false);
  });
});

describe("suggest", () => {
  it("finds near names and dotted paths by last segment", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(suggest("minpol", ["minPoll", "maxPoll"])).toBe("minPoll");
    expect(suggest("listen", ["api.listen", "logLevel"])).toBe("api.listen");
    expect(suggest("frobnicate", ["minPoll", "maxPoll"])).toBeUndefined();
  });
});
