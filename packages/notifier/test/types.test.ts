import type { BackupScheduler, SchedulerEvent } from "@simplebackup/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  defineNotifier,
  type NotifiableEvent,
  type NotifiableEventType,
  type Notifier,
  type NotifierEventSource,
  type NotifierFactory,
  type WebhookOptions,
  webhook,
} from "../src/index.js";

describe("public types", () => {
  it("defineNotifier infers a factory's options from its parameter", () => {
    const plugin = defineNotifier((options: { url: string; loud?: boolean }) => ({
      name: options.url,
      notify(event) {
        expectTypeOf(event).toEqualTypeOf<NotifiableEvent>();
      },
    }));
    expectTypeOf(plugin).toEqualTypeOf<NotifierFactory<{ url: string; loud?: boolean }>>();
    expectTypeOf(plugin).parameter(0).toEqualTypeOf<{ url: string; loud?: boolean }>();
  });

  it("defineNotifier keeps an object's own type", () => {
    const plugin = defineNotifier({ name: "x", notify() {}, extra: 1 });
    expectTypeOf(plugin).toExtend<Notifier>();
    expectTypeOf(plugin.extra).toEqualTypeOf<1>();
    expectTypeOf(plugin.name).toEqualTypeOf<"x">();
  });

  it("a notifier's event is a union keyed on type, with the staleness events", () => {
    expectTypeOf<Extract<NotifiableEvent, { type: "stale" }>["alertAfterMs"]>().toEqualTypeOf<number>();
    expectTypeOf<
      Extract<NotifiableEvent, { type: "success" }>["stats"]["dataAdded"]
    >().toEqualTypeOf<number>();
  });

  it("a notifier is told core's scheduler events, not a copy of them", () => {
    expectTypeOf<NotifiableEvent>().toEqualTypeOf<SchedulerEvent>();
    expectTypeOf<NotifiableEventType>().toEqualTypeOf<SchedulerEvent["type"]>();
  });

  it("a BackupScheduler is an event source the hub can attach to", () => {
    expectTypeOf<BackupScheduler>().toExtend<NotifierEventSource>();
  });

  it("built-in factories take typed options", () => {
    expectTypeOf(webhook).parameter(0).toEqualTypeOf<WebhookOptions>();
    const _withoutUrl = () =>
      // @ts-expect-error a webhook needs a url
      webhook({});
  });
});
